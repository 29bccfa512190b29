import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/databases.js';
import { migrateFleet, sqliteFleetFiles } from '../../src/index.js';
import { FIRST_ONLY, MIGRATED, TENANT_MIGRATIONS, type TenantState } from './fleet-support.js';

const FILES = 30;

describe('migrateFleet over SQLite files', () => {
  let dir: { path: string; cleanup(): Promise<void> };
  const file = (i: number) => join(dir.path, `tenant-${String(i).padStart(2, '0')}.db`);
  /** What the migrations left in file i: its history, the columns and rows of `users`, migration 2's `audit (id)`. */
  const state = (i: number): TenantState => {
    const db = new Database(file(i), { readonly: true });
    try {
      const columns = (table: string) =>
        (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map((c) => c.name);
      const history = db.prepare('SELECT version FROM _strata_migrations WHERE success ORDER BY version').all() as {
        version: number;
      }[];
      return {
        history: history.map((row) => String(row.version)),
        userColumns: columns('users'),
        users: (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n,
        audit: columns('audit').join() === 'id',
      };
    } finally {
      db.close();
    }
  };
  const states = () => Array.from({ length: FILES }, (_, i) => state(i));

  beforeEach(async () => {
    dir = await tempDir('fleet');
    for (let i = 0; i < FILES; i++) new Database(file(i)).close();
    new Database(join(dir.path, 'notes.txt')).close();
  });
  afterEach(() => dir.cleanup());

  it('a directory or a pattern names the files; each is migrated, one broken file fails alone with continueOnError', async () => {
    const fromDirectory = await sqliteFleetFiles(dir.path);
    expect(fromDirectory).toHaveLength(FILES);
    expect(await sqliteFleetFiles(join(dir.path, 'tenant-1*.db'))).toHaveLength(10);
    const broken = new Database(file(7));
    broken.exec('CREATE TABLE audit (note text)');
    broken.close();

    const summary = await migrateFleet(fromDirectory, { migrations: TENANT_MIGRATIONS, continueOnError: true }).summary;
    expect(summary).toMatchObject({ total: FILES, done: FILES - 1, failed: 1 });
    expect(summary.results[7]!.error).toMatchObject({ code: 'MIGRATION_FAILED', details: { file: '0002_user_names.sql' } });
    expect(summary.results[7]!.error!.message).toContain('0002_user_names.sql:2');
    expect(states()).toEqual(Array.from({ length: FILES }, (_, i) => (i === 7 ? FIRST_ONLY : MIGRATED)));

    const rerun = await migrateFleet(fromDirectory, { migrations: TENANT_MIGRATIONS, continueOnError: true }).summary;
    expect(rerun).toMatchObject({ done: FILES - 1, failed: 1, steps: 0 });
    expect(state(7)).toEqual(FIRST_ONLY);
  });
});
