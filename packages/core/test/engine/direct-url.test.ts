/**
 * directUrl (Prisma's convention): the app's handle may sit behind a pooler; each run takes its
 * session — the advisory lock and the migrations — over a direct connection instead. Proved with
 * an app pool whose connections cannot write: the migrations can only have gone the direct way.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MigrationInput, Migrator } from '../../src/index.js';
import { openPostgres } from '../support/dialects.js';

const migrations: MigrationInput[] = [1, 2].map((n) => ({
  version: n,
  description: `t${n}`,
  up: `CREATE TABLE t${n} (id int);`,
}));

describe('directUrl on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let readOnly: pg.Pool;
  beforeEach(async () => {
    db = await openPostgres();
    readOnly = new pg.Pool({ connectionString: db.url, options: '-c default_transaction_read_only=on', max: 2 });
    readOnly.on('error', () => {});
  });
  afterEach(async () => {
    await readOnly.end();
    await db.close();
  });

  it('runs over the direct URL while reads use the app pool, and closes its direct connection', async () => {
    // Without it, the read-only app pool cannot migrate: that is what makes the test prove something.
    await expect(new Migrator({ db: readOnly, migrations }).run()).rejects.toMatchObject({
      code: 'HISTORY_UNWRITABLE',
      details: { databaseCode: '25006' },
    });
    const report = await new Migrator({ db: readOnly, migrations, directUrl: `${db.url}?application_name=direct-run` }).run();
    expect(report.applied).toHaveLength(2);
    expect((await db.query('SELECT version FROM _strata_migrations ORDER BY version')).map((row) => Number(row.version))).toEqual(
      [1, 2],
    );
    // status() reads through the read-only pool, which is all it needs.
    expect((await new Migrator({ db: readOnly, migrations }).status()).map((line) => line.state)).toEqual(['applied', 'applied']);
    const left = await db.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'direct-run'");
    expect(Number(left[0]?.n)).toBe(0);
  });

  it('refuses a directUrl that is not a PostgreSQL URL, and one on SQLite, before touching anything', async () => {
    expect(() => new Migrator({ db: readOnly, migrations, directUrl: 'mysql://x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    const sqlite = new Database(':memory:');
    try {
      expect(() => new Migrator({ db: sqlite, migrations, directUrl: db.url })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    } finally {
      sqlite.close();
    }
  });

  it('a direct URL that cannot be reached is CONNECTION_FAILED naming it without its password', async () => {
    const url = 'postgres://someone:s3cret@127.0.0.1:1/nowhere';
    const error = await new Migrator({ db: readOnly, migrations, directUrl: url, connectTimeout: 2_000 })
      .run()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect((error as Error).message).toContain('directUrl');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
