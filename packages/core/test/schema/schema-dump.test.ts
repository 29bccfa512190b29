import { afterEach, describe, expect, it } from 'vitest';
import { type MigrationInput, Migrator } from '../../src/index.js';
import { dumpSchema, readDatabaseSchema, renderSchema, type SchemaModel } from '../../src/schema/index.js';
import { availableExtension, type FreshDatabase, freshDatabase, type Kind } from './fresh-database.js';
import { generatedPostgresMigrations, generatedSqliteMigrations } from './generated-schema.js';

const opened: FreshDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

async function migrated(kind: Kind, migrations: (db: FreshDatabase) => Promise<MigrationInput[]>): Promise<FreshDatabase> {
  const db = await freshDatabase(kind);
  opened.push(db);
  await new Migrator({ db: db.handle, migrations: await migrations(db) }).run();
  return db;
}

function expectToContainEach(text: string, parts: string[]): void {
  for (const part of parts) expect(text).toContain(part);
}

const generated = (kind: Kind) => async (db: FreshDatabase) =>
  kind === 'postgres' ? generatedPostgresMigrations(100, await availableExtension(db.url)) : generatedSqliteMigrations(100);

describe.each(['postgres', 'sqlite'] as const)('schema dump on %s, a generated schema of 100 tables', (kind) => {
  it('is byte-identical across two fresh databases migrated from the same files, in every format', async () => {
    const [a, b] = await Promise.all([migrated(kind, generated(kind)), migrated(kind, generated(kind))]);
    for (const format of ['sql', 'json', 'mermaid'] as const) {
      const [left, right] = await Promise.all([dumpSchema(a.handle, { format }), dumpSchema(b.handle, { format })]);
      expect(left.length).toBeGreaterThan(1000);
      expect(left === right, `${format} dumps differ`).toBe(true);
    }
    // And a diff shows only real changes: one more column changes the dump.
    await b.exec('ALTER TABLE t004 ADD COLUMN extra integer');
    expect(await dumpSchema(b.handle)).not.toBe(await dumpSchema(a.handle));
  });

  it('reads every kind of object the migrations made, and leaves the history tables out unless asked', async () => {
    const db = await migrated(kind, generated(kind));
    const model = await readDatabaseSchema(db.handle);
    const tables = model.tables.map((t) => t.name);
    expect(tables).not.toContain('_strata_migrations');
    expect(model.tables.filter((t) => /^t\d{3}$/.test(t.name))).toHaveLength(100);
    const t001 = model.tables.find((t) => t.name === 't001')!;
    expect(t001.primaryKey?.columns).toEqual(['id']);
    expect(t001.foreignKeys).toMatchObject([
      { columns: ['parent_id'], references: { table: 't000', columns: ['id'] }, onDelete: 'cascade' },
    ]);
    expect(t001.uniques).toMatchObject([{ columns: ['name', 'created'] }]);
    expect(t001.checks.map((c) => c.expression).join(' ')).toMatch(/amount >= /);
    const doubled = t001.columns.find((c) => c.name === 'doubled')!;
    expect(doubled.generated).toMatchObject({ stored: true });
    expect(doubled.generated?.expression).toMatch(/amount \* /);
    expect(t001.columns.find((c) => c.name === 'name')).toMatchObject({
      nullable: false,
      default: expect.stringContaining("''"),
    });
    const partial = model.indexes.find((i) => i.name === 't001_lower_name')!;
    expect(partial.predicate).toMatch(/amount > /);
    expect(partial.keys[0]).toMatchObject({ column: null, descending: true, expression: expect.stringContaining('lower') });
    expect(model.views.map((v) => v.name)).toContain('vt001');
    expect(model.triggers.map((t) => t.name)).toContain('t005_touch');

    const withHistory = await readDatabaseSchema(db.handle, { includeHistory: true });
    expect(withHistory.tables.map((t) => t.name)).toContain('_strata_migrations');
    // A JSON round trip loses nothing: the model is plain data.
    expect(JSON.parse(renderSchema(model, 'json')) as SchemaModel).toEqual(model);
  });
});

