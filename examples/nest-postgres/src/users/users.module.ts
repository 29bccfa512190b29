import { Module } from '@nestjs/common';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** Does not import MigrationsModule: it is registered with `isGlobal`. */
@Module({ controllers: [UsersController], providers: [UsersService] })
export class UsersModule {}
