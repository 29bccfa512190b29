/**
 * SQLite runs in-process on the caller's handle: what guards a run there — the lock file staying
 * the one it took, a lock file that cannot be opened, another connection holding the database
 * past its busy timeout, and Ctrl-C during a long run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { type MigrationInput, Migrator } from '../../src/index.js';
import { STRATA_MAIN } from '../cli/helpers/strata.js';

const tables: MigrationInput[] = [1, 2, 3].map((n) => ({ version: n, description: `t${n}`, up: `CREATE TABLE t${n} (id int);` }));

describe('SQLite run guards', () => {
  let dir: { path: string; cleanup(): Promise<void> };
  let file: string;
  let db: Database.Database;
  beforeEach(async () => {
    dir = await tempDir('sqlite-guards');
    file = join(dir.path, 'app.db');
    db = new Database(file);
  });
  afterEach(async () => {
    if (db.open) db.close();
    await dir.cleanup();
  });

  const history = () =>
    (
      db.prepare('SELECT version, success FROM _strata_migrations ORDER BY version').all() as {
        version: number;
        success: number;
      }[]
    ).map((row) => `${row.version}${row.success ? '' : ':dirty'}`);

  it('a lock file deleted under a run stops it before its next history write (LOCK_LOST), naming the migration', async () => {
    const migrator = new Migrator({
      db,
      migrations: tables,
      onEvent: (event) => {
        if (event.type === 'step-done' && event.step.version === 1n) rmSync(`${file}.strata-lock`);
      },
    });
    await expect(migrator.run()).rejects.toMatchObject({ code: 'LOCK_LOST', details: { version: '2', dirty: false } });
    expect(history()).toEqual(['1']);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't2'").get()).toBeUndefined();
    expect(db.inTransaction).toBe(false);
  });

  it('a lock file that cannot be opened is LOCK_UNAVAILABLE, not a timeout, and nothing runs', async () => {
    mkdirSync(`${file}.strata-lock`);
    await expect(new Migrator({ db, migrations: tables }).run()).rejects.toMatchObject({ code: 'LOCK_UNAVAILABLE' });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 't%'").get()).toEqual({ n: 0 });
  });

  it('a reader holding the database past the busy timeout fails the run with LOCK_TIMEOUT saying so, not a bare "database is locked"; nothing recorded', async () => {
    db.pragma('busy_timeout = 50');
    await new Migrator({ db, migrations: tables.slice(0, 1) }).run();
    const reader = new Database(file);
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT * FROM t1').all();
      const error = await new Migrator({ db, migrations: tables.slice(0, 2) }).run().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'LOCK_TIMEOUT', details: { databaseCode: 'SQLITE_BUSY', busyTimeoutMs: 50 } });
      expect((error as Error).message).toMatch(/busy timeout/);
    } finally {
      reader.exec('ROLLBACK');
      reader.close();
    }
    expect(history()).toEqual(['1']);
    expect(db.inTransaction).toBe(false);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(50);
  });

  it('Ctrl-C during a long run stops it between migrations (exit 130), every recorded migration complete', async () => {
    db.close();
    // Each migration takes a few milliseconds of SQLite's own work: the run lasts seconds in all.
    const files: Record<string, string> = {};
    for (let n = 1; n <= 400; n++) {
      files[`migrations/${String(n).padStart(4, '0')}_m${n}.sql`] =
        `CREATE TABLE m${n} AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT x FROM c;\n`;
    }
    await writeTree(dir.path, files);
    const child = spawn(process.execPath, [STRATA_MAIN, 'run', '--database-url', `sqlite://${file}`], {
      cwd: dir.path,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // Interrupt once some migrations are applied.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if ((output.match(/applied|✓/g) ?? []).length >= 3) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    db = new Database(file);
    const recorded = history();
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.length).toBeLessThan(400);
    expect(recorded.every((entry) => !entry.endsWith(':dirty'))).toBe(true);
    // Each recorded migration's table is there, and the next one's is not.
    for (const version of recorded)
      expect(db.prepare('SELECT name FROM sqlite_master WHERE name = ?').get(`m${version}`)).toBeDefined();
    expect(db.prepare('SELECT name FROM sqlite_master WHERE name = ?').get(`m${recorded.length + 1}`)).toBeUndefined();
  }, 60_000);
});
