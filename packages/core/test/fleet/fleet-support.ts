import pg from 'pg';
import type { FleetDrivers, MigrationInput } from '../../src/index.js';

/** Two migrations every tenant gets; the second fails at its line 2 on a tenant that already has a table `audit`. */
export const TENANT_MIGRATIONS: MigrationInput[] = [
  { version: 1, description: 'users', up: 'CREATE TABLE users (id int PRIMARY KEY);', upFile: '0001_users.sql' },
  {
    version: 2,
    description: 'user names',
    up: 'ALTER TABLE users ADD COLUMN name text;\nCREATE TABLE audit (id int);\n',
    upFile: '0002_user_names.sql',
  },
];

/**
 * pg's own Client, counting the server sessions open at once across the fleet: connect adds one,
 * end removes it. The fleet's bound is checked against what really happened in this process.
 */
export function countingPg(): { drivers: FleetDrivers; open: () => number; peak: () => number; connects: () => number } {
  let open = 0;
  let peak = 0;
  let connects = 0;
  class CountingClient extends pg.Client {
    #counted = false;
    override async connect(): Promise<void> {
      await super.connect();
      this.#counted = true;
      connects++;
      peak = Math.max(peak, ++open);
    }
    override async end(): Promise<void> {
      if (this.#counted) {
        this.#counted = false;
        open--;
      }
      await super.end();
    }
  }
  return {
    drivers: { pg: { Client: CountingClient as unknown as NonNullable<FleetDrivers['pg']>['Client'] } },
    open: () => open,
    peak: () => peak,
    connects: () => connects,
  };
}

export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
