import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { withAdminClient } from '../../../../test-support/databases.js';
import { type MigrationInput, Migrator } from '../../src/index.js';
import { checkReversible, type ReversibilityReport } from '../../src/schema/index.js';
import { type FreshDatabase, freshDatabase, type Kind } from './fresh-database.js';

const opened: FreshDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

async function database(kind: Kind): Promise<FreshDatabase> {
  const db = await freshDatabase(kind);
  opened.push(db);
  return db;
}

/** A migration as a directory would give it: files named, so findings can name them. */
function m(version: number, name: string, up: string, down?: string): MigrationInput {
  return {
    version,
    description: name,
    up,
    upFile: `${version}_${name}.up.sql`,
    ...(down !== undefined ? { down, downFile: `${version}_${name}.down.sql` } : {}),
  };
}

const USERS = m(1, 'users', 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n', 'DROP TABLE users;\n');
const POSTS = m(
  2,
  'posts',
  'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\nCREATE INDEX posts_user ON posts (user_id);\n',
  'DROP INDEX posts_user;\nDROP TABLE posts;\n',
);
const TAGS = (version: number) => m(version, 'tags', 'CREATE TABLE tags (name TEXT PRIMARY KEY);\n', 'DROP TABLE tags;\n');

const byVersion = (report: ReversibilityReport, version: number) => {
  const found = report.migrations.find((migration) => migration.version === BigInt(version));
  if (!found) throw new Error(`no result for ${version}`);
  return found;
};
const kinds = (report: ReversibilityReport, version: number) => byVersion(report, version).findings.map((f) => f.kind);

// Each PostgreSQL check creates and drops temporary databases, which a loaded shared server makes slow.
describe.each(['postgres', 'sqlite'] as const)('checkReversible on %s', { timeout: 240_000 }, (kind) => {
  const schema = kind === 'postgres' ? 'public' : 'main';

  it('clean migrations, a no-transaction one, one marked irreversible and one without a down produce no error', async () => {
    const db = await database(kind);
    const migrations = [
      USERS,
      POSTS,
      m(3, 'bio', 'ALTER TABLE users ADD COLUMN bio TEXT;\n', 'ALTER TABLE users DROP COLUMN bio;\n'),
      m(
        4,
        'index_concurrently',
        `-- no-transaction\nCREATE INDEX ${kind === 'postgres' ? 'CONCURRENTLY ' : ''}users_name ON users (name);\n`,
        `-- no-transaction\nDROP INDEX ${kind === 'postgres' ? 'CONCURRENTLY ' : ''}users_name;\n`,
      ),
      m(5, 'seed', "INSERT INTO users (id, name) VALUES (1, 'root');\n", '-- strata:irreversible: the seed row stays\n'),
      m(6, 'tags', 'CREATE TABLE tags (name TEXT PRIMARY KEY);\n'),
    ];
    const report = await checkReversible(db.handle, { migrations });
    expect(report.migrations.map((r) => [String(r.version), r.status])).toEqual([
      ['1', 'reversible'],
      ['2', 'reversible'],
      ['3', 'reversible'],
      ['4', 'reversible'],
      ['5', 'irreversible'],
      ['6', 'irreversible'],
    ]);
    expect(report.ok).toBe(true);
    expect(report.summary).toEqual({ reversible: 4, irreversible: 2, broken: 0, unchecked: 0, warnings: 1 });
    expect(byVersion(report, 6).findings).toEqual([
      expect.objectContaining({ kind: 'no-down', severity: 'warning', file: '6_tags.up.sql' }),
    ]);
    // The check ran on a shadow: the database it was given is untouched.
    expect(await new Migrator({ db: db.handle, migrations }).status()).toSatisfy((lines: { state: string }[]) =>
      lines.every((line) => line.state === 'pending'),
    );

    // requireDown is the same decision on every database: checked once, where it is cheap.
    if (kind === 'postgres') return;
    const strict = await checkReversible(db.handle, { migrations, requireDown: true });
    expect(strict.ok).toBe(false);
    expect(byVersion(strict, 6)).toMatchObject({ status: 'broken', findings: [{ kind: 'no-down', severity: 'error' }] });
  });

  it('a down with a syntax error and a down dropping a column the up never added fail, with file, line and column', async () => {
    const db = await database(kind);
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(2, 'posts', POSTS.up, 'DROP INDEX posts_user\nDROP TABLE posts;\n'),
        m(3, 'bio', 'ALTER TABLE users ADD COLUMN bio TEXT;\n', 'SELECT 1;\nALTER TABLE users DROP COLUMN biography;\n'),
        TAGS(4),
      ],
    });
    expect(report.ok).toBe(false);
    const syntax = byVersion(report, 2);
    expect(syntax.status).toBe('broken');
    expect(syntax.findings).toHaveLength(1);
    expect(syntax.findings[0]).toMatchObject({
      kind: 'down-failed',
      severity: 'error',
      file: '2_posts.down.sql',
      line: expect.any(Number),
    });
    expect(syntax.findings[0]?.message).toMatch(
      /^the down script fails: revert of migration 2 failed at 2_posts\.down\.sql:\d+:\d+: .*syntax error/,
    );
    const column = byVersion(report, 3).findings[0];
    expect(column).toMatchObject({ kind: 'down-failed', file: '3_bio.down.sql', line: 2, column: expect.any(Number) });
    expect(column?.message).toMatch(/biography/);
    if (kind === 'postgres') {
      // PostgreSQL places the error: the second statement, where the `;` is missing.
      expect(syntax.findings[0]).toMatchObject({ line: 2, column: 1, databaseCode: '42601' });
      expect(column).toMatchObject({ databaseCode: '42703' });
    }
    // The failed down was rolled back: the check goes on from the up's schema.
    expect(byVersion(report, 4).status).toBe('reversible');
    expect(report.summary).toMatchObject({ reversible: 2, broken: 2, unchecked: 0 });
  });

  it('an empty and a comment-only down are said plainly, and the up then fails again: "already exists"', async () => {
    const db = await database(kind);
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(2, 'tags', 'CREATE TABLE tags (name TEXT PRIMARY KEY);\n', ''),
        m(3, 'notes', 'CREATE TABLE notes (id INTEGER PRIMARY KEY);\n', '-- TODO: write the down\n/* later */\n'),
        m(4, 'bio', 'ALTER TABLE users ADD COLUMN bio TEXT;\n', 'ALTER TABLE users DROP COLUMN bio;\n'),
      ],
    });
    for (const [version, table] of [
      [2, 'tags'],
      [3, 'notes'],
    ] as const) {
      const result = byVersion(report, version);
      expect(result.status).toBe('broken');
      expect(result.findings.map((f) => f.kind)).toEqual(['down-empty', 'schema-differs', 'redo-failed']);
      expect(result.findings[0]?.message).toContain('is empty or only comments: reverting it undoes nothing');
      expect(result.findings[1]?.message).toBe(
        `the down leaves the schema different from before the up: table ${schema}.${table} still exists after the down`,
      );
      expect(result.findings[2]).toMatchObject({ file: `${version}_${table}.up.sql`, line: 1, column: 1 });
      expect(result.findings[2]?.message).toMatch(/already exists/);
    }
    // The shadow was rebuilt after each redo failure: the last migration is still checked.
    expect(byVersion(report, 4).status).toBe('reversible');
  });

  it('a down that runs but leaves a column or an index behind is a difference, object by object', async () => {
    const db = await database(kind);
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(
          2,
          'profile',
          'ALTER TABLE users ADD COLUMN bio TEXT;\nALTER TABLE users ADD COLUMN age INTEGER;\n',
          'ALTER TABLE users DROP COLUMN bio;\n',
        ),
        m(3, 'index', 'CREATE INDEX users_name ON users (name);\nCREATE TABLE tags (name TEXT);\n', 'DROP TABLE tags;\n'),
      ],
    });
    const column = byVersion(report, 2);
    expect(column.findings.map((f) => f.kind)).toEqual(['schema-differs', 'redo-failed']);
    expect(column.findings[0]?.message).toBe(
      `the down leaves the schema different from before the up: column ${schema}.users.age still exists after the down`,
    );
    expect(column.findings[0]?.differences).toEqual([
      { kind: 'table', name: `${schema}.users`, change: 'changed', details: ['columns[age]: extra'] },
    ]);
    const index = byVersion(report, 3);
    expect(index.findings[0]?.message).toBe(
      `the down leaves the schema different from before the up: index ${schema}.users.users_name still exists after the down`,
    );
    expect(index.findings[1]).toMatchObject({ kind: 'redo-failed', line: 1 });
  });

  it('a down that drops what its up did not create is a data-loss warning; columns back in another order a warning', async () => {
    const db = await database(kind);
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(
          2,
          'rename',
          'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
          '-- undo the rename\nALTER TABLE users DROP COLUMN full_name;\nALTER TABLE users ADD COLUMN name TEXT;\n',
        ),
        m(3, 'people', 'CREATE TABLE people (id INTEGER PRIMARY KEY, nick TEXT, email TEXT);\n', 'DROP TABLE people;\n'),
        m(4, 'no_nick', 'ALTER TABLE people DROP COLUMN nick;\n', 'ALTER TABLE people ADD COLUMN nick TEXT;\n'),
      ],
    });
    expect(report.ok).toBe(true);
    expect(byVersion(report, 2)).toMatchObject({
      status: 'reversible',
      findings: [
        {
          kind: 'data-loss',
          severity: 'warning',
          file: '2_rename.down.sql',
          line: 2,
          column: 1,
          message: 'the down drops column users.full_name, which its up did not create: reverting loses its data',
        },
      ],
    });
    expect(byVersion(report, 3).findings).toEqual([]);
    expect(byVersion(report, 4)).toMatchObject({
      status: 'reversible',
      findings: [{ kind: 'column-order', severity: 'warning' }],
    });
    expect(byVersion(report, 4).findings[0]?.differences?.[0]?.details).toEqual([
      'columns: order ["id","nick","email"] -> ["id","email","nick"]',
    ]);
  });

  it('an up that fails stops the check: what follows is not checked', async () => {
    const db = await database(kind);
    const report = await checkReversible(db.handle, {
      migrations: [USERS, m(2, 'broken', 'CREATE TABLE posts (id INTEGER PRIMARY KEY,);\n', 'DROP TABLE posts;\n'), TAGS(3)],
    });
    expect(report.migrations.map((r) => r.status)).toEqual(['reversible', 'broken', 'unchecked']);
    expect(kinds(report, 2)).toEqual(['up-failed']);
    expect(byVersion(report, 2).findings[0]).toMatchObject({ file: '2_broken.up.sql', line: 1 });
  });

  it('a no-transaction down that stops part-way: the shadow is rebuilt and the next migration still checked', async () => {
    const db = await database(kind);
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(
          2,
          'index',
          'CREATE INDEX users_name ON users (name);\n',
          '-- no-transaction\nDROP INDEX users_name;\nDROP TABLE nowhere;\n',
        ),
        TAGS(3),
      ],
    });
    expect(byVersion(report, 2)).toMatchObject({
      status: 'broken',
      findings: [{ kind: 'down-failed', file: '2_index.down.sql', line: 3, column: 1 }],
    });
    expect(byVersion(report, 3).status).toBe('reversible');
  });

  it('onlyPending: the shadow gets what the live database applied, and only the pending migrations are checked', async () => {
    const db = await database(kind);
    const brokenDown = m(2, 'posts', POSTS.up, 'DROP TABLE nowhere;\n');
    await new Migrator({ db: db.handle, migrations: [USERS, brokenDown] }).run();
    const migrations = [USERS, brokenDown, TAGS(3)];
    const report = await checkReversible(db.handle, { migrations, onlyPending: true });
    expect(report).toMatchObject({ ok: true, baseline: 2n, summary: { reversible: 1, broken: 0 } });
    expect(report.migrations.map((r) => r.version)).toEqual([3n]);
    expect((await checkReversible(db.handle, { migrations })).ok).toBe(false);
  });

  it("the examples' migrations are reversible", async () => {
    const db = await database(kind);
    const examples = kind === 'postgres' ? ['express-postgres', 'nest-postgres'] : ['express-sqlite', 'bundled', 'nest-postgres'];
    for (const example of examples) {
      const dir = fileURLToPath(new URL(`../../../../examples/${example}/migrations`, import.meta.url));
      const report = await checkReversible(db.handle, { migrations: dir });
      expect({ example, summary: report.summary }).toEqual({
        example,
        summary: { reversible: report.migrations.length, irreversible: 0, broken: 0, unchecked: 0, warnings: 0 },
      });
    }
  });
});

