// The 100-table schema with every kind of object: slow (tsc over a large file), so in the full tier only.
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Migrator } from '../../src/index.js';
import { readDatabaseSchema, renderTypeScript } from '../../src/schema/index.js';
import { readDeclaredTypes, rowMismatches } from './declared-types.js';
import { availableExtension, type FreshDatabase, freshDatabase } from './fresh-database.js';
import {
  generatedPostgresMigrations,
  generatedPostgresRows,
  generatedSqliteMigrations,
  generatedSqliteRows,
} from './generated-schema.js';
import { compileStrict } from './typescript-compile.js';

describe.each(['postgres', 'sqlite'] as const)('strata types for the generated 100-table schema on %s', (kind) => {
  let fresh: FreshDatabase | undefined;
  afterEach(async () => {
    await fresh?.close();
    fresh = undefined;
  });

  it('compiles with tsc --strict beside typed Kysely and driver queries, and every table and view matches its rows', async () => {
    fresh = await freshDatabase(kind);
    const migrations =
      kind === 'postgres'
        ? generatedPostgresMigrations(100, await availableExtension(fresh.url))
        : generatedSqliteMigrations(100);
    await new Migrator({ db: fresh.handle, migrations }).run();
    const model = await readDatabaseSchema(fresh.handle);
    const source = renderTypeScript(model);
    const declared = readDeclaredTypes(source);
    expect([...declared.interfaces.keys()].filter((name) => /^(App)?T\d{3}$/.test(name))).toHaveLength(100);
    const second = kind === 'postgres' ? "'app.t000'" : "'t000'";
    const plain =
      kind === 'postgres'
        ? "(await new pg.Pool().query<T001>('SELECT * FROM t001')).rows"
        : "new Database(':memory:').prepare('SELECT * FROM t001').all() as T001[]";
    const usage = [
      "import type { Kysely } from 'kysely';",
      kind === 'postgres' ? "import pg from 'pg';" : "import Database from 'better-sqlite3';",
      "import type { DB, T001 } from './types.js';",
      'export async function queries(db: Kysely<DB>): Promise<unknown[]> {',
      "  const first: T001[] = await db.selectFrom('t001').selectAll().execute();",
      `  const second = await db.selectFrom(${second}).select(['id']).execute();`,
      `  const third: T001[] = ${plain};`,
      '  return [first, second, third];',
      '}',
    ].join('\n');
    const compiled = await compileStrict({ 'types.ts': source, 'usage.ts': usage });
    expect(compiled.output).toBe('');
    expect(compiled.code).toBe(0);

    await fresh.exec(kind === 'postgres' ? generatedPostgresRows(100) : generatedSqliteRows(100));
    for (const view of model.views.filter((v) => v.materialized)) {
      await fresh.exec(`REFRESH MATERIALIZED VIEW ${view.schema}.${view.name}`);
    }
    // DB names each table and view (`app.t000` outside the default schema) and its Kysely interface.
    const relations = [...(declared.interfaces.get('DB') ?? new Map<string, string>())];
    expect(relations.length).toBe(model.tables.length + model.views.length);
    const kysely = new Kysely<Record<string, Record<string, unknown>>>({
      dialect:
        kind === 'postgres'
          ? new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.url, max: 1 }) })
          : new SqliteDialect({ database: new Database((fresh.handle as Database.Database).name, { readonly: true }) }),
    });
    try {
      let rows = 0;
      for (const [relation, kyselyInterface] of relations) {
        const row = kyselyInterface.replace(/Table$/, '');
        const read = (await kysely.selectFrom(relation).selectAll().execute()) as Record<string, unknown>[];
        rows += read.length;
        expect(rowMismatches(read, row, declared), relation).toEqual([]);
        if (kind === 'postgres') {
          const direct = (await (fresh.handle as pg.Pool).query(`SELECT * FROM ${relation}`)).rows;
          expect(rowMismatches(direct, row, declared), relation).toEqual([]);
        } else {
          const direct = (fresh.handle as Database.Database).prepare(`SELECT * FROM "${relation}"`).all();
          expect(rowMismatches(direct as Record<string, unknown>[], row, declared), relation).toEqual([]);
        }
      }
      // Two rows in every table (events one), and the views see them.
      expect(rows).toBeGreaterThan(2 * 100);
    } finally {
      await kysely.destroy();
    }
  });
});
