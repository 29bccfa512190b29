// The 100-table schema with every kind of object: slow (two tsc runs over a large file), so in the full tier only.
import { afterEach, describe, expect, it } from 'vitest';
import { Migrator } from '../../src/index.js';
import { readDatabaseSchema, renderTypeScript } from '../../src/schema/index.js';
import { readDeclaredTypes } from './declared-types.js';
import { availableExtension, type FreshDatabase, freshDatabase } from './fresh-database.js';
import { generatedPostgresMigrations, generatedSqliteMigrations } from './generated-schema.js';
import { compileStrict } from './typescript-compile.js';

describe.each(['postgres', 'sqlite'] as const)('strata types for the generated 100-table schema on %s', (kind) => {
  let fresh: FreshDatabase | undefined;
  afterEach(async () => {
    await fresh?.close();
    fresh = undefined;
  });

  it('compiles with tsc --strict, with a typed Kysely query on a table in each schema', async () => {
    fresh = await freshDatabase(kind);
    const migrations =
      kind === 'postgres'
        ? generatedPostgresMigrations(100, await availableExtension(fresh.url))
        : generatedSqliteMigrations(100);
    await new Migrator({ db: fresh.handle, migrations }).run();
    const source = renderTypeScript(await readDatabaseSchema(fresh.handle));
    const declared = readDeclaredTypes(source);
    expect([...declared.interfaces.keys()].filter((name) => /^(App)?T\d{3}$/.test(name))).toHaveLength(100);
    const second = kind === 'postgres' ? "'app.t000'" : "'t000'";
    const usage = [
      "import type { Kysely } from 'kysely';",
      "import type { DB } from './types.js';",
      'export async function queries(db: Kysely<DB>): Promise<unknown[]> {',
      "  const first = await db.selectFrom('t001').selectAll().execute();",
      `  const second = await db.selectFrom(${second}).select(['id']).execute();`,
      '  return [first, second];',
      '}',
    ].join('\n');
    const compiled = await compileStrict({ 'types.ts': source, 'usage.ts': usage });
    expect(compiled.output).toBe('');
    expect(compiled.code).toBe(0);
  });
});
