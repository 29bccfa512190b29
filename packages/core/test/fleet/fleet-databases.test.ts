import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import { type FleetSummary, migrateFleet } from '../../src/index.js';
import { countingPg, query, TENANT_MIGRATIONS } from './fleet-support.js';

const TENANTS = 20;
const CONCURRENCY = 4;

/** A database-per-tenant fleet on the real server: 20 databases, one of which can be made to fail. */
describe('migrateFleet over tenant databases (PostgreSQL)', () => {
  let tenants: { url: string; name: string; drop(): Promise<void> }[] = [];
  const urls = () => tenants.map((tenant) => tenant.url);
  /** Tenant 2 already has a table `audit` (made by hand): its migration 2 fails at its second statement. */
  const BROKEN = 1;
  const breakTenant = () => query(tenants[BROKEN]!.url, 'CREATE TABLE audit (note text)');
  const fixTenant = () => query(tenants[BROKEN]!.url, 'DROP TABLE audit');
  const versions = async (url: string) => {
    const rows = await query<{ v: string | null }>(url, "SELECT to_regclass('_strata_migrations')::text AS v");
    if (rows[0]?.v === null) return [];
    return (await query<{ version: string }>(url, 'SELECT version FROM _strata_migrations ORDER BY version')).map((r) =>
      String(r.version),
    );
  };
  const reset = async () => {
    for (const tenant of tenants) {
      await query(tenant.url, 'DROP TABLE IF EXISTS users, audit, _strata_migrations');
    }
  };
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

  beforeAll(async () => {
    for (let i = 0; i < TENANTS; i++) tenants.push(await createPostgresDatabase(`fleet${i}`));
  });
  afterAll(async () => {
    for (const tenant of tenants) await tenant.drop();
    tenants = [];
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
    for (const url of urls()) expect(await versions(url)).toEqual(['1', '2']);

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
    expect(summary.stoppedBy).toBe('stopped-after-failure');
    expect(summary.notStarted).toBeGreaterThan(TENANTS - 5);
    // Each target is all or nothing at a migration's boundary: done ones fully, unstarted ones untouched.
    for (const result of summary.results) {
      const applied = await versions(urls()[result.index]!);
      if (result.outcome === 'done') expect(applied).toEqual(['1', '2']);
      if (result.outcome === 'not-started') expect(applied).toEqual([]);
      if (result.outcome === 'failed') expect(applied).toEqual(['1']);
    }

    await fixTenant();
    const rerun = await run({ concurrency: 2 }).fleet.summary;
    expect(rerun).toMatchObject({ done: TENANTS, failed: 0 });
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
    expect(summary.results[BROKEN]!.target).toBe(tenants[BROKEN]!.url.replace(/:[^:@/]*@/, ':***@'));
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
    for (const url of urls().slice(3)) expect(await versions(url)).toEqual([]);
  });

  it('passing canaries let the rest go', async () => {
    const summary = await run({ canary: 3 }).fleet.summary;
    expect(summary).toMatchObject({ done: TENANTS, failed: 0 });
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
