/**
 * Issue 8, bad input: "a history table written by a newer strata or by hand with garbage rows",
 * and "corrupted history: a row whose checksum is not 48 bytes, a version in history that is not
 * in the source, a dirty row."
 *
 * Outcomes decided here:
 * - a newer strata's table (extra columns it can default): read and written as usual;
 * - a row the engine cannot read as a history row (NULL or non-integer version, NULL or
 *   non-48-byte checksum), or a table whose shape refuses strata's rows (a missing column, an
 *   extra NOT NULL column without default): HISTORY_CORRUPT naming the table, before any
 *   migration runs. Not MIGRATION_MODIFIED: the file did not change, the record of it is unusable,
 *   and the person has to repair the table, not the file;
 * - a version in history but not in the source: MIGRATION_MISSING when the source has newer ones,
 *   MIGRATION_FUTURE when it is newer than all of them (under the engine's default `future:
 *   'error'`; see rollbacks.test.ts), or, if dirty, MIGRATION_DIRTY, which `resolve` clears even
 *   without the file;
 * - a dirty row: run and revert both refuse with MIGRATION_DIRTY; resolving a clean row is
 *   NOT_FOUND.
 */
import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/checksum.js';
import { isStrataError, type MigrationInput, Migrator, type StrataErrorCode } from '../../src/index.js';
import { dialectsWithMysql, type TestDatabase } from '../support/dialects.js';
import { catchError, useCleanups } from './support/fault-helpers.js';

const cleanups = useCleanups();

const MIGRATIONS: MigrationInput[] = [
  { version: 1, description: 'create a', up: 'CREATE TABLE a (id INTEGER);\n', down: 'DROP TABLE a;\n' },
  { version: 2, description: 'create b', up: 'CREATE TABLE b (id INTEGER);\n', down: 'DROP TABLE b;\n' },
  { version: 3, description: 'create c', up: 'CREATE TABLE c (id INTEGER);\n', down: 'DROP TABLE c;\n' },
];

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const checksumHex = (n: number) => hex(checksumOf(MIGRATIONS[n - 1]!.up));

/** Creates `_strata_migrations` by hand, with `columns` as written, and migration 1 applied for real. */
async function handMadeHistory(database: TestDatabase, columns: string, insertOne = true): Promise<void> {
  const s = database.sql;
  await database.query(`CREATE TABLE _strata_migrations (${columns})`);
  await database.query('CREATE TABLE a (id INTEGER)');
  if (insertOne) {
    await database.query(
      `INSERT INTO _strata_migrations (version, description, success, checksum, execution_time) VALUES (1, 'create a', ${s.bool(true)}, ${s.bytes(checksumHex(1))}, 1000)`,
    );
  }
}

const tables = (database: TestDatabase) => database.tables();

async function expectRefused(database: TestDatabase, code: StrataErrorCode, mentions: string[], version?: string): Promise<void> {
  const before = await tables(database);
  const error = await catchError(new Migrator({ db: database.handle, migrations: MIGRATIONS }).run());
  expect(isStrataError(error), `not a StrataError: ${error.stack}`).toBe(true);
  expect(error.code, error.message).toBe(code);
  for (const text of mentions) expect(error.message).toContain(text);
  if (version !== undefined) expect(error.details?.version, error.message).toBe(version);
  // Nothing ran: no migration's table appeared.
  expect(await tables(database)).toEqual(before);
}

