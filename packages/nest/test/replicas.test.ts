import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SpawnNodeResult, spawnNode, startAll } from '../../../test-support/databases.js';
import { migrationsFolder, openPostgres, type PostgresTestDb } from './support/harness.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/nest-app.mjs', import.meta.url));
const SLOW_S = 1;

interface FixtureResult {
  pid: number;
  served: boolean;
  url?: string;
  createdMs?: number;
  listeningMs?: number;
  listeningAt?: number;
  report?: { applied: string[]; lockTaken: boolean; lockWaitMs: number; totalMs: number };
  users?: { status: number; body: unknown };
  readyz?: number;
  shutdown?: { signal: string; readyz: number; body: { status: string; checks?: Record<string, { status: string }[]> } };
}

function parse(run: SpawnNodeResult): FixtureResult | undefined {
  const line = run.stdout.trim().split('\n').at(-1);
  try {
    return line ? (JSON.parse(line) as FixtureResult) : undefined;
  } catch {
    return undefined;
  }
}

function explain(run: SpawnNodeResult): string {
  return `exit ${run.code} signal ${run.signal}\nstdout: ${run.stdout.slice(-2000)}\nstderr: ${run.stderr.slice(-2000)}`;
}

let database: PostgresTestDb;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  database = await openPostgres('nest_replicas');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await database.close();
});

const tree = (files: Record<string, string>) => migrationsFolder(files, cleanups);

describe('Nest processes (built @strata/nest)', () => {
  it('4 processes booting at once apply each migration once, and all of them serve', async () => {
    const migrations = await tree({
      'migrations/0001_create_users.sql':
        'CREATE TABLE users (id INT PRIMARY KEY, email TEXT NOT NULL);\nCREATE TABLE applied_log (version INT NOT NULL, at TIMESTAMPTZ NOT NULL);\nINSERT INTO applied_log VALUES (1, clock_timestamp());\n',
      'migrations/0002_seed_slowly.sql': `SELECT pg_sleep(${SLOW_S});\nINSERT INTO users VALUES (1, 'ada@example.com');\nINSERT INTO applied_log VALUES (2, clock_timestamp());\n`,
      'migrations/0003_add_name.sql':
        "ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT 'Ada';\nINSERT INTO applied_log VALUES (3, clock_timestamp());\n",
    });

    const started = Date.now();
    const runs = await startAll(4, () =>
      spawnNode([FIXTURE, JSON.stringify({ url: database.url, migrations, sigterm: true })], { timeoutMs: 60_000 }),
    );
    const wallMs = Date.now() - started;
    const results = runs.map((run) => ({ run, result: parse(run) }));

    for (const { run, result } of results) {
      expect(result?.served, explain(run)).toBe(true);
      expect(result!.users).toEqual({ status: 200, body: [{ id: 1, email: 'ada@example.com', name: 'Ada' }] });
      expect(result!.readyz).toBe(200);
      // enableShutdownHooks: on SIGTERM, readiness fails before the port closes.
      expect(result!.shutdown).toMatchObject({ signal: 'SIGTERM', readyz: 503, body: { status: 'fail' } });
      expect(result!.shutdown!.body.checks?.['shutdown:draining']).toEqual([{ status: 'fail', componentType: 'system' }]);
    }

    // Each migration ran exactly once, across all four processes.
    const applied = results.flatMap(({ result }) => result!.report?.applied ?? []);
    expect(applied.sort()).toEqual(['1', '2', '3']);
    const log = await database.rows<{ version: number; at: Date }>('SELECT version, at FROM applied_log ORDER BY version');
    expect(log.map((row) => row.version)).toEqual([1, 2, 3]);
    const history = await database.rows<{ version: string; success: boolean }>(
      'SELECT version::text AS version, success FROM _strata_migrations ORDER BY version',
    );
    expect(history).toEqual([
      { version: '1', success: true },
      { version: '2', success: true },
      { version: '3', success: true },
    ]);
    // No process listened before the last migration's final statement ran (same host, same clock).
    const lastStatementAt = log[2]!.at.getTime();
    for (const { result } of results) expect(result!.listeningAt!).toBeGreaterThanOrEqual(lastStatementAt);

    const figures = results.map(({ result }) => ({
      applied: result!.report?.applied.length,
      lockTaken: result!.report?.lockTaken,
      lockWaitMs: Math.round(result!.report?.lockWaitMs ?? 0),
      listeningMs: Math.round(result!.listeningMs!),
    }));
    process.stderr.write(`[nest replicas] wall ${wallMs} ms; per process ${JSON.stringify(figures)}\n`);
  });

  it('a process whose migration fails exits non-zero with the file and line, without ever serving', async () => {
    const migrations = await tree({
      'migrations/0001_create_users.sql': 'CREATE TABLE users (id INT PRIMARY KEY, email TEXT NOT NULL);\n',
      'migrations/0002_broken.sql':
        "INSERT INTO users VALUES (1, 'a@example.com');\nINSERT INTO users VALUES (1, 'duplicate@example.com');\n",
    });

    const run = await spawnNode([FIXTURE, JSON.stringify({ url: database.url, migrations })], {
      timeoutMs: 30_000,
      env: { NO_COLOR: '1' },
    });

    expect(run.code, explain(run)).toBe(1);
    // Nothing printed on stdout: the fixture prints only after it has listened and served.
    expect(run.stdout).toBe('');
    // Nest's default logger carried the engine's line, and Nest's exception handler the typed error.
    expect(run.stderr).toMatch(/ERROR \[Migrations\] migration 2 failed at 0002_broken\.sql:2:1: .*\[23505\]/);
    expect(run.stderr).toMatch(/ERROR \[ExceptionHandler\] StrataError: migration 2 failed at 0002_broken\.sql:2:1/);
    expect(run.stderr).toMatch(/code: 'MIGRATION_FAILED'/);
    // One attempt: the engine reports each failed run once, and nothing was retried.
    expect(run.stderr.match(/\[Migrations\] migration 2 failed at/g)).toHaveLength(1);
    expect(run.stderr).not.toMatch(/not reachable|retrying/);
    const users = await database.rows('SELECT * FROM users');
    expect(users).toEqual([]);
  });

  it("with Nest's logger off (logger: false), a failed migration still says why, in one line on stderr", async () => {
    const migrations = await tree({
      'migrations/0001_broken.sql': 'CREATE TABLE users (id INT PRIMARY KEY);\nSELECT * FROM nowhere;\n',
    });
    const run = await spawnNode([FIXTURE, JSON.stringify({ url: database.url, migrations, nestLogger: false })], {
      timeoutMs: 30_000,
      env: { NO_COLOR: '1' },
    });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter((line) => line.includes('[strata]'));
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[strata\] migrations failed, so the app does not start: error\[MIGRATION_FAILED\]: migration 1 failed at 0001_broken\.sql:2:15: relation "nowhere" does not exist \[42P01\]$/,
      ),
    ]);
  });
});
