import pg from 'pg';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import type { ThrowawayPostgres } from '../../../../test-support/throwaway-postgres.js';
import type { FleetDrivers, MigrationInput } from '../../src/index.js';

/**
 * Two migrations every tenant gets; the second fails at its line 2 on a tenant that already has a
 * table `audit`, after its line 1 added a column: a failure midway through a migration.
 */
export const TENANT_MIGRATIONS: MigrationInput[] = [
  {
    version: 1,
    description: 'users',
    up: 'CREATE TABLE users (id int PRIMARY KEY);\nINSERT INTO users (id) VALUES (1), (2);\n',
    upFile: '0001_users.sql',
  },
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

/** Setup and cleanup connections at once: enough to hide round trips, few beside other tests on a shared server. */
const SETUP_WIDTH = 6;

/** Runs `fn` on each item, at most `width` at a time. */
export async function forEach<T>(items: readonly T[], fn: (item: T) => Promise<unknown>, width = SETUP_WIDTH): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

export type TenantDatabase = Awaited<ReturnType<typeof createPostgresDatabase>>;

/**
 * `count` fresh databases, created a few at a time (in order: tenant i is `prefix` i), on the shared
 * server, or on `server` when given. A throwaway server is what a fleet of many databases wants:
 * on PostgreSQL 15 every DROP DATABASE forces an immediate checkpoint, and the first drop after
 * sixty creates must sync every file they wrote (about 14,000), which stalled every other test
 * file's database drops on the shared server for half a minute.
 */
export async function createTenantDatabases(
  prefix: string,
  count: number,
  server?: ThrowawayPostgres,
): Promise<TenantDatabase[]> {
  const tenants: TenantDatabase[] = new Array(count);
  const indexes = Array.from({ length: count }, (_, i) => i);
  await forEach(indexes, async (i) => {
    if (server) {
      const name = `${prefix}${i}`;
      // The server and its files go as a whole when it stops.
      tenants[i] = { name, url: await server.createDatabase(name), drop: async () => {} };
    } else {
      tenants[i] = await createPostgresDatabase(`${prefix}${i}`);
    }
  });
  return tenants;
}

export function dropTenantDatabases(tenants: readonly TenantDatabase[]): Promise<void> {
  return forEach(tenants, (tenant) => tenant.drop());
}

/**
 * What TENANT_MIGRATIONS left in one tenant, read from the tenant itself: the history's
 * successful versions, the columns of `users`, its rows, and whether `audit` exists.
 */
export interface TenantState {
  history: string[];
  userColumns: string[];
  users: number;
  audit: boolean;
}

/** The state of both migrations applied; of migration 1 only; of nothing. */
export const MIGRATED: TenantState = { history: ['1', '2'], userColumns: ['id', 'name'], users: 2, audit: true };
export const FIRST_ONLY: TenantState = { history: ['1'], userColumns: ['id'], users: 2, audit: false };
export const UNTOUCHED: TenantState = { history: [], userColumns: [], users: 0, audit: false };

/** A PostgreSQL tenant's state; `schema` for schema-per-tenant, else `public`. */
export async function pgTenantState(url: string, schema = 'public'): Promise<TenantState> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ident = client.escapeIdentifier(schema);
    const exists = async (table: string) =>
      (await client.query('SELECT to_regclass($1) IS NOT NULL AS e', [`${ident}.${table}`])).rows[0].e as boolean;
    const history = (await exists('_strata_migrations'))
      ? (await client.query(`SELECT version::text FROM ${ident}._strata_migrations WHERE success ORDER BY version`)).rows
      : [];
    const columns = async (table: string) =>
      (
        await client.query(
          'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
          [schema, table],
        )
      ).rows.map((row) => String(row.column_name));
    const userColumns = await columns('users');
    const users = userColumns.length > 0 ? Number((await client.query(`SELECT count(*) AS n FROM ${ident}.users`)).rows[0].n) : 0;
    return {
      history: history.map((row) => String(row.version)),
      userColumns,
      users,
      // A tenant broken on purpose has an `audit (note)` of its own: only migration 2's `audit (id)` counts.
      audit: (await columns('audit')).join() === 'id',
    };
  } finally {
    await client.end();
  }
}

/** The state of each target, in order, read a few at a time. */
export async function pgTenantStates(targets: readonly { url: string; schema?: string }[]): Promise<TenantState[]> {
  const states: TenantState[] = new Array(targets.length);
  const indexes = targets.map((_, i) => i);
  await forEach(indexes, async (i) => {
    states[i] = await pgTenantState(targets[i]!.url, targets[i]!.schema);
  });
  return states;
}
