import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Migrator } from '../../src/index.js';
import { dumpSchema } from '../../src/schema/index.js';
import { type FreshDatabase, freshDatabase } from './fresh-database.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));

/** Each example app's migrations, on the database it runs with (bundled is SQLite, as its app). */
const CASES = [
  ['express-sqlite', 'sqlite'],
  ['bundled', 'sqlite'],
  ['express-postgres', 'postgres'],
  ['nest-postgres', 'postgres'],
] as const;

const opened: FreshDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

describe.each(CASES)('the %s example migrations', (example, kind) => {
  it(`dump the same bytes from two fresh ${kind} databases, in every format`, async () => {
    const migrations = `${EXAMPLES}${example}/migrations`;
    const dbs = await Promise.all([freshDatabase(kind), freshDatabase(kind)]);
    opened.push(...dbs);
    for (const db of dbs) await new Migrator({ db: db.handle, migrations }).run();
    for (const format of ['sql', 'json', 'mermaid'] as const) {
      const [a, b] = await Promise.all(dbs.map((db) => dumpSchema(db.handle, { format })));
      expect(a).toContain('users');
      expect(a === b, `${example} ${format}`).toBe(true);
    }
  });
});
