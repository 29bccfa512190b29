import { afterEach, describe, expect, it } from 'vitest';
import { Migrator } from '../../src/index.js';
import { detectDrift, dumpSchema } from '../../src/schema/index.js';
import { EXAMPLE_CASES, exampleMigrations } from './example-apps.js';
import { type FreshDatabase, freshDatabase } from './fresh-database.js';

const opened: FreshDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

describe.each(EXAMPLE_CASES)('the %s example migrations', (example, kind) => {
  it(`dump the same bytes from two fresh ${kind} databases, in every format`, async () => {
    const migrations = exampleMigrations(example);
    const dbs = await Promise.all([freshDatabase(kind), freshDatabase(kind)]);
    opened.push(...dbs);
    for (const db of dbs) await new Migrator({ db: db.handle, migrations }).run();
    for (const format of ['sql', 'json', 'mermaid'] as const) {
      const [a, b] = await Promise.all(dbs.map((db) => dumpSchema(db.handle, { format })));
      expect(a).toContain('users');
      expect(a === b, `${example} ${format}`).toBe(true);
    }
  });

  it(`on ${kind}: validate --drift reports nothing on a migrated database, and a hand-made ALTER TABLE`, async () => {
    const migrations = exampleMigrations(example);
    const db = await freshDatabase(kind);
    opened.push(db);
    await new Migrator({ db: db.handle, migrations }).run();
    expect(await detectDrift(db.handle, { migrations })).toMatchObject({ drift: false, differences: [] });
    await db.exec('ALTER TABLE users ADD COLUMN nickname TEXT');
    const drifted = await detectDrift(db.handle, { migrations });
    expect(drifted.drift).toBe(true);
    const schema = kind === 'postgres' ? 'public' : 'main';
    expect(drifted.differences).toEqual([
      { kind: 'table', name: `${schema}.users`, change: 'changed', details: ['columns[nickname]: extra'] },
    ]);
  });
});
