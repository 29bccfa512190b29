import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  // Pending migrations run inside create(): if one fails, Nest logs the StrataError (version,
  // file:line:column) and exits with status 1 before anything listens.
  const app = await NestFactory.create(AppModule);
  // SIGTERM → readiness turns 503 (draining), Nest closes the server, then the database.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  new Logger('Bootstrap').log(`Listening on ${(await app.getUrl()).replace('[::1]', '127.0.0.1')}`);
}

void bootstrap();
