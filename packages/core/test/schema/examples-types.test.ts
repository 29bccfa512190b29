import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from '../../src/index.js';
import { readDatabaseSchema, renderTypeScript } from '../../src/schema/index.js';
import { type DeclaredTypes, readDeclaredTypes, rowMismatches } from './declared-types.js';
import { EXAMPLE_CASES, EXAMPLE_ROWS, exampleMigrations } from './example-apps.js';
import { type FreshDatabase, freshDatabase, type Kind } from './fresh-database.js';
import { type CompileResult, compileStrict } from './typescript-compile.js';

/**
 * What an app beside each example would write: a typed Kysely query and a typed plain-driver query
 * per table, each row type required to be exactly the interface `strata types` declared for it.
 */
function usage(kind: Kind, tables: [table: string, row: string][]): string {
  const driver =
    kind === 'postgres'
      ? "import type pg from 'pg';\ntype Handle = pg.Pool;"
      : "import type Database from 'better-sqlite3';\ntype Handle = Database.Database;";
  const plain = (table: string, row: string) =>
    kind === 'postgres'
      ? `(await handle.query<${row}>('SELECT * FROM ${table}')).rows`
      : `handle.prepare('SELECT * FROM ${table}').all() as ${row}[]`;
  const lines = [
    "import type { Kysely } from 'kysely';",
    driver,
    `import type { DB, ${tables.map(([, row]) => row).join(', ')} } from './types.js';`,
    'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;',
    'export async function queries(db: Kysely<DB>, handle: Handle): Promise<unknown[]> {',
    '  const out: unknown[] = [];',
  ];
  for (const [index, [table, row]] of tables.entries()) {
    lines.push(
      `  const typed${index} = await db.selectFrom('${table}').selectAll().execute();`,
      `  const same${index}: Same<(typeof typed${index})[number], ${row}> = true;`,
      `  const plain${index}: ${row}[] = ${plain(table, row)};`,
      `  out.push(same${index}, typed${index}, plain${index});`,
    );
  }
  lines.push('  return out;', '}', '');
  return lines.join('\n');
}

interface Prepared {
  db: FreshDatabase;
  /** Where its files are in the one compilation: `bundled-postgres/`. */
  dir: string;
  declared: DeclaredTypes;
  /** [table, row interface] from DB. */
  tables: [string, string][];
  modelTables: string[];
}

const prepared = new Map<string, Prepared>();
let compiled: CompileResult;

// Every case's types and usage in one tsc run: one compiler start-up instead of six.
beforeAll(async () => {
  const files: Record<string, string> = {};
  for (const [example, kind] of EXAMPLE_CASES) {
    const db = await freshDatabase(kind);
    const dir = `${example}-${kind}`;
    prepared.set(dir, { db, dir, declared: { interfaces: new Map(), enums: new Map() }, tables: [], modelTables: [] });
    await new Migrator({ db: db.handle, migrations: exampleMigrations(example) }).run();
    await db.exec(EXAMPLE_ROWS[example]);
    const model = await readDatabaseSchema(db.handle);
    const source = renderTypeScript(model);
    const declared = readDeclaredTypes(source);
    // DB maps each table to its Kysely interface (`UsersTable`); the row interface drops `Table`.
    const tables = [...(declared.interfaces.get('DB') ?? new Map<string, string>())].map(([table, kysely]): [string, string] => [
      table,
      kysely.replace(/Table$/, ''),
    ]);
    prepared.set(dir, { db, dir, declared, tables, modelTables: model.tables.map((t) => t.name) });
    files[`${dir}/types.ts`] = source;
    files[`${dir}/usage.ts`] = usage(kind, tables);
  }
  compiled = await compileStrict(files);
}, 600_000);

afterAll(async () => {
  await Promise.all([...prepared.values()].map((p) => p.db.close()));
});

describe.each(EXAMPLE_CASES)('strata types for the %s example on %s', (example, kind) => {
  it('compiles with tsc --strict beside typed Kysely and driver queries, and real rows match the declared types', async () => {
    const { db, dir, declared, tables, modelTables } = prepared.get(`${example}-${kind}`)!;
    expect(tables.map(([table]) => table).sort()).toEqual([...modelTables].sort());
    expect(compiled.output.split('\n').filter((line) => line.startsWith(`${dir}/`))).toEqual([]);
    // Another case's errors are that case's failure; tsc failing without naming a file is everyone's.
    expect(compiled.code === 0 || /^[\w-]+\/(types|usage)\.ts\(/m.test(compiled.output), compiled.output).toBe(true);

    for (const [table, row] of tables) {
      const plain = await selectAll(db, table);
      // Rows with and without the nullable columns: a type that is wrong either way shows.
      expect(plain.length, `${table} has rows to check`).toBeGreaterThanOrEqual(2);
      expect(rowMismatches(plain, row, declared)).toEqual([]);
    }
    const kysely = kyselyFor(db);
    try {
      for (const [table, row] of tables) {
        const typed = (await kysely.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
        expect(rowMismatches(typed, row, declared)).toEqual([]);
      }
    } finally {
      await kysely.destroy();
    }
  });
});

async function selectAll(db: FreshDatabase, table: string): Promise<Record<string, unknown>[]> {
  if (db.kind === 'postgres') return (await (db.handle as pg.Pool).query(`SELECT * FROM ${table}`)).rows;
  return (db.handle as Database.Database).prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
}

/** Kysely on its own handle to the same database (it closes what it is given). */
function kyselyFor(db: FreshDatabase): Kysely<Record<string, Record<string, unknown>>> {
  const dialect =
    db.kind === 'postgres'
      ? new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 1 }) })
      : new SqliteDialect({ database: new Database((db.handle as Database.Database).name, { readonly: true }) });
  return new Kysely({ dialect });
}