describe.each(dialectsWithMysql)('history tables written by others (%s)', (_name, open) => {
  async function setup() {
    const database = await open();
    cleanups.push(() => database.close());
    return { database, s: database.sql };
  }

  it('written by a newer strata (extra columns with defaults): runs, status and reverts as usual', async () => {
    const { database, s } = await setup();
    await handMadeHistory(
      database,
      `version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on ${s.timestamp} NOT NULL DEFAULT ${s.now},
       success BOOLEAN NOT NULL, checksum ${s.blob} NOT NULL, execution_time BIGINT NOT NULL,
       checksum_algorithm TEXT NOT NULL DEFAULT 'sha384', applied_by TEXT, tags TEXT DEFAULT '[]'`,
    );
    const migrator = new Migrator({ db: database.handle, migrations: MIGRATIONS });
    expect((await migrator.run()).applied.map((step) => step.version)).toEqual([2n, 3n]);
    expect((await migrator.status()).map((line) => line.state)).toEqual(['applied', 'applied', 'applied']);
    expect((await migrator.revert()).applied.map((step) => step.version)).toEqual([3n]);
    const rows = await database.query(
      `SELECT ${s.text('version')} AS version, checksum_algorithm FROM _strata_migrations ORDER BY version`,
    );
    expect(rows).toEqual([
      { version: '1', checksum_algorithm: 'sha384' },
      { version: '2', checksum_algorithm: 'sha384' },
    ]);
  });

  it('with an extra NOT NULL column strata cannot fill: HISTORY_CORRUPT, and the migration is not kept', async () => {
    const { database, s } = await setup();
    await handMadeHistory(
      database,
      `version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on ${s.timestamp} NOT NULL DEFAULT ${s.now},
       success BOOLEAN NOT NULL, checksum ${s.blob} NOT NULL, execution_time BIGINT NOT NULL, tenant TEXT NOT NULL`,
      false,
    );
    await database.query('DROP TABLE a');
    await expectRefused(database, 'HISTORY_CORRUPT', ['_strata_migrations']);
    expect(await database.query('SELECT version FROM _strata_migrations')).toEqual([]);
  });

  it('missing a column strata reads: HISTORY_CORRUPT naming the table', async () => {
    const { database, s } = await setup();
    await handMadeHistory(
      database,
      `version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on ${s.timestamp} NOT NULL DEFAULT ${s.now},
       success BOOLEAN NOT NULL, checksum ${s.blob} NOT NULL`,
      false,
    );
    await database.query(
      `INSERT INTO _strata_migrations (version, description, success, checksum) VALUES (1, 'create a', ${s.bool(true)}, ${s.bytes(checksumHex(1))})`,
    );
    await expectRefused(database, 'HISTORY_CORRUPT', ['_strata_migrations']);
  });

  it('a row whose checksum is not 48 bytes: HISTORY_CORRUPT naming the version, not MIGRATION_MODIFIED', async () => {
    const { database, s } = await setup();
    await handMadeHistory(
      database,
      `version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on ${s.timestamp} NOT NULL DEFAULT ${s.now},
       success BOOLEAN NOT NULL, checksum ${s.blob} NOT NULL, execution_time BIGINT NOT NULL`,
    );
    // A SHA-256 where SHA-384 belongs: what a hand-written or foreign tool's row would carry.
    await database.query(
      `INSERT INTO _strata_migrations (version, description, success, checksum, execution_time) VALUES (2, 'create b', ${s.bool(true)}, ${s.bytes('ab'.repeat(32))}, 0)`,
    );
    await database.query('CREATE TABLE b (id INTEGER)');
    await expectRefused(database, 'HISTORY_CORRUPT', ['_strata_migrations', 'checksum'], '2');
  });

  it('garbage rows (NULLs, a version that is not an integer): HISTORY_CORRUPT, never a TypeError', async () => {
    const { database, s } = await setup();
    // A table made by hand with no constraints at all.
    await handMadeHistory(
      database,
      `version BIGINT, description TEXT, installed_on ${s.timestamp}, success BOOLEAN, checksum ${s.blob}, execution_time BIGINT`,
    );
    await database.query('INSERT INTO _strata_migrations (version) VALUES (NULL)');
    await expectRefused(database, 'HISTORY_CORRUPT', ['_strata_migrations']);
    const statusError = await catchError(new Migrator({ db: database.handle, migrations: MIGRATIONS }).status());
    expect(isStrataError(statusError, 'HISTORY_CORRUPT'), String(statusError)).toBe(true);

    await database.query('DELETE FROM _strata_migrations WHERE version IS NULL');
    await database.query(
      `INSERT INTO _strata_migrations (version, description, success, checksum, execution_time) VALUES (2, 'b', ${s.bool(true)}, NULL, 0)`,
    );
    await expectRefused(database, 'HISTORY_CORRUPT', ['_strata_migrations', 'checksum'], '2');

    if (database.dialect === 'sqlite') {
      // SQLite's type affinity lets text into a BIGINT column.
      await database.query('DELETE FROM _strata_migrations WHERE version = 2');
      await database.query(
        `INSERT INTO _strata_migrations (version, description, success, checksum, execution_time) VALUES ('two', 'b', 'yes', 'not bytes', 'slow')`,
      );
      await expectRefused(database, 'HISTORY_CORRUPT', ['two']);
    }
  });

  it('a version in history that is not in the source and newer than all of it: MIGRATION_FUTURE naming it; dirty: MIGRATION_DIRTY, which resolve clears', async () => {
    const { database, s } = await setup();
    await handMadeHistory(
      database,
      `version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on ${s.timestamp} NOT NULL DEFAULT ${s.now},
       success BOOLEAN NOT NULL, checksum ${s.blob} NOT NULL, execution_time BIGINT NOT NULL`,
    );
    await database.query(
      `INSERT INTO _strata_migrations (version, description, success, checksum, execution_time) VALUES (20990101000000, 'from another branch', ${s.bool(true)}, ${s.bytes('00'.repeat(48))}, 0)`,
    );
    await expectRefused(database, 'MIGRATION_FUTURE', ['20990101000000', 'the newest is 3'], '20990101000000');

    await database.query(`UPDATE _strata_migrations SET success = ${s.bool(false)} WHERE version = 20990101000000`);
    await expectRefused(database, 'MIGRATION_DIRTY', ['20990101000000', 'strata resolve 20990101000000']);
    const migrator = new Migrator({ db: database.handle, migrations: MIGRATIONS });
    expect((await migrator.status()).map((line) => [String(line.version), line.state])).toEqual([
      ['1', 'applied'],
      ['2', 'pending'],
      ['3', 'pending'],
      ['20990101000000', 'dirty'],
    ]);
    await migrator.resolve('20990101000000', 'rolled-back');
    expect((await migrator.run()).applied.map((step) => step.version)).toEqual([2n, 3n]);
  });

  it('a dirty row: run and revert refuse with MIGRATION_DIRTY; resolving a version that is not dirty is NOT_FOUND', async () => {
    const { database, s } = await setup();
    await handMadeHistory(
      database,
      `version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on ${s.timestamp} NOT NULL DEFAULT ${s.now},
       success BOOLEAN NOT NULL, checksum ${s.blob} NOT NULL, execution_time BIGINT NOT NULL`,
    );
    await database.query(
      `INSERT INTO _strata_migrations (version, description, success, checksum, execution_time) VALUES (2, 'create b', ${s.bool(false)}, ${s.bytes(checksumHex(2))}, 0)`,
    );
    const migrator = new Migrator({ db: database.handle, migrations: MIGRATIONS });
    for (const call of [() => migrator.run(), () => migrator.revert(), () => migrator.revert({ all: true })]) {
      const error = await catchError(call());
      expect(isStrataError(error, 'MIGRATION_DIRTY'), String(error)).toBe(true);
      expect(error.message).toContain('strata resolve 2');
    }
    expect(await tables(database)).toEqual(['_strata_migrations', 'a']);

    const notDirty = await catchError(migrator.resolve(1, 'applied'));
    expect(isStrataError(notDirty, 'NOT_FOUND'), String(notDirty)).toBe(true);
    const versions = await database.query(`SELECT ${database.sql.text('version')} AS v FROM _strata_migrations ORDER BY version`);
    expect(versions).toEqual([{ v: '1' }, { v: '2' }]);
  });
});
