/**
 * Issue 8, load: "32 processes on one PostgreSQL database and 8 on one SQLite file start runs at
 * the same moment, 20 times in a row: every migration applied exactly once, every process exits 0,
 * no deadlock, no 'relation already exists' from a bootstrap race on the history table."
 *
 * Slow on purpose (about a minute or two on 2 cores); it still runs in the test command.
 * The workers (fixtures/load-worker.mjs) are spawned once and take part in every round, so process
 * start-up is paid once; each round they connect afresh to a fresh database (no history table yet:
 * the bootstrap race every time), say they are ready, and all call run() on one go signal.
 * PostgreSQL runs on a throwaway server owned by this file: 32 processes' connections must not
 * compete with the other test files for the shared server's connection slots.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnNodeResult, spawnNode, tempDir, writeTree } from '../../../../test-support/databases.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../../../test-support/throwaway-postgres.js';
import { waitFor } from '../engine-processes/process-harness.js';
import { useCleanups } from './support/fault-helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/load-worker.mjs', import.meta.url));
const ROUNDS = 20;
/** "Doesn't hang" bounds: a round that takes this long is deadlocked, not slow. */
const ROUND_BOUND_MS = 120_000;

const cleanups = useCleanups();
let server: ThrowawayPostgres;

beforeAll(async () => {
  // 32 workers with pools of 2, plus this file's own clients.
  server = await startThrowawayPostgres({ maxConnections: 120 });
});
afterAll(async () => {
  await server?.stop();
});

type Dialect = 'postgres' | 'sqlite';
const VERSIONS = ['1', '2', '3', '4', '5', '6'];

/**
 * Six small migrations. Each records itself in `applications` (no key), so a migration that ran
 * twice shows as two rows even where the history would hide it. Migration 4 runs outside a
 * transaction and takes a moment, so late workers arrive while a dirty row exists.
 */
function loadMigrations(dialect: Dialect): Record<string, string> {
  const record = (n: number) => `INSERT INTO applications (version) VALUES (${n});\n`;
  const pause = dialect === 'postgres' ? 'SELECT pg_sleep(0.05);' : 'SELECT strata_test_pause(50);';
  const concurrently = dialect === 'postgres' ? 'CONCURRENTLY ' : '';
  return {
    'migrations/0001_create_applications.sql': `CREATE TABLE applications (version INTEGER NOT NULL);\n${record(1)}`,
    'migrations/0002_create_users.sql': `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n${record(2)}`,
    'migrations/0003_seed_users.sql': `INSERT INTO users (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com');\n${record(3)}`,
    'migrations/0004_index_users_outside_a_transaction.sql': `-- no-transaction\nCREATE INDEX ${concurrently}users_email ON users (email);\n${pause}\n${record(4)}`,
    'migrations/0005_create_posts.sql': `CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));\n${record(5)}`,
    'migrations/0006_add_posts_title.sql': `ALTER TABLE posts ADD COLUMN title TEXT;\n${record(6)}`,
  };
}

interface RoundResult {
  ok: boolean;
  pid: number;
  applied?: string[];
  skipped?: string[];
  lockTaken?: boolean;
  lockWaitMs?: number;
  error?: { code: string | null; message: string; stack: string };
}

interface LoadOutcome {
  results: RoundResult[][];
  exits: SpawnNodeResult[];
  roundMs: number[];
}

