/**
 * Issue 14, rolling-deploy rollbacks: after release N+1 migrated, release N starts again (a pod
 * restart during the rollout, `kubectl rollout undo`) and finds migrations in the history that are
 * newer than anything it has ("future" migrations). Judged by the schema, the rows and the history,
 * on real PostgreSQL, SQLite and MariaDB.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStrataError, type MigrationInput, Migrator, type MigratorOptions, type StrataError } from '../../src/index.js';
import { dialectsWithMysql, type TestDatabase } from '../support/dialects.js';

/** Release N+1: three migrations. Release N: the first two. */
const RELEASE_N_PLUS_1: MigrationInput[] = [
  {
    version: 1,
    description: 'create users',
    up: 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
    down: 'DROP TABLE users;\n',
  },
  {
    version: 2,
    description: 'create posts',
    up: "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), title TEXT);\nINSERT INTO users (id, name) VALUES (1, 'ada');\n",
    down: 'DROP TABLE posts;\nDELETE FROM users WHERE id = 1;\n',
  },
  {
    version: 3,
    description: 'add email',
    up: "ALTER TABLE users ADD COLUMN email TEXT;\nUPDATE users SET email = 'ada@example.com';\n",
    down: 'ALTER TABLE users DROP COLUMN email;\n',
  },
];
const RELEASE_N = RELEASE_N_PLUS_1.slice(0, 2);

async function refusal(promise: Promise<unknown>): Promise<StrataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStrataError(error)) throw new Error(`expected a StrataError, got ${String(error)}`);
  return error;
}

