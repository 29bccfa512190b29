import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isStrataError, Migrator, type StrataError } from '../../src/index.js';
import {
  execOn,
  FIXTURES,
  flywayTable,
  insertFlywayRow,
  insertPrismaRow,
  type Kind,
  type Place,
  POSTS,
  rowsOn,
  setGolangMigrateVersion,
  TAGS,
  USERS,
  writeFiles,
} from './support/foreign-histories.js';
import { type OpenedPlace, openPlace } from './support/places.js';

let opened: OpenedPlace | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

async function prepared(kind: Kind, tool: keyof typeof FIXTURES): Promise<{ place: Place; migrator: Migrator }> {
  opened = await openPlace(kind);
  const fixture = FIXTURES[tool];
  await fixture.create(opened.place);
  await writeFiles(opened.place.dir, { ...fixture.strataFiles, [fixture.next.file]: fixture.next.content });
  return {
    place: opened.place,
    migrator: new Migrator({ db: opened.handle as never, migrations: join(opened.place.dir, fixture.source) }),
  };
}

async function refusal(promise: Promise<unknown>): Promise<StrataError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isStrataError(error)) throw new Error(`expected a StrataError, got ${String(error)}`);
  return error;
}

/** strata's history holds nothing: the refusal came before any write. */
async function nothingRecorded(place: Place): Promise<void> {
  const present = await rowsOn(
    place,
    place.kind === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE name = '_strata_migrations'"
      : place.kind === 'mysql'
        ? "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_strata_migrations'"
        : "SELECT to_regclass('_strata_migrations') AS name",
  );
  if (present.length > 0 && present[0]!.name !== null) {
    expect(await rowsOn(place, 'SELECT version FROM _strata_migrations')).toEqual([]);
  }
}

describe('import refuses while the foreign history holds a failed or unfinished entry (FOREIGN_HISTORY_DIRTY)', () => {
  it.each(['sqlite', 'postgres'] as const)(
    'golang-migrate dirty on %s: refused, dry run too, naming `migrate force`',
    async (kind) => {
      const { place, migrator } = await prepared(kind, 'golang-migrate');
      await setGolangMigrateVersion(place, 2, true);
      for (const dryRun of [true, false]) {
        const error = await refusal(migrator.importHistory({ from: 'golang-migrate', dryRun }));
        expect(error.code).toBe('FOREIGN_HISTORY_DIRTY');
        expect(error.message).toContain('2 (dirty: this migration failed part-way)');
        expect(error.message).toContain('force V');
        expect(error.details.failed).toEqual(['2']);
      }
      await nothingRecorded(place);
      // Once golang-migrate is told the truth (`migrate force 2`), the import goes through.
      await setGolangMigrateVersion(place, 2, false);
      expect((await migrator.importHistory({ from: 'golang-migrate' })).recorded.map((m) => String(m.version))).toEqual([
        '1',
        '2',
      ]);
    },
  );

  it('flyway success = false, naming `flyway repair`', async () => {
    const { place, migrator } = await prepared('sqlite', 'flyway');
    await insertFlywayRow(place, { rank: 3, version: '3', description: 'tags', script: 'V3__tags.sql', success: false });
    const error = await refusal(migrator.importHistory({ from: 'flyway' }));
    expect(error.code).toBe('FOREIGN_HISTORY_DIRTY');
    expect(error.message).toContain('3 V3__tags.sql (success = false)');
    expect(error.message).toContain('flyway repair');
    await nothingRecorded(place);
  });

  it.each(['sqlite', 'mysql'] as const)('sqlx success = false on %s', async (kind) => {
    const { place, migrator } = await prepared(kind, 'sqlx');
    await execOn(place, ['UPDATE _sqlx_migrations SET success = FALSE WHERE version = 20260601000002']);
    const error = await refusal(migrator.importHistory({ from: 'sqlx' }));
    expect(error.code).toBe('FOREIGN_HISTORY_DIRTY');
    expect(error.details.failed).toEqual(['20260601000002']);
    await nothingRecorded(place);
  });

  it.each(['sqlite', 'mysql'] as const)('a knex lock left taken on %s, naming `knex migrate:unlock`', async (kind) => {
    const { place, migrator } = await prepared(kind, 'knex');
    await execOn(place, ['UPDATE knex_migrations_lock SET is_locked = 1']);
    const error = await refusal(migrator.importHistory({ from: 'knex' }));
    expect(error.code).toBe('FOREIGN_HISTORY_DIRTY');
    expect(error.message).toContain('migrate:unlock');
    await nothingRecorded(place);
  });

  it('prisma: an unfinished row is refused; once resolved as rolled back it is only reported as ignored', async () => {
    const { place, migrator } = await prepared('postgres', 'prisma');
    await insertPrismaRow(place, '20260601000003_tags', TAGS, 'failed');
    const error = await refusal(migrator.importHistory({ from: 'prisma' }));
    expect(error.code).toBe('FOREIGN_HISTORY_DIRTY');
    expect(error.message).toContain('20260601000003_tags (started and not finished (failed))');
    expect(error.message).toContain('prisma migrate resolve');
    await nothingRecorded(place);

    // What `prisma migrate resolve --rolled-back 20260601000003_tags` does to the row.
    await execOn(place, ["UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '20260601000003_tags'"]);
    const report = await migrator.importHistory({ from: 'prisma' });
    expect(report.recorded.map((m) => String(m.version))).toEqual(['20260601000001', '20260601000002']);
    expect(report.ignored).toEqual([{ key: '20260601000003_tags', reason: 'marked rolled back' }]);
    expect((await migrator.run()).applied.map((s) => String(s.version))).toEqual(['20260601000003']);
  });
});