/** Spawns `processes` workers for all rounds and drives them round by round. */
async function runRounds(
  dialect: Dialect,
  processes: number,
  rounds: ({ url: string } | { file: string })[],
  migrations: string,
  signals: string,
  verifyRound: (round: number, results: RoundResult[]) => Promise<void>,
): Promise<LoadOutcome> {
  const exited: (SpawnNodeResult | undefined)[] = Array(processes).fill(undefined);
  const workers = Array.from({ length: processes }, (_, index) =>
    spawnNode([WORKER, JSON.stringify({ index, dialect, migrations, signals, rounds, waitMs: ROUND_BOUND_MS })], {
      timeoutMs: ROUND_BOUND_MS * (rounds.length + 1),
    }).then((result) => {
      exited[index] = result;
      return result;
    }),
  );
  const roundMs: number[] = [];
  const results: RoundResult[][] = [];
  const count = async (prefix: string) =>
    (await readdir(signals)).filter((name) => name.startsWith(prefix) && !name.endsWith('.partial')).length;
  const noEarlyExit = (round: number) => {
    const early = exited.findIndex((result) => result !== undefined);
    if (early !== -1 && round < rounds.length) {
      throw new Error(`worker ${early} exited during round ${round}: ${JSON.stringify(exited[early]).slice(0, 3_000)}`);
    }
  };
  try {
    for (let round = 0; round < rounds.length; round++) {
      await waitFor(
        `round ${round}: ${processes} ${dialect} workers connected`,
        async () => {
          noEarlyExit(round);
          return (await count(`ready-${round}-`)) === processes;
        },
        ROUND_BOUND_MS,
      );
      const go = performance.now();
      await writeFile(join(signals, `go-${round}`), '');
      await waitFor(
        `round ${round}: ${processes} ${dialect} runs finished (a deadlock, if this times out)`,
        async () => (await count(`result-${round}-`)) === processes,
        ROUND_BOUND_MS,
      );
      roundMs.push(performance.now() - go);
      const roundResults = await Promise.all(
        Array.from(
          { length: processes },
          async (_, index) => JSON.parse(await readFile(join(signals, `result-${round}-${index}.json`), 'utf8')) as RoundResult,
        ),
      );
      results.push(roundResults);
      await verifyRound(round, roundResults);
    }
  } finally {
    // A failed round leaves the others waiting for a go file; tell them there is none.
    for (let round = results.length; round < rounds.length; round++) await writeFile(join(signals, `go-${round}`), '');
  }
  return { results, exits: await Promise.all(workers), roundMs };
}

/** What every round must show, whatever the database. */
function expectEveryRunSucceededOnce(round: number, results: RoundResult[]): void {
  const failed = results.filter((result) => !result.ok);
  const bootstrapRace = failed.filter((result) => /already exists/i.test(result.error?.message ?? ''));
  expect(
    bootstrapRace.map((result) => result.error),
    `round ${round}: a bootstrap race ("already exists")`,
  ).toEqual([]);
  expect(
    failed.map((result) => result.error),
    `round ${round}: ${failed.length} of ${results.length} runs failed`,
  ).toEqual([]);
  const applied = results.flatMap((result) => result.applied ?? []);
  expect(
    [...applied].sort((a, b) => Number(a) - Number(b)),
    `round ${round}: applied across all processes`,
  ).toEqual(VERSIONS);
}

function summarise(dialect: Dialect, processes: number, outcome: LoadOutcome): string {
  const contended = outcome.results.map((round) => round.filter(wentForTheLock).length);
  const ms = outcome.roundMs.map(Math.round);
  return (
    `[faults/load] ${dialect}: ${processes} processes x ${outcome.results.length} rounds; ` +
    `round ms min/median/max ${Math.min(...ms)}/${ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]}/${Math.max(...ms)}; ` +
    `processes that went for the lock per round: ${contended.join(',')}`
  );
}

