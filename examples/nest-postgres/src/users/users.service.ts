import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { MIGRATIONS_READY, type MigrationsReady } from '@strata/nest';
import { Database } from '../database/database.js';
import type { NewUser, User } from './user.js';

@Injectable()
export class UsersService {
  constructor(
    @Inject(Database) private readonly db: Database,
    // Injecting the token makes Nest build this service only after the migrations: the `users`
    // table (and its `role` column) exist before any method here can run.
    @Inject(MIGRATIONS_READY) readonly migrations: MigrationsReady,
  ) {}

  list(): Promise<User[]> {
    return this.db.query<User>('SELECT id, email, name, role FROM users ORDER BY created_at, email');
  }

  async find(id: string): Promise<User | undefined> {
    const rows = await this.db.query<User>('SELECT id, email, name, role FROM users WHERE id = $1', [id]);
    return rows[0];
  }

  async create(input: NewUser): Promise<User> {
    const user: User = { id: randomUUID(), email: input.email, name: input.name, role: input.role ?? 'member' };
    try {
      await this.db.query('INSERT INTO users (id, email, name, role) VALUES ($1, $2, $3, $4)', [
        user.id,
        user.email,
        user.name,
        user.role,
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`a user with email ${input.email} already exists`);
      throw error;
    }
    return user;
  }
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
