/**
 * A migration run held in the middle, for the tests of what the probes of @strata/express and
 * @strata/nest say during a background run: the first of three migrations is applied, the second
 * waits for a lock the test holds, the third is still to come. Real databases, no mocks.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';

/** An advisory lock key of the test's own, far from strata's run lock (SQLx's key). */
const HOLD_KEY = 7_700_042;

export const HELD_RUN = {
  /** The migration files, by name. */
  postgres: {
    '0001_create_items.sql': 'CREATE TABLE items (id int);\n',
    '0002_wait_for_the_test.sql': `SELECT pg_advisory_xact_lock(${HOLD_KEY});\nALTER TABLE items ADD COLUMN note text;\n`,
    '0003_add_extra.sql': 'ALTER TABLE items ADD COLUMN extra text;\n',
  },
  sqlite: {
    '0001_create_items.sql': 'CREATE TABLE items (id INTEGER);\n',
    '0002_add_note.sql': 'ALTER TABLE items ADD COLUMN note TEXT;\n',
    '0003_add_extra.sql': 'ALTER TABLE items ADD COLUMN extra TEXT;\n',
  },
  /** Where a held run stands: the first migration applied, the other two pending. */
  held: { applied: 1, pending: 2 },
  done: { applied: 3, pending: 0 },
};

export interface HeldRun {
  /** Resolves once the run is held at the second migration. */
  held(): Promise<void>;
  /** Lets the run go on; safe to call again. */
  release(): Promise<void>;
}

/** Holds migration 0002 of HELD_POSTGRES_MIGRATIONS at its `pg_advisory_xact_lock` until release(). */
export async function holdPostgresRun(url: string): Promise<HeldRun> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const holder = new pg.Client({ connectionString: url, application_name: 'held-run' });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1)', [HOLD_KEY]);
  return {
    held: () =>
      until('migration 0002 to wait for the test’s lock', async () => {
        const { rows } = await holder.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND pid <> pg_backend_pid()",
          [database],
        );
        return rows.length > 0;
      }),
    release: async () => {
      await holder.query('SELECT pg_advisory_unlock($1)', [HOLD_KEY]).catch(() => {});
      await holder.end().catch(() => {});
    },
  };
}

/**
 * SQLite has no lock a script could wait on, so the run is held from outside: once migration 1 is
 * done (the boot's `onEvent`, which also proves the user's handler still hears the events), a
 * second connection takes the write lock. strata polls for it without blocking the event loop.
 */
export function holdSqliteRun(path: string): HeldRun & { onEvent(event: { type: string; step?: { version: bigint } }): void } {
  const holder = new Database(path);
  let holding = false;
  return {
    onEvent(event) {
      if (event.type === 'step-done' && event.step?.version === 1n && !holding) {
        holder.exec('BEGIN IMMEDIATE');
        holding = true;
      }
    },
    held: () => until('migration 1 to be done and the write lock taken', async () => holding),
    release: async () => {
      if (!holder.open) return;
      if (holder.inTransaction) holder.exec('COMMIT');
      holder.close();
    },
  };
}

interface ProbeBody {
  checks?: Record<string, { observedValue?: unknown }[]>;
}

/**
 * Asks `/readyz?verbose`, `/healthz` and `/readyz?verbose` again (`body` fetches a path and parses
 * the JSON): every count they show — readiness's and health's migrations check, health's versions
 * check — must be `counts`.
 */
export async function expectProbesAgree(
  body: (path: string) => Promise<unknown>,
  counts: { applied: number; pending: number },
): Promise<void> {
  const answers = [await body('/readyz?verbose'), await body('/healthz'), await body('/readyz?verbose')] as ProbeBody[];
  const [ready, health, readyAgain] = answers.map((answer) => answer.checks);
  expect(ready?.migrations?.[0]?.observedValue, 'readiness: migrations').toMatchObject(counts);
  expect(health?.migrations?.[0]?.observedValue, 'health: migrations').toMatchObject(counts);
  expect(health?.['migrations:versions']?.[0]?.observedValue, 'health: migrations:versions').toMatchObject(counts);
  expect(readyAgain?.migrations?.[0]?.observedValue, 'readiness, after health read the history').toMatchObject(counts);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