describe('schema dump on postgres: what only PostgreSQL has', () => {
  it('types, sequences, routines, identity, arrays, partitions, materialized views and comments', async () => {
    const db = await migrated('postgres', generated('postgres'));
    const model = await readDatabaseSchema(db.handle);
    expect(model.schemas.map((s) => s.name)).toEqual(['app', 'public']);
    expect(model.extensions.map((x) => x.name)).toContain('plpgsql');
    expect(model.types.map((t) => `${t.kind} ${t.schema}.${t.name}`)).toEqual([
      'domain app.positive',
      'range app.span',
      'enum public.mood',
      'composite public.pair',
    ]);
    expect(model.types.find((t) => t.name === 'mood')).toMatchObject({ values: ['sad', 'ok', 'happy'], comment: 'how it went' });
    expect(model.sequences.find((s) => s.name === 'counter')).toMatchObject({
      type: 'integer',
      start: '5',
      increment: '2',
      cycle: true,
      ownedBy: null,
    });
    expect(model.sequences.find((s) => s.name === 't001_serial_no_seq')?.ownedBy).toEqual({
      schema: 'public',
      table: 't001',
      column: 'serial_no',
    });
    expect(model.routines.map((r) => `${r.kind} ${r.schema}.${r.name}(${r.arguments})`)).toEqual([
      'function app.double(x integer)',
      'function app.double(x numeric)',
      'procedure app.noop(IN a integer)',
      'function public.touch()',
    ]);
    const t000 = model.tables.find((t) => t.schema === 'app' && t.name === 't000')!;
    expect(t000.comment).toBe('table number 0');
    const columns = Object.fromEntries(t000.columns.map((c) => [c.name, c]));
    expect(columns.id?.identity).toMatchObject({ generation: 'always', sequence: { type: 'bigint', start: '1' } });
    expect(columns.name).toMatchObject({ type: 'character varying(100)', collation: 'C', comment: "it's the name" });
    expect(columns.tags?.typeRef).toEqual({ schema: 'pg_catalog', name: 'text', kind: 'base', arrayDimensions: 1 });
    expect(columns.grid?.typeRef.arrayDimensions).toBe(2);
    expect(columns.feeling?.typeRef).toEqual({ schema: 'public', name: 'mood', kind: 'enum', arrayDimensions: 0 });
    expect(columns.size?.typeRef).toMatchObject({ schema: 'app', name: 'positive', kind: 'domain' });
    expect(model.indexes.find((i) => i.name === 't000_tags')?.method).toBe('gin');
    expect(model.indexes.find((i) => i.name === 't000_pkey')?.constraint).toBe('t000_pkey');
    expect(model.tables.find((t) => t.name === 'events')?.partitionBy).toBe('RANGE (at)');
    expect(model.tables.find((t) => t.name === 'events_2026')?.partitionOf).toMatchObject({ schema: 'app', table: 'events' });
    expect(model.tables.find((t) => t.name === 'scratch')?.options).toEqual(['UNLOGGED']);
    expect(model.views.filter((v) => v.materialized).map((v) => `${v.schema}.${v.name}`)).toEqual([
      'app.mt027',
      'public.mt002',
      'public.mt052',
      'public.mt077',
    ]);

    const sql = renderSchema(model, 'sql');
    expectToContainEach(sql, [
      'CREATE SCHEMA app;',
      "CREATE TYPE mood AS ENUM (\n  'sad',\n  'ok',\n  'happy'\n);",
      'CREATE DOMAIN app.positive AS integer',
      'CREATE SEQUENCE app.counter AS integer START WITH 5 INCREMENT BY 2',
      'CREATE OR REPLACE PROCEDURE app.noop(IN a integer)',
      'CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES',
      'CREATE UNLOGGED TABLE scratch (',
      'CREATE MATERIALIZED VIEW mt002 AS',
      'CREATE INDEX t000_tags ON app.t000 USING gin (tags);',
      'CREATE TRIGGER t005_touch BEFORE INSERT OR UPDATE ON public.t005',
      "COMMENT ON COLUMN app.t000.name IS 'it''s the name';",
      'ALTER SEQUENCE t001_serial_no_seq OWNED BY t001.serial_no;',
    ]);
    expect(sql).not.toContain('t000_pkey ON');
  });
});

