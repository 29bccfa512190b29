import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FOREIGN_TOOLS } from '../../src/adopt/tools/index.js';
import { isStrataError, Migrator, type StrataError, type ToolName } from '../../src/index.js';
import { execOn, FIXTURES, flywayTable, type Kind, USERS, writeFiles } from './support/foreign-histories.js';
import { type OpenedPlace, openPlace } from './support/places.js';

let opened: OpenedPlace | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

async function failure(promise: Promise<unknown>): Promise<StrataError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isStrataError(error)) throw new Error(`expected a StrataError, got ${String(error)}`);
  return error;
}

/** Every tool but SQLx (whose table is strata's own shape) on SQLite where it runs, and the PostgreSQL-only or PostgreSQL-placed ones there. */
const CASES: [ToolName, Kind][] = [
  ...(['diesel', 'knex', 'prisma', 'drizzle', 'typeorm', 'flyway', 'dbmate', 'golang-migrate'] as const).map(
    (tool): [ToolName, Kind] => [tool, 'sqlite'],
  ),
  ['node-pg-migrate', 'postgres'],
  ['prisma', 'postgres'],
  ['drizzle', 'postgres'],
  ['dbmate', 'postgres'],
];

describe.each(CASES)("strata's history table named as %s's table on %s", (tool, kind) => {
  it('is FOREIGN_HISTORY naming the tool and the exact import command, for status and run alike', async () => {
    opened = await openPlace(kind);
    await FIXTURES[tool].create(opened.place);
    await writeFiles(opened.place.dir, { 'strata/1_users.sql': USERS });
    const info = FOREIGN_TOOLS[tool];
    const migrator = new Migrator({
      db: opened.handle as never,
      migrations: join(opened.place.dir, 'strata'),
      table: info.table,
      ...(info.schema?.[kind] ? { schema: info.schema[kind] } : {}),
    });
    for (const attempt of [() => migrator.status(), () => migrator.run()]) {
      const error = await failure(attempt());
      expect(error.code).toBe('FOREIGN_HISTORY');
      expect(error.details).toMatchObject({ tool, command: `strata import --from ${tool}` });
      expect(error.message).toContain(`is ${tool}'s`);
      expect(error.message).toContain(`\`strata import --from ${tool}\``);
    }
  });
});

describe('FOREIGN_HISTORY, and what it is not', () => {
  it('a tool table under another name: the command names it with --from-table, and that import works', async () => {
    opened = await openPlace('sqlite');
    const ddl = flywayTable('sqlite').map((sql) => sql.replaceAll('flyway_schema_history', 'db_history'));
    await execOn(opened.place, ddl);
    // Flyway's columns include SQLx's (version, description, success, checksum, ...): its rows, with
    // an INT checksum, are what gives the table away.
    await execOn(opened.place, [
      `INSERT INTO db_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
       VALUES (1, '1', 'users', 'SQL', 'V1__users.sql', 42, 'me', 3, 1)`,
    ]);
    await writeFiles(opened.place.dir, { 'migrations/1_users.sql': USERS });
    const migrations = join(opened.place.dir, 'migrations');
    const misnamed = new Migrator({ db: opened.handle as never, migrations, table: 'db_history' });
    const error = await failure(misnamed.status());
    expect(error.code).toBe('FOREIGN_HISTORY');
    expect(error.details.command).toBe('strata import --from flyway --from-table db_history');
    const report = await new Migrator({ db: opened.handle as never, migrations }).importHistory({
      from: 'flyway',
      table: 'db_history',
      dryRun: true,
    });
    expect(report.table).toBe('db_history');
  });

  it('a table that is nobody’s (strata’s own, a column lost) stays HISTORY_CORRUPT', async () => {
    opened = await openPlace('sqlite');
    await execOn(opened.place, [
      'CREATE TABLE _strata_migrations (version BIGINT PRIMARY KEY, success BOOLEAN NOT NULL, checksum BLOB NOT NULL)',
    ]);
    await writeFiles(opened.place.dir, { 'migrations/1_users.sql': USERS });
    const migrator = new Migrator({ db: opened.handle as never, migrations: join(opened.place.dir, 'migrations') });
    const error = await failure(migrator.status());
    expect(error.code).toBe('HISTORY_CORRUPT');
  });
});
