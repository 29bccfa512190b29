import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, pgAdminUrl, spawnNode, sqliteFile, startAll, tempDir, writeTree } from './databases.js';

async function databaseExists(name: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: pgAdminUrl() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('createPostgresDatabase', () => {
  it('gives a usable database that is gone after drop(), even with a client still connected', async () => {
    const db = await createPostgresDatabase('harness');
    expect(db.name).toMatch(/^strata_test_harness_[0-9a-f]{12}$/);

    const client = new pg.Client({ connectionString: db.url });
    // drop() kills this connection; the resulting error event must not crash the worker.
    client.on('error', () => {});
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0]?.db).toBe(db.name);
    await client.query('CREATE TABLE t (id int PRIMARY KEY)');
    await client.query('INSERT INTO t VALUES (1), (2)');
    expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 2 });

    await db.drop();
    expect(await databaseExists(db.name)).toBe(false);
    await db.drop(); // idempotent
    await client.end().catch(() => {});
  });

  it('gives distinct databases to concurrent callers', async () => {
    const dbs = await startAll(2, () => createPostgresDatabase('pair'));
    try {
      expect(dbs[0]?.name).not.toBe(dbs[1]?.name);
      expect(dbs[0]?.url).not.toBe(dbs[1]?.url);
    } finally {
      await Promise.all(dbs.map((db) => db.drop()));
    }
  });
});

describe('sqliteFile', () => {
  it('gives a writable path to a file that does not exist yet, removed by cleanup()', async () => {
    const file = await sqliteFile();
    expect(file.path.endsWith('.db')).toBe(true);
    expect(existsSync(file.path)).toBe(false);

    const db = new Database(file.path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    db.prepare('INSERT INTO t (name) VALUES (?)').run('x');
    expect(db.prepare('SELECT name FROM t').get()).toEqual({ name: 'x' });
    db.close();
    expect(existsSync(file.path)).toBe(true);

    await file.cleanup();
    expect(existsSync(file.path)).toBe(false);
  });
});

describe('tempDir and writeTree', () => {
  it('writes nested files and refuses paths outside the root', async () => {
    const dir = await tempDir('tree');
    try {
      await writeTree(dir.path, {
        'migrations/0001_init/up.sql': 'CREATE TABLE a (id int);',
        'bin.dat': Buffer.from([0, 1, 2]),
      });
      expect(await readFile(join(dir.path, 'migrations', '0001_init', 'up.sql'), 'utf8')).toBe('CREATE TABLE a (id int);');
      expect([...(await readFile(join(dir.path, 'bin.dat')))]).toEqual([0, 1, 2]);
      await expect(writeTree(dir.path, { '../escape.txt': 'x' })).rejects.toThrow(/not a path inside/);
    } finally {
      await dir.cleanup();
    }
    expect(existsSync(dir.path)).toBe(false);
  });
});

describe('spawnNode', () => {
  it('reports exit code, stdout and stderr, and passes env and input', async () => {
    const script = `
      let input = '';
      process.stdin.on('data', (c) => (input += c));
      process.stdin.on('end', () => {
        process.stdout.write('in=' + input + ' env=' + process.env.STRATA_X + ' unset=' + process.env.STRATA_TEST_PG_URL);
        process.stderr.write('oops');
        process.exit(3);
      });`;
    const result = await spawnNode(['-e', script], { env: { STRATA_X: 'y', STRATA_TEST_PG_URL: undefined }, input: 'hello' });
    expect(result).toEqual({ code: 3, signal: null, stdout: 'in=hello env=y unset=undefined', stderr: 'oops' });
  });

  it('kills a child that outlives timeoutMs', async () => {
    const result = await spawnNode(['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 });
    expect(result.code).toBeNull();
    expect(result.signal).toBe('SIGKILL');
    expect(result.stderr).toContain('killed after 300 ms');
  });
});

describe('startAll', () => {
  it('starts every call before any of them finishes, and keeps index order', async () => {
    const events: string[] = [];
    const results = await startAll(3, async (i) => {
      events.push(`start ${i}`);
      await new Promise((r) => setTimeout(r, 10 * (3 - i)));
      events.push(`end ${i}`);
      return i * 10;
    });
    expect(results).toEqual([0, 10, 20]);
    expect(events.slice(0, 3)).toEqual(['start 0', 'start 1', 'start 2']);
  });

  it('waits for all calls to settle before rejecting', async () => {
    let finished = 0;
    const run = startAll(3, async (i) => {
      await new Promise((r) => setTimeout(r, 20 * i));
      finished++;
      if (i === 0) throw new Error('boom');
      return i;
    });
    await expect(run).rejects.toThrow('boom');
    expect(finished).toBe(3);
  });
});