describe('schema dump on sqlite: what the pragmas leave out comes from the stored text', () => {
  it('STRICT, WITHOUT ROWID, collations, virtual generated columns and named checks', async () => {
    const db = await migrated('sqlite', generated('sqlite'));
    const model = await readDatabaseSchema(db.handle);
    expect(model.tables.find((t) => t.name === 't000')?.options).toEqual(['STRICT']);
    expect(model.tables.find((t) => t.name === 't000_kv')?.options).toEqual(['WITHOUT ROWID']);
    const t001 = model.tables.find((t) => t.name === 't001')!;
    expect(t001.columns.find((c) => c.name === 'name')).toMatchObject({ collation: 'NOCASE', type: 'TEXT' });
    expect(t001.columns.find((c) => c.name === 'lowered')?.generated).toEqual({ expression: 'lower(name)', stored: false });
    expect(t001.columns.find((c) => c.name === 'created')?.default).toBe("(datetime('now'))");
    expect(t001.checks).toEqual([
      { name: null, expression: '(amount >= 0)' },
      { name: 't001_positive', expression: '(id > 0)' },
    ]);
    expect(model.tables.map((t) => t.name)).not.toContain('sqlite_sequence');
  });

  it('AUTOINCREMENT, constraint names and DEFERRABLE foreign keys, in the model and the SQL', async () => {
    const db = await migrated('sqlite', generated('sqlite'));
    const model = await readDatabaseSchema(db.handle);
    const table = (name: string) => model.tables.find((t) => t.name === name)!;
    expect(table('t001').primaryKey).toEqual({ name: null, columns: ['id'], autoincrement: true });
    expect(table('t001').uniques).toEqual([{ name: 't001_name_unique', columns: ['name', 'created'], nullsNotDistinct: false }]);
    expect(table('t001').foreignKeys).toMatchObject([
      { name: 't001_parent', columns: ['parent_id'], deferrable: true, initiallyDeferred: true, onDelete: 'cascade' },
    ]);
    expect(table('t002').foreignKeys).toMatchObject([{ name: null, deferrable: false, initiallyDeferred: false }]);
    expect(table('t009_kv').primaryKey).toEqual({ name: 't009_kv_key', columns: ['k'], autoincrement: false });
    expect(table('t009_kv').foreignKeys).toMatchObject([
      { name: 't009 owner', columns: ['owner'], references: { table: 't009', columns: ['id'] }, deferrable: true },
    ]);
    expect(table('t009_kv').foreignKeys[0]?.initiallyDeferred).toBe(false);

    const sql = renderSchema(model, 'sql');
    expectToContainEach(sql, [
      'CREATE TABLE t001 (\n  id INTEGER NOT NULL,',
      '  PRIMARY KEY (id AUTOINCREMENT),\n  CONSTRAINT t001_name_unique UNIQUE (name, created),',
      '  CONSTRAINT t001_parent FOREIGN KEY (parent_id) REFERENCES t000 (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED\n',
      '  CONSTRAINT t009_kv_key PRIMARY KEY (k),',
      '  CONSTRAINT "t009 owner" FOREIGN KEY (owner) REFERENCES t009 (id) DEFERRABLE\n',
    ]);
    // The dump's table statements load back into SQLite with the same meaning: AUTOINCREMENT keeps rowids from coming back.
    const tables = sql.split('\n\n').filter((statement) => /^CREATE TABLE t00[01] /.test(statement));
    const copy = await freshDatabase('sqlite');
    opened.push(copy);
    await copy.exec(tables.join('\n'));
    const reread = await readDatabaseSchema(copy.handle);
    expect(reread.tables.map((t) => [t.name, t.primaryKey, t.foreignKeys])).toEqual(
      ['t000', 't001'].map((name) => [name, table(name).primaryKey, table(name).foreignKeys]),
    );
  });
});
