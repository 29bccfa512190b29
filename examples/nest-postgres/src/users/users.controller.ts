import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import type { NewUser, User } from './user.js';
import { UsersService } from './users.service.js';

@Controller('users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get()
  list(): Promise<User[]> {
    return this.users.list();
  }

  @Get(':id')
  async find(@Param('id') id: string): Promise<User> {
    const user = await this.users.find(id);
    if (!user) throw new NotFoundException(`no user ${id}`);
    return user;
  }

  @Post()
  create(@Body() body: unknown): Promise<User> {
    return this.users.create(parseNewUser(body));
  }
}

function parseNewUser(body: unknown): NewUser {
  const input = (body ?? {}) as Record<string, unknown>;
  const email = typeof input.email === 'string' ? input.email.trim() : '';
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new BadRequestException('email must be an email address');
  if (name.length === 0) throw new BadRequestException('name must not be empty');
  if (input.role !== undefined && input.role !== 'member' && input.role !== 'admin') {
    throw new BadRequestException("role must be 'member' or 'admin'");
  }
  return { email, name, ...(input.role ? { role: input.role as string } : {}) };
}
