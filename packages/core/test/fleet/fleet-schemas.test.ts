import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import { migrateFleet, targetsFromQuery } from '../../src/index.js';
import { countingPg, FIRST_ONLY, MIGRATED, pgTenantStates, query, TENANT_MIGRATIONS, UNTOUCHED } from './fleet-support.js';

const SCHEMAS = 60;
const CONCURRENCY = 4;
const TENANTS_SQL = "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY nspname";

/** Schema per tenant: 60 schemas of one database, each with its own history, migrated over shared connections. */
// A guard against a hang, not a measure: 60 tenants on a shared 2-core machine can take a while.
describe('migrateFleet over tenant schemas (PostgreSQL)', { timeout: 180_000 }, () => {
  let db: { url: string; drop(): Promise<void> };
  const schema = (i: number) => `tenant_${String(i).padStart(2, '0')}`;
  const everySchema = () => Array.from({ length: SCHEMAS }, (_, i) => ({ url: db.url, schema: schema(i) }));
  const states = () => pgTenantStates(everySchema());

  beforeAll(async () => {
    db = await createPostgresDatabase('schemas');
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    const statements = Array.from(
      { length: SCHEMAS },
      (_, i) => `DROP SCHEMA IF EXISTS ${schema(i)} CASCADE; CREATE SCHEMA ${schema(i)};`,
    );
    await query(db.url, statements.join('\n'));
  });

  it('migrates each schema with search_path set to it, its own history table, and no more sessions than workers', async () => {
    const { targets, concurrency } = await targetsFromQuery(db.url, TENANTS_SQL, { perSchema: true });
    expect(targets).toHaveLength(SCHEMAS);
    expect(concurrency).toBeGreaterThanOrEqual(1);
    const counter = countingPg();
    const summary = await migrateFleet(targets, {
      migrations: TENANT_MIGRATIONS,
      concurrency: CONCURRENCY,
      drivers: counter.drivers,
    }).summary;
    expect(summary).toMatchObject({ done: SCHEMAS, failed: 0, steps: SCHEMAS * 2 });
    // Schemas of one database share a worker's session: one connection per worker, not per schema.
    expect(counter.connects()).toBe(CONCURRENCY);
    expect(counter.peak()).toBeLessThanOrEqual(CONCURRENCY);
    const tables = await query<{ schema: string; table: string }>(
      db.url,
      "SELECT table_schema AS schema, table_name AS table FROM information_schema.tables WHERE table_schema LIKE 'tenant%' ORDER BY 1, 2",
    );
    for (let i = 0; i < SCHEMAS; i++) {
      expect(tables.filter((row) => row.schema === schema(i)).map((row) => row.table)).toEqual([
        '_strata_migrations',
        '_strata_migrations_lease',
        'audit',
        'users',
      ]);
    }
    expect(await states()).toEqual(Array(SCHEMAS).fill(MIGRATED));
    expect(
      await query(db.url, "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'users'"),
    ).toEqual([]);

    const again = await migrateFleet(targets, { migrations: TENANT_MIGRATIONS, concurrency: CONCURRENCY }).summary;
    expect(again).toMatchObject({ done: SCHEMAS, steps: 0 });
  });

  it('one broken schema: the default stops new ones, --continue-on-error does the rest, a re-run completes', async () => {
    await query(db.url, `CREATE TABLE ${schema(0)}.audit (note text)`);
    const targets = everySchema();
    const stopped = await migrateFleet(targets, { migrations: TENANT_MIGRATIONS, concurrency: 2 }).summary;
    expect(stopped.results[0]).toMatchObject({
      outcome: 'failed',
      schema: schema(0),
      error: { code: 'MIGRATION_FAILED', details: { file: '0002_user_names.sql', line: 2 } },
    });
    expect(stopped.results[0]!.error!.message).toContain('0002_user_names.sql:2');
    // The broken schema is the first target; the other worker may finish a few before its failure
    // is known, and then no new one starts: most of the fleet is never touched.
    expect(stopped.notStarted).toBeGreaterThanOrEqual(SCHEMAS / 2);
    expect(stopped).toMatchObject({ failed: 1, done: SCHEMAS - 1 - stopped.notStarted, stoppedBy: 'stopped-after-failure' });
    const expected = { done: MIGRATED, failed: FIRST_ONLY, 'not-started': UNTOUCHED };
    expect(await states()).toEqual(stopped.results.map((result) => expected[result.outcome]));

    const rest = await migrateFleet(targets, {
      migrations: TENANT_MIGRATIONS,
      concurrency: CONCURRENCY,
      continueOnError: true,
    }).summary;
    expect(rest).toMatchObject({ done: SCHEMAS - 1, failed: 1 });
    expect(await states()).toEqual([FIRST_ONLY, ...Array(SCHEMAS - 1).fill(MIGRATED)]);

    await query(db.url, `DROP TABLE ${schema(0)}.audit`);
    const rerun = await migrateFleet(targets, { migrations: TENANT_MIGRATIONS, concurrency: CONCURRENCY }).summary;
    expect(rerun).toMatchObject({ done: SCHEMAS, failed: 0, steps: 1 });
    expect(await states()).toEqual(Array(SCHEMAS).fill(MIGRATED));
  });
});
