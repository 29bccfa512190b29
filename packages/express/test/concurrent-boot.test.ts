import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, startAll } from '../../../test-support/databases.js';
import { FIXTURE_APP, migrationsDir } from './support/helpers.js';
import { type NodeProcess, startNode } from './support/node-process.js';

const INSTANCES = 4;

let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
let dir: Awaited<ReturnType<typeof migrationsDir>>;
const apps: NodeProcess[] = [];

beforeEach(async () => {
  db = await createPostgresDatabase('express_replicas');
  dir = await migrationsDir({
    '0001_create_items.sql': 'CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);\n',
    // Slow, and with a side effect that would show up twice if two instances applied it.
    '0002_seed.sql':
      "SELECT pg_sleep(0.5);\nCREATE TABLE seed_runs (at timestamptz NOT NULL DEFAULT now());\nINSERT INTO seed_runs DEFAULT VALUES;\nINSERT INTO items (name) VALUES ('first');\n",
    '0003_add_note.sql': 'ALTER TABLE items ADD COLUMN note text;\n',
  });
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
  await db.drop();
  await dir.cleanup();
});

interface Booted {
  app: NodeProcess;
  applied: string[];
  port: number;
}

describe('several instances booting at once', () => {
  it(`${INSTANCES} processes against one database all serve, and each migration is applied exactly once`, async () => {
    const started = performance.now();
    const booted = await startAll(INSTANCES, async (): Promise<Booted> => {
      const app = startNode([FIXTURE_APP], { env: { DATABASE_URL: db.url, MIGRATIONS_DIR: dir.path } });
      apps.push(app);
      const applied = await app.waitForLine<string[]>((line) =>
        line.includes('"booted"') ? JSON.parse(line).applied : undefined,
      );
      const port = await app.waitForLine<number>((line) => (line.includes('"listening"') ? JSON.parse(line).port : undefined));
      return { app, applied, port };
    });
    const bootMs = performance.now() - started;

    for (const { port } of booted) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      const items = await fetch(`http://127.0.0.1:${port}/items`);
      expect(items.status).toBe(200);
      expect(await items.json()).toMatchObject({ count: 1 });
    }

    const everyApplied = booted.flatMap((instance) => instance.applied).sort();
    expect(everyApplied).toEqual(['1', '2', '3']);
    // Whoever migrated did it all under one lock; the others found nothing pending once they got it.
    expect(booted.filter((instance) => instance.applied.length > 0)).toHaveLength(1);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const history = await client.query('SELECT version::text AS version, success FROM _strata_migrations ORDER BY version');
      expect(history.rows).toEqual([
        { version: '1', success: true },
        { version: '2', success: true },
        { version: '3', success: true },
      ]);
      const seeds = await client.query('SELECT count(*)::int AS n FROM seed_runs');
      expect(seeds.rows[0].n).toBe(1);
      // Nothing holds the migration lock once they all serve.
      const locks = await client.query(
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = $1",
        [db.name],
      );
      expect(locks.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
    const waited = booted.filter((instance) =>
      instance.app.lines.some((line) => line.includes('waiting for the migration lock')),
    );
    console.info(
      `[measure] ${INSTANCES} processes booted (spawn to listening, 0.5 s migration) in ${bootMs.toFixed(0)} ms; ` +
        `${waited.length} of them waited for the lock`,
    );
  });
});
