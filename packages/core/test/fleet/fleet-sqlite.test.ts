import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/databases.js';
import { migrateFleet, sqliteFleetFiles } from '../../src/index.js';
import { TENANT_MIGRATIONS } from './fleet-support.js';

const FILES = 30;

describe('migrateFleet over SQLite files', () => {
  let dir: { path: string; cleanup(): Promise<void> };
  const file = (i: number) => join(dir.path, `tenant-${String(i).padStart(2, '0')}.db`);
  const versions = (i: number) => {
    const db = new Database(file(i));
    try {
      return (db.prepare('SELECT version FROM _strata_migrations ORDER BY version').all() as { version: number }[]).map((r) =>
        String(r.version),
      );
    } finally {
      db.close();
    }
  };

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
    expect(versions(0)).toEqual(['1', '2']);
    expect(versions(7)).toEqual(['1']);

    const rerun = await migrateFleet(fromDirectory, { migrations: TENANT_MIGRATIONS, continueOnError: true }).summary;
    expect(rerun).toMatchObject({ done: FILES - 1, failed: 1, steps: 0 });
  });
});