describe('load: many processes start runs at the same moment, round after round', () => {
  it(
    `32 processes on one PostgreSQL database, ${ROUNDS} rounds: each migration applied once, every process exits 0`,
    async () => {
      const processes = 32;
      const dir = await tempDir('load-pg');
      cleanups.push(dir.cleanup);
      await writeTree(dir.path, { ...loadMigrations('postgres'), 'signals/.keep': '' });
      const rounds = [];
      for (let round = 0; round < ROUNDS; round++) rounds.push({ url: await server.createDatabase(`load_${round}`) });

      const outcome = await runRounds(
        'postgres',
        processes,
        rounds,
        join(dir.path, 'migrations'),
        join(dir.path, 'signals'),
        async (round, results) => {
          expectEveryRunSucceededOnce(round, results);
          const client = new pg.Client({ connectionString: rounds[round]!.url });
          await client.connect();
          try {
            const history = await client.query(
              'SELECT version::text AS version, success FROM _strata_migrations ORDER BY _strata_migrations.version',
            );
            expect(history.rows, `round ${round}: history`).toEqual(VERSIONS.map((version) => ({ version, success: true })));
            const applications = await client.query(
              'SELECT a.version::text AS version, count(*)::int AS times FROM applications a GROUP BY a.version ORDER BY a.version',
            );
            expect(applications.rows, `round ${round}: times each migration ran`).toEqual(
              VERSIONS.map((version) => ({ version, times: 1 })),
            );
            const index = await client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('users_email')");
            expect(index.rows, `round ${round}: the CONCURRENTLY index`).toEqual([{ indisvalid: true }]);
            // Nobody was left holding the migration lock once every process had finished.
            const locks = await client.query(
              `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
            );
            expect(locks.rows[0].n, `round ${round}: advisory locks left`).toBe(0);
          } finally {
            await client.end();
          }
        },
      );

      expect(
        outcome.exits.map((exit) => ({ code: exit.code, signal: exit.signal, stderr: exit.stderr.slice(-500) })),
        'every worker process exits 0',
      ).toEqual(outcome.exits.map(() => ({ code: 0, signal: null, stderr: '' })));
      // The go signal is what makes this a race: in most rounds several processes passed the fast
      // path and contended for the lock, or the test proved nothing about concurrency.
      const contendedRounds = outcome.results.filter((round) => round.filter(wentForTheLock).length >= 2).length;
      expect(contendedRounds, summarise('postgres', processes, outcome)).toBeGreaterThanOrEqual(ROUNDS / 2);
      console.info(summarise('postgres', processes, outcome));
    },
    ROUND_BOUND_MS * (ROUNDS + 2),
  );

  it(
    `8 processes on one SQLite file, ${ROUNDS} rounds (journal modes delete and wal): each migration applied once, every process exits 0`,
    async () => {
      const processes = 8;
      const dir = await tempDir('load-sqlite');
      cleanups.push(dir.cleanup);
      await writeTree(dir.path, { ...loadMigrations('sqlite'), 'signals/.keep': '' });
      const rounds = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Each round its own directory: the database, its journal and the run lock beside it.
        const file = join(dir.path, `round-${round}`, 'app.db');
        await writeTree(dir.path, { [`round-${round}/.keep`]: '' });
        const setup = new Database(file);
        setup.pragma(`journal_mode = ${round % 2 === 0 ? 'delete' : 'wal'}`);
        setup.close();
        rounds.push({ file });
      }

      const outcome = await runRounds(
        'sqlite',
        processes,
        rounds,
        join(dir.path, 'migrations'),
        join(dir.path, 'signals'),
        async (round, results) => {
          expectEveryRunSucceededOnce(round, results);
          const db = new Database(rounds[round]!.file, { readonly: true });
          try {
            expect(
              db
                .prepare(
                  'SELECT CAST(version AS TEXT) AS version, success FROM _strata_migrations ORDER BY _strata_migrations.version',
                )
                .all(),
              `round ${round}: history`,
            ).toEqual(VERSIONS.map((version) => ({ version, success: 1 })));
            expect(
              db
                .prepare(
                  'SELECT CAST(version AS TEXT) AS version, count(*) AS times FROM applications GROUP BY version ORDER BY applications.version',
                )
                .all(),
              `round ${round}: times each migration ran`,
            ).toEqual(VERSIONS.map((version) => ({ version, times: 1 })));
            expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
          } finally {
            db.close();
          }
        },
      );

      expect(
        outcome.exits.map((exit) => ({ code: exit.code, signal: exit.signal, stderr: exit.stderr.slice(-500) })),
        'every worker process exits 0',
      ).toEqual(outcome.exits.map(() => ({ code: 0, signal: null, stderr: '' })));
      const contendedRounds = outcome.results.filter((round) => round.filter(wentForTheLock).length >= 2).length;
      expect(contendedRounds, summarise('sqlite', processes, outcome)).toBeGreaterThanOrEqual(ROUNDS / 2);
      console.info(summarise('sqlite', processes, outcome));
    },
    ROUND_BOUND_MS * (ROUNDS + 2),
  );
});

/** Past the fast path and into the lock queue: it took the lock, or left it once the winner had applied everything. */
function wentForTheLock(result: RoundResult): boolean {
  return result.lockTaken === true || (result.skipped?.length ?? 0) > 0;
}
