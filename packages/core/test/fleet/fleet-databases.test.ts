import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../../../test-support/throwaway-postgres.js';
import { type FleetSummary, migrateFleet } from '../../src/index.js';
import {
  countingPg,
  createTenantDatabases,
  dropTenantDatabases,
  FIRST_ONLY,
  forEach,
  MIGRATED,
  pgTenantStates,
  query,
  TENANT_MIGRATIONS,
  type TenantDatabase,
  UNTOUCHED,
} from './fleet-support.js';

const TENANTS = 60;
const CONCURRENCY = 4;

/** A database-per-tenant fleet on a real PostgreSQL server of its own: 60 databases, one of which can be made to fail. */
// A guard against a hang, not a measure: 60 tenants on a shared 2-core machine can take a while.
describe('migrateFleet over tenant databases (PostgreSQL)', { timeout: 180_000 }, () => {
  let tenants: TenantDatabase[] = [];
  const urls = () => tenants.map((tenant) => tenant.url);
  /** Tenant 2 already has a table `audit` (made by hand): its migration 2 fails at its second statement. */
  const BROKEN = 1;
  const breakTenant = () => query(tenants[BROKEN]!.url, 'CREATE TABLE audit (note text)');
  const fixTenant = () => query(tenants[BROKEN]!.url, 'DROP TABLE audit');
  /** How a report names a tenant: its URL, any password redacted. */
  const label = (i: number) => tenants[i]!.url.replace(/:[^:@/]*@/, ':***@');
  const states = () => pgTenantStates(urls().map((url) => ({ url })));
  const reset = () => forEach(urls(), (url) => query(url, 'DROP TABLE IF EXISTS users, audit, _strata_migrations'));
  const run = (options: Partial<Parameters<typeof migrateFleet>[1]> = {}) => {
    const counter = countingPg();
    const fleet = migrateFleet(urls(), {
      migrations: TENANT_MIGRATIONS,
      concurrency: CONCURRENCY,
      drivers: counter.drivers,
      ...options,
    });
    return { fleet, counter };
  };

  let server: ThrowawayPostgres | undefined;
  beforeAll(async () => {
    // Sixty databases on a server of their own: see createTenantDatabases.
    server = await startThrowawayPostgres({ prefix: 'strata-fleet-' });
    tenants = await createTenantDatabases('fleet', TENANTS, server);
  });
  afterAll(async () => {
    await dropTenantDatabases(tenants);
    tenants = [];
    await server?.stop();
  });
  beforeEach(reset);

  it('migrates every tenant with at most `concurrency` sessions open, then finds all up to date at one connection each', async () => {
    const first = run();
    const results = [];
    for await (const result of first.fleet) results.push(result);
    const summary = await first.fleet.summary;
    expect(summary).toMatchObject({ total: TENANTS, done: TENANTS, failed: 0, notStarted: 0, steps: TENANTS * 2 });
    expect(results).toHaveLength(TENANTS);
    expect(first.counter.peak()).toBeLessThanOrEqual(CONCURRENCY);
    expect(first.counter.peak()).toBeGreaterThan(1);
    expect(first.counter.open()).toBe(0);
    expect(await states()).toEqual(Array(TENANTS).fill(MIGRATED));

    const again = run();
    const second = await again.fleet.summary;
    expect(second).toMatchObject({ done: TENANTS, steps: 0 });
    expect(second.results.every((result) => result.report?.lockTaken === false)).toBe(true);
    expect(again.counter.connects()).toBe(TENANTS);
  });

  it('stops starting targets after a failure by default; those started finish; a re-run does only what is left', async () => {
    await breakTenant();
    const { fleet } = run({ concurrency: 2 });
    const summary: FleetSummary = await fleet.summary;
    const failed = summary.results.filter((result) => result.outcome === 'failed');
    expect(failed.map((result) => result.index)).toEqual([BROKEN]);
    expect(failed[0]!.error).toMatchObject({ code: 'MIGRATION_FAILED', details: { file: '0002_user_names.sql', line: 2 } });
    expect(failed[0]!.error!.message).toContain('0002_user_names.sql:2');
    expect(failed[0]!.target).toBe(label(BROKEN));
    expect(summary.stoppedBy).toBe('stopped-after-failure');
    // The other worker may finish a few targets before the failure is known; then none starts.
    expect(summary.notStarted).toBeGreaterThan(TENANTS - 5);
    expect(summary.results.slice(-summary.notStarted).every((result) => result.outcome === 'not-started')).toBe(true);
    // Each target is all or nothing at a migration's boundary: done ones fully, unstarted ones
    // untouched, the failed one keeps migration 1 and none of migration 2's first statement.
    const expected = { done: MIGRATED, failed: FIRST_ONLY, 'not-started': UNTOUCHED };
    expect(await states()).toEqual(summary.results.map((result) => expected[result.outcome]));

    await fixTenant();
    const rerun = await run({ concurrency: 2 }).fleet.summary;
    expect(rerun).toMatchObject({ done: TENANTS, failed: 0 });
    expect(await states()).toEqual(Array(TENANTS).fill(MIGRATED));
    for (const result of rerun.results) {
      const before = summary.results[result.index]!;
      // What was done before costs nothing now; the rest is applied (the failed tenant kept its migration 1).
      const left = { done: 0, failed: 1, 'not-started': 2 }[before.outcome];
      expect(result.report!.applied.length).toBe(left);
    }
  });

  it('with continueOnError every other tenant is migrated, and the failing one is named', async () => {
    await breakTenant();
    const summary = await run({ continueOnError: true }).fleet.summary;
    expect(summary).toMatchObject({ done: TENANTS - 1, failed: 1, notStarted: 0, stoppedBy: undefined });
    expect(summary.results[BROKEN]!.target).toBe(label(BROKEN));
    expect(summary.results[BROKEN]!.error!.message).toContain('0002_user_names.sql:2');
    const after = await states();
    expect(after[BROKEN]).toEqual(FIRST_ONLY);
    expect(after.filter((_, i) => i !== BROKEN)).toEqual(Array(TENANTS - 1).fill(MIGRATED));
  });

  it('a failed canary stops everything before the rest', async () => {
    await breakTenant();
    const summary = await run({ canary: 3, continueOnError: true }).fleet.summary;
    expect(summary.results.slice(0, 3).map((result) => [result.canary, result.outcome])).toEqual([
      [true, 'done'],
      [true, 'failed'],
      [true, 'done'],
    ]);
    expect(
      summary.results.slice(3).every((result) => result.outcome === 'not-started' && result.reason === 'canary-failed'),
    ).toBe(true);
    expect(await states()).toEqual([MIGRATED, FIRST_ONLY, MIGRATED, ...Array(TENANTS - 3).fill(UNTOUCHED)]);
  });

  it('passing canaries let the rest go', async () => {
    const summary = await run({ canary: 3 }).fleet.summary;
    expect(summary).toMatchObject({ done: TENANTS, failed: 0 });
    expect(await states()).toEqual(Array(TENANTS).fill(MIGRATED));
  });

  it('an unreachable target fails with CONNECTION_FAILED and no password in its report', async () => {
    const unreachable = 'postgres://app:hunter2secret@127.0.0.1:1/nowhere';
    const summary = await migrateFleet([unreachable, ...urls().slice(0, 2)], {
      migrations: TENANT_MIGRATIONS,
      concurrency: 1,
      continueOnError: true,
    }).summary;
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', target: 'postgres://app:***@127.0.0.1:1/nowhere' });
    expect(summary.results[0]!.error!.code).toBe('CONNECTION_FAILED');
    expect(JSON.stringify(summary.results[0])).not.toContain('hunter2secret');
    expect(summary.done).toBe(2);
  });

  it('an abort starts no new target and leaves the rest reported as interrupted', async () => {
    const stop = new AbortController();
    let seen = 0;
    const summary = await migrateFleet(urls(), {
      migrations: TENANT_MIGRATIONS,
      concurrency: 1,
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'target-done' && ++seen === 3) stop.abort();
      },
    }).summary;
    expect(summary).toMatchObject({ done: 3, notStarted: TENANTS - 3, stoppedBy: 'aborted' });
  });
});