describe('import reports what does not match, on either side', () => {
  it('flyway: a version strata lacks, a dotted version, a repeatable; a strata migration flyway never applied; a BASELINE covers older ones', async () => {
    opened = await openPlace('sqlite');
    const place = opened.place;
    await execOn(place, [USERS, POSTS, ...flywayTable('sqlite')]);
    const rows = [
      { version: '2', description: '<< Flyway Baseline >>', type: 'BASELINE', script: '<< Flyway Baseline >>' },
      { version: '2.1', description: 'tweak', script: 'V2_1__tweak.sql' },
      { version: '4', description: 'tags', script: 'V4__tags.sql' },
      { version: '5', description: 'later', script: 'V5__later.sql' },
      { version: null, description: 'views', script: 'R__views.sql' },
    ];
    for (const [index, row] of rows.entries()) await insertFlywayRow(place, { rank: index + 1, success: true, ...row });
    await writeFiles(place.dir, {
      'migrations/1_users.sql': USERS,
      'migrations/2_posts.sql': POSTS,
      'migrations/3_comments.sql': 'CREATE TABLE comments (id INTEGER PRIMARY KEY);\n',
      'migrations/4_tags.sql': TAGS,
    });
    const migrator = new Migrator({ db: opened.handle as never, migrations: join(place.dir, 'migrations') });
    const report = await migrator.importHistory({ from: 'flyway' });
    expect(report.matched.map((m) => [m.key, String(m.version)])).toEqual([
      ['2 << Flyway Baseline >>', '1'],
      ['2 << Flyway Baseline >>', '2'],
      ['4 V4__tags.sql', '4'],
    ]);
    expect(report.unmatchedForeign).toEqual([
      { key: '2.1 V2_1__tweak.sql', reason: 'version 2.1 is not an integer; rename the file with one' },
      { key: '5 V5__later.sql', reason: 'no strata migration has version 5' },
    ]);
    expect(report.unmatchedSource.map((m) => String(m.version))).toEqual(['3']);
    expect(report.ignored).toEqual([{ key: 'R__views.sql', reason: 'repeatable migration: strata has none' }]);
    expect(report.recorded.map((m) => String(m.version))).toEqual(['1', '2', '4']);
  });

  it('drizzle: a file changed since drizzle applied it matches nothing (drizzle knows files only by hash)', async () => {
    const { place, migrator } = await prepared('sqlite', 'drizzle');
    await writeFile(join(place.dir, 'drizzle/0001_posts.sql'), `-- edited\n${POSTS}`);
    const report = await migrator.importHistory({ from: 'drizzle', dryRun: true });
    expect(report.planned.map((m) => String(m.version))).toEqual(['0']);
    expect(report.unmatchedForeign).toHaveLength(1);
    expect(report.unmatchedForeign[0]!.reason).toContain('no strata migration file has this SHA-256');
  });

  it('sqlx: a file changed since SQLx applied it is matched by version and reported modified', async () => {
    const { place, migrator } = await prepared('sqlite', 'sqlx');
    await writeFile(join(place.dir, 'migrations/20260601000002_posts.sql'), `-- edited\n${POSTS}`);
    const report = await migrator.importHistory({ from: 'sqlx', dryRun: true });
    expect(report.planned.map((m) => String(m.version))).toEqual(['20260601000001', '20260601000002']);
    expect(report.modified.map((note) => note.key)).toEqual(['20260601000002']);
  });
});

describe('import refuses what cannot be meant', () => {
  it('dbmate named for golang-migrate’s table (both are schema_migrations): told apart by columns', async () => {
    const { migrator } = await prepared('sqlite', 'golang-migrate');
    const error = await refusal(migrator.importHistory({ from: 'dbmate' }));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain('use --from golang-migrate');
  });

  it('the other way round too', async () => {
    const { migrator } = await prepared('sqlite', 'dbmate');
    const error = await refusal(migrator.importHistory({ from: 'golang-migrate' }));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain('use --from dbmate');
  });

  it('no such table; an unknown tool; a tool that does not run on the database; strata’s own table as the source', async () => {
    opened = await openPlace('sqlite');
    await writeFiles(opened.place.dir, { 'migrations/1_users.sql': USERS });
    const migrations = join(opened.place.dir, 'migrations');
    const migrator = new Migrator({ db: opened.handle as never, migrations });
    const missing = await refusal(migrator.importHistory({ from: 'knex' }));
    expect([missing.code, missing.message]).toEqual(['NOT_FOUND', expect.stringContaining('there is no table knex_migrations')]);
    expect((await refusal(migrator.importHistory({ from: 'liquibase' as never }))).code).toBe('INVALID_OPTIONS');
    const pgOnly = await refusal(migrator.importHistory({ from: 'node-pg-migrate' }));
    expect([pgOnly.code, pgOnly.message]).toEqual(['UNSUPPORTED_DATABASE', expect.stringContaining('postgres only')]);
    const same = new Migrator({ db: opened.handle as never, migrations, table: 'knex_migrations' });
    const error = await refusal(same.importHistory({ from: 'knex' }));
    expect([error.code, error.message]).toEqual(['INVALID_OPTIONS', expect.stringContaining('the very table to import from')]);
  });

  it('on MySQL, a tool whose history strata does not read there yet is refused before anything is written', async () => {
    const { place, migrator } = await prepared('mysql', 'knex');
    const error = await refusal(migrator.importHistory({ from: 'typeorm' }));
    expect([error.code, error.message]).toEqual(['UNSUPPORTED_DATABASE', expect.stringContaining('not on MySQL')]);
    await nothingRecorded(place);
  });
});