describe('checkReversible on postgres only', { timeout: 240_000 }, () => {
  it('CREATE INDEX CONCURRENTLY in a transactional down is refused, with its line', async () => {
    const db = await database('postgres');
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(
          2,
          'index',
          'CREATE INDEX users_name ON users (name);\n',
          '-- rebuild it\nDROP INDEX users_name;\nCREATE INDEX CONCURRENTLY users_name2 ON users (name);\n',
        ),
        TAGS(3),
      ],
    });
    expect(byVersion(report, 2)).toMatchObject({
      status: 'broken',
      findings: [{ kind: 'down-failed', errorCode: 'STATEMENT_NOT_ALLOWED_IN_TRANSACTION', file: '2_index.down.sql', line: 3 }],
    });
    expect(byVersion(report, 3).status).toBe('reversible');
  });

  it('a function, a trigger and an enum value left behind are each named', async () => {
    const db = await database('postgres');
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(
          2,
          'touch',
          'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n' +
            'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n',
          'SELECT 1;\n',
        ),
        m(3, 'mood', "CREATE TYPE mood AS ENUM ('sad', 'ok');\n", 'DROP TYPE mood;\n'),
        m(4, 'happy', "ALTER TYPE mood ADD VALUE 'happy';\n", '-- PostgreSQL cannot drop an enum value\nSELECT 1;\n'),
      ],
    });
    expect(byVersion(report, 2).findings[0]?.message).toBe(
      'the down leaves the schema different from before the up: routine public.touch() still exists after the down; trigger public.users.users_touch still exists after the down',
    );
    expect(byVersion(report, 3).status).toBe('reversible');
    expect(byVersion(report, 4).findings.map((f) => f.kind)).toEqual(['schema-differs', 'redo-failed']);
    expect(byVersion(report, 4).findings[0]?.message).toMatch(/type public\.mood differs .*happy/);
  });

  it('drops its temporary databases on every path: after a rebuild, and when the check throws', async () => {
    const db = await database('postgres');
    const before = await shadowDatabases();
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(2, 'tags', 'CREATE TABLE tags (name TEXT);\n', '-- nothing\n'),
        m(3, 'notes', 'CREATE TABLE notes (id INTEGER);\n', 'DROP TABLE notes;\n'),
      ],
    });
    expect(report.shadow).toMatch(/^strata_shadow_[0-9a-f]{16}$/);
    expect(byVersion(report, 3).status).toBe('reversible');
    await expectNoNewShadows(before);

    // The live history says 2 is applied; the source's 2 fails in the shadow: the check throws.
    await new Migrator({ db: db.handle, migrations: [USERS, POSTS] }).run();
    await expect(
      checkReversible(db.handle, {
        migrations: [USERS, m(2, 'posts', 'CREATE TABLE posts (id INTEGER PRIMARY KEY,);\n', 'DROP TABLE posts;\n')],
        onlyPending: true,
      }),
    ).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    await expectNoNewShadows(before);
  });

  it('uses the shadow it is given and keeps it: a failure that needs a new shadow stops the check there', async () => {
    const db = await database('postgres');
    const shadow = await database('postgres');
    const report = await checkReversible(db.handle, {
      migrations: [USERS, m(2, 'tags', 'CREATE TABLE tags (name TEXT);\n', ''), TAGS(3)],
      shadow: shadow.handle,
    });
    expect(report.shadow).toBe('the given shadow database');
    expect(report.migrations.map((r) => r.status)).toEqual(['reversible', 'broken', 'unchecked']);
    // Still there, holding what the check left.
    await shadow.exec('SELECT 1 FROM users');
  });

  it('sees what a down leaves in an object its up never named: a comment, an index, a function, an enum, a trigger', async () => {
    const db = await database('postgres');
    // Each down undoes its up and then changes something its up never named.
    const leaves = (version: number, table: string, extra: string) =>
      m(version, table, `CREATE TABLE ${table} (id INTEGER);\n`, `DROP TABLE ${table};\n${extra}\n`);
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(
          2,
          'bio',
          'ALTER TABLE users ADD COLUMN bio TEXT;\n',
          "ALTER TABLE users DROP COLUMN bio;\nCOMMENT ON TABLE users IS 'people';\n",
        ),
        leaves(3, 'notes', 'CREATE INDEX users_name ON users (name);'),
        leaves(4, 'pins', "CREATE FUNCTION shout() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;"),
        leaves(5, 'flags', "CREATE TYPE mood AS ENUM ('ok');"),
        leaves(
          6,
          'logs',
          'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n' +
            'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();',
        ),
        TAGS(7),
      ],
    });
    expect(report.migrations.map((r) => r.findings.map((f) => f.kind))).toEqual([
      [],
      ['schema-differs'],
      ['schema-differs'],
      ['schema-differs'],
      ['schema-differs'],
      ['schema-differs'],
      [],
    ]);
    const message = (version: number) => byVersion(report, version).findings[0]?.message ?? '';
    expect(message(2)).toMatch(/users/);
    expect(message(3)).toMatch(/users_name/);
    expect(message(4)).toMatch(/shout/);
    expect(message(5)).toMatch(/mood/);
    expect(message(6)).toMatch(/users_touch/);
  });
});

async function shadowDatabases(): Promise<Set<string>> {
  return withAdminClient(
    async (client) =>
      new Set(
        (await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'strata\\_shadow\\_%'")).rows.map(
          (row) => row.datname as string,
        ),
      ),
  );
}

/** Other test files make shadows too: one of theirs may exist for a moment, ours never stay. */
async function expectNoNewShadows(before: Set<string>): Promise<void> {
  let added: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    added = [...(await shadowDatabases())].filter((name) => !before.has(name));
    if (added.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(added).toEqual([]);
}