describe.each(dialectsWithMysql)('a rolled-back release on %s', (_name, open) => {
  let db: TestDatabase;
  const migrator = (migrations: MigrationInput[], options: Partial<MigratorOptions> = {}) =>
    new Migrator({ db: db.handle, migrations, ...options });

  /** Columns of every table (the history's own excluded), the rows of users, and the history rows in full. */
  async function picture() {
    const history = await db.query(
      'SELECT version, description, installed_on, success, checksum, execution_time FROM _strata_migrations ORDER BY version',
    );
    return {
      schema: await db.columns(),
      users: await db.query('SELECT * FROM users ORDER BY id'),
      history: history.map((row) => ({
        ...row,
        version: String(row.version),
        success: Boolean(Number(row.success) || row.success === true),
        checksum: Buffer.from(row.checksum as Uint8Array).toString('hex'),
        installed_on: String(row.installed_on),
        execution_time: String(row.execution_time),
      })),
    };
  }

  beforeEach(async () => {
    db = await open();
    // Release N+1 rolled out and migrated.
    const report = await migrator(RELEASE_N_PLUS_1).run();
    expect(report.applied.map((step) => step.version)).toEqual([1n, 2n, 3n]);
  });
  afterEach(async () => {
    await db.close();
  });

  it("future: 'ignore' runs, plans and reports status without applying or reverting anything, naming the future version", async () => {
    const before = await picture();
    expect(before.schema).toContain('users.email');
    expect(before.history.map((row) => row.version)).toEqual(['1', '2', '3']);

    const releaseN = migrator(RELEASE_N, { future: 'ignore' });
    const report = await releaseN.run();
    expect(report.applied).toEqual([]);
    expect(report.planned).toEqual([]);
    expect(report.future).toEqual([3n]);
    // Nothing to do: answered without the lock.
    expect(report.lockTaken).toBe(false);

    expect((await releaseN.status()).map((line) => [line.version, line.state])).toEqual([
      [1n, 'applied'],
      [2n, 'applied'],
      [3n, 'future'],
    ]);
    expect(await releaseN.plan()).toEqual({ direction: 'up', steps: [], beyondTarget: [], future: [3n] });
    expect((await releaseN.run({ dryRun: true })).future).toEqual([3n]);

    // Schema, rows and history exactly as release N+1 left them.
    expect(await picture()).toEqual(before);
  });

  it("the engine's default ('error') refuses with MIGRATION_FUTURE naming the version, before anything changes", async () => {
    const before = await picture();
    for (const releaseN of [migrator(RELEASE_N), migrator(RELEASE_N, { future: 'error' })]) {
      const error = await refusal(releaseN.run());
      expect(error.code).toBe('MIGRATION_FUTURE');
      expect(error.details).toMatchObject({ version: '3', versions: ['3'], newestInSource: '2' });
      expect(error.message).toContain('migration 3 was previously applied but is newer than every migration');
      expect(error.message).toContain('--future ignore');
      expect((await refusal(releaseN.plan())).code).toBe('MIGRATION_FUTURE');
      expect((await refusal(releaseN.run({ dryRun: true }))).code).toBe('MIGRATION_FUTURE');
      // status() only describes: it never refuses.
      expect((await releaseN.status()).map((line) => line.state)).toEqual(['applied', 'applied', 'future']);
    }
    expect(await picture()).toEqual(before);
  });

  it('names every future version: a release two migrations behind sees both', async () => {
    const error = await refusal(migrator(RELEASE_N_PLUS_1.slice(0, 1)).run());
    expect(error.code).toBe('MIGRATION_FUTURE');
    expect(error.details).toMatchObject({ version: '2', versions: ['2', '3'], newestInSource: '1' });
    expect((await migrator(RELEASE_N_PLUS_1.slice(0, 1), { future: 'ignore' }).run()).future).toEqual([2n, 3n]);
  });

  it("a gap (a migration missing in the middle) is still MIGRATION_MISSING under 'ignore'", async () => {
    const before = await picture();
    const gap = [RELEASE_N_PLUS_1[0]!, RELEASE_N_PLUS_1[2]!];
    const error = await refusal(migrator(gap, { future: 'ignore' }).run());
    expect(error.code).toBe('MIGRATION_MISSING');
    expect(error.details.version).toBe('2');
    expect((await migrator(gap, { future: 'ignore' }).status()).map((line) => line.state)).toEqual([
      'applied',
      'missing',
      'applied',
    ]);
    expect(await picture()).toEqual(before);
  });

  it('revert never touches a future migration: its down script is in the newer release', async () => {
    const before = await picture();
    const releaseN = migrator(RELEASE_N, { future: 'ignore' });
    for (const options of [{}, { steps: 1 }, { all: true as const }, { target: 1 }, { steps: 1, dryRun: true }]) {
      const error = await refusal(releaseN.revert(options));
      expect(error.code, JSON.stringify(options)).toBe('MIGRATION_FUTURE');
      expect(error.details.version).toBe('3');
      expect(error.message).toContain('cannot revert: migration 3 is applied and newer than every migration');
    }
    expect((await refusal(releaseN.plan({ direction: 'down' }))).code).toBe('MIGRATION_FUTURE');
    expect((await refusal(migrator(RELEASE_N).revert())).code).toBe('MIGRATION_FUTURE');
    expect(await picture()).toEqual(before);
    // Reverting nothing is still nothing.
    expect((await releaseN.revert({ steps: 0 })).applied).toEqual([]);
  });

  it('a dirty future row is never ignored: it is MIGRATION_DIRTY until a person resolves it', async () => {
    // Release N+2's no-transaction migration stopped part-way.
    const broken: MigrationInput = {
      version: 4,
      description: 'backfill',
      up: '-- no-transaction\nCREATE TABLE backfill (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n',
    };
    expect((await refusal(migrator([...RELEASE_N_PLUS_1, broken]).run())).code).toBe('MIGRATION_FAILED');
    const error = await refusal(migrator(RELEASE_N, { future: 'ignore' }).run());
    expect(error.code).toBe('MIGRATION_DIRTY');
    expect(error.details.version).toBe('4');
  });

  it('ignoreMissing tolerates future migrations too, as it did before the option existed', async () => {
    expect((await migrator(RELEASE_N, { ignoreMissing: true }).run()).future).toEqual([3n]);
  });

  it('rolling forward again: release N+1 finds nothing to do, release N+2 applies only its own', async () => {
    await migrator(RELEASE_N, { future: 'ignore' }).run();
    const again = await migrator(RELEASE_N_PLUS_1).run();
    expect(again.applied).toEqual([]);
    expect(again.future).toEqual([]);
    expect(again.lockTaken).toBe(false);
    const next: MigrationInput = { version: 4, description: 'tags', up: 'CREATE TABLE tags (id INTEGER);\n' };
    expect((await migrator([...RELEASE_N_PLUS_1, next]).run()).applied.map((step) => step.version)).toEqual([4n]);
  });

  it('refuses a policy that is neither, before touching the database', () => {
    expect(() => migrator(RELEASE_N, { future: 'warn' as never })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: expect.stringContaining("future must be 'error' or 'ignore'"),
      }),
    );
  });
});
