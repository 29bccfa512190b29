import { afterEach, describe, expect, it } from 'vitest';
import { withAdminClient } from '../../../../test-support/databases.js';
import { type MigrationInput, Migrator } from '../../src/index.js';
import { detectDrift } from '../../src/schema/index.js';
import { availableExtension, type FreshDatabase, freshDatabase } from './fresh-database.js';
import { generatedPostgresMigrations, generatedSqliteMigrations } from './generated-schema.js';

const MIGRATIONS: MigrationInput[] = [
  { version: 1, description: 'users', up: 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);' },
  { version: 2, description: 'posts', up: 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));' },
  { version: 3, description: 'index', up: 'CREATE INDEX posts_user ON posts (user_id);' },
];

const opened: FreshDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

async function live(kind: 'postgres' | 'sqlite', target?: number): Promise<FreshDatabase> {
  const db = await freshDatabase(kind);
  opened.push(db);
  await new Migrator({ db: db.handle, migrations: MIGRATIONS }).run(target === undefined ? {} : { target });
  return db;
}

describe.each(['postgres', 'sqlite'] as const)('detectDrift on %s', (kind) => {
  it('reports nothing for a database its migrations made, and a hand-made ALTER TABLE when there is one', async () => {
    const db = await live(kind);
    const clean = await detectDrift(db.handle, { migrations: MIGRATIONS });
    expect(clean).toMatchObject({ drift: false, appliedThrough: 3n, differences: [] });

    await db.exec('ALTER TABLE users ADD COLUMN nickname TEXT');
    await db.exec('DROP INDEX posts_user');
    await db.exec('CREATE TABLE notes (id INTEGER)');
    const schema = kind === 'postgres' ? 'public' : 'main';
    const drifted = await detectDrift(db.handle, { migrations: MIGRATIONS });
    expect(drifted.drift).toBe(true);
    expect(drifted.differences).toEqual([
      { kind: 'table', name: `${schema}.notes`, change: 'extra', details: [] },
      { kind: 'table', name: `${schema}.users`, change: 'changed', details: ['columns[nickname]: extra'] },
      { kind: 'index', name: `${schema}.posts.posts_user`, change: 'missing', details: [] },
    ]);
  });

  it('replays only as far as the live history goes: a pending migration is not drift', async () => {
    const db = await live(kind, 2);
    const report = await detectDrift(db.handle, { migrations: MIGRATIONS });
    expect(report).toMatchObject({ drift: false, appliedThrough: 2n });
  });

  it('a changed column type is listed with both types', async () => {
    const db = await live(kind);
    // SQLite cannot alter a column's type: the table is rebuilt as people do.
    await db.exec(
      kind === 'postgres'
        ? 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20)'
        : 'PRAGMA foreign_keys = OFF; CREATE TABLE users_new (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL); ' +
            'INSERT INTO users_new SELECT * FROM users; DROP TABLE users; ALTER TABLE users_new RENAME TO users;',
    );
    const report = await detectDrift(db.handle, { migrations: MIGRATIONS });
    const users = report.differences.find((d) => d.name.endsWith('.users'));
    expect(users?.change).toBe('changed');
    expect(users?.details.join('\n')).toMatch(
      /columns\[name\]\.type: "(text|TEXT)" -> "(character varying\(20\)|VARCHAR\(20\))"/,
    );
  });
});

describe.each(['postgres', 'sqlite'] as const)('detectDrift on %s, the generated 100-table schema', (kind) => {
  it('reports nothing on a database its migrations made, and a hand-made ALTER TABLE on one of the tables', async () => {
    const db = await freshDatabase(kind);
    opened.push(db);
    const migrations =
      kind === 'postgres' ? generatedPostgresMigrations(100, await availableExtension(db.url)) : generatedSqliteMigrations(100);
    await new Migrator({ db: db.handle, migrations }).run();
    expect(await detectDrift(db.handle, { migrations })).toMatchObject({ drift: false, differences: [] });
    await db.exec('ALTER TABLE t043 ADD COLUMN extra INTEGER');
    const drifted = await detectDrift(db.handle, { migrations });
    expect(drifted.drift).toBe(true);
    expect(drifted.differences).toEqual([
      {
        kind: 'table',
        name: `${kind === 'postgres' ? 'public' : 'main'}.t043`,
        change: 'changed',
        details: ['columns[extra]: extra'],
      },
    ]);
  });
});

describe('detectDrift on postgres: the shadow database', () => {
  it('is created on the same server and dropped afterwards, also when a migration fails in it', async () => {
    const db = await live('postgres');
    const report = await detectDrift(db.handle, { migrations: MIGRATIONS });
    expect(report.shadow).toMatch(/^strata_shadow_[0-9a-f]{16}$/);
    expect(await databaseExists(report.shadow)).toBe(false);

    const broken = [
      ...MIGRATIONS.slice(0, 2),
      { version: 3, description: 'index', up: 'CREATE INDEX posts_user ON nowhere (x);' },
    ];
    // The replay fails in the shadow (the live history does not care about the file's content here),
    // and the error names the shadow, so the check needs no list of the server's databases (other
    // test files create shadows of their own at the same time).
    const failure = await detectDrift(db.handle, { migrations: broken }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'MIGRATION_FAILED', details: { shadow: expect.stringMatching(/^strata_shadow_/) } });
    expect(await databaseExists((failure as { details: { shadow: string } }).details.shadow)).toBe(false);
  });

  it('uses the shadow it is given (--shadow-url) and leaves it there', async () => {
    const db = await live('postgres');
    const shadow = await freshDatabase('postgres');
    opened.push(shadow);
    await db.exec('ALTER TABLE posts ADD COLUMN body text');
    const report = await detectDrift(db.handle, { migrations: MIGRATIONS, shadow: shadow.handle });
    expect(report.shadow).toBe('the given shadow database');
    expect(report.differences.map((d) => `${d.name}: ${d.details.join()}`)).toEqual(['public.posts: columns[body]: extra']);
  });
});

async function databaseExists(name: string): Promise<boolean> {
  return withAdminClient(
    async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
  );
}
