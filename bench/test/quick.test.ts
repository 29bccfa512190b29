/**
 * Runs `bench/run.mjs --quick` and checks the shape of what it reports: every tool in every
 * workload it applies to, with numbers, and strata's exactly-once under contention. No timing is
 * asserted: the figures of a quick run on a shared machine mean nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
const TOOLS = [
  'strata',
  'strata-embedded',
  'strata-single-transaction',
  'raw-pg',
  'raw-sqlite',
  'knex',
  'node-pg-migrate',
  'postgrator',
  'kysely',
  'umzug',
  'drizzle',
  'dbmate',
];
const PEERS_WITH_CLI = ['strata', 'knex', 'node-pg-migrate', 'dbmate'];

interface Summary {
  median: number | null;
  min: number | null;
  max: number | null;
}
interface GrowthPoint {
  inProcessMs: Summary | null;
  roundTrips: number | null;
  lockTaken?: boolean;
  scriptMs: Summary;
  peakRssMb: Summary;
  cliMs: Summary | null;
}
interface Results {
  meta: { mode: string; partial: boolean };
  tools: Record<string, { floor: boolean; variantOf?: string; workloads?: string[]; dialects: string[] }>;
  apply: Record<'postgres' | 'sqlite', { n: number; floor: string; tools: Record<string, { ms: Summary; error?: string }> }>;
  growth: { ns: number[]; headlineN: number; tools: Record<string, { binary: boolean; byN: Record<string, GrowthPoint> }> };
  contention: {
    tools: Record<string, { singleMs: Summary; concurrentMs: Summary; exactlyOnce: boolean; allProcessesSucceeded: boolean }>;
  };
  imports: { nodeEmptyProcessMs: Summary; importMs: Record<string, Summary> };
  targets: { id: string; met: boolean | null }[];
}

/** A variant of strata runs only in the workloads it lists. */
const runsIn = (results: Results, name: string, workload: string) =>
  !results.tools[name]!.variantOf || (results.tools[name]!.workloads ?? []).includes(workload);

const isTime = (summary: Summary | null | undefined) =>
  summary !== null && summary !== undefined && typeof summary.median === 'number' && summary.median > 0;

let out: string;
let results: Results;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'strata-bench-quick-'));
  const pgUrl = process.env.STRATA_BENCH_PG_URL ?? process.env.STRATA_TEST_PG_URL;
  await promisify(execFile)(process.execPath, [join(BENCH, 'run.mjs'), '--quick', `--out=${out}`], {
    env: { ...process.env, ...(pgUrl ? { STRATA_BENCH_PG_URL: pgUrl } : {}) },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  });
  results = JSON.parse(await readFile(join(out, 'quick.json'), 'utf8')) as Results;
}, 620_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('npm run bench -- --quick', () => {
  it('is a complete quick run of every tool', () => {
    expect(results.meta.mode).toBe('quick');
    expect(results.meta.partial).toBe(false);
    expect(Object.keys(results.tools).sort()).toEqual([...TOOLS].sort());
  });

  it('times the apply of every tool on each database it supports', () => {
    for (const dialect of ['postgres', 'sqlite'] as const) {
      const expected = TOOLS.filter((name) => results.tools[name]!.dialects.includes(dialect) && runsIn(results, name, 'apply'));
      expect(Object.keys(results.apply[dialect].tools).sort()).toEqual(expected.sort());
      for (const name of expected) {
        const tool = results.apply[dialect].tools[name];
        expect(tool.error, `${name} on ${dialect}`).toBeUndefined();
        expect(isTime(tool.ms), `${name} apply on ${dialect}`).toBe(true);
      }
    }
  });

  it('measures the no-op (in process, whole process, memory) of every tool at every N', () => {
    const peers = TOOLS.filter(
      (name) =>
        !results.tools[name]!.floor && results.tools[name]!.dialects.includes('postgres') && runsIn(results, name, 'growth'),
    );
    expect(Object.keys(results.growth.tools).sort()).toEqual(peers.sort());
    for (const name of peers) {
      const tool = results.growth.tools[name];
      for (const n of results.growth.ns) {
        const point = tool.byN[n];
        expect(isTime(point.scriptMs), `${name} whole process at N=${n}`).toBe(true);
        expect(isTime(point.peakRssMb), `${name} peak RSS at N=${n}`).toBe(true);
        if (!tool.binary) {
          expect(isTime(point.inProcessMs), `${name} in process at N=${n}`).toBe(true);
          expect(point.roundTrips, `${name} round trips at N=${n}`).toBeGreaterThan(0);
        }
      }
      if (PEERS_WITH_CLI.includes(name)) {
        expect(isTime(tool.byN[results.growth.headlineN].cliMs), `${name} CLI`).toBe(true);
      }
    }
    const strata = results.growth.tools.strata.byN[results.growth.headlineN];
    expect(strata.lockTaken).toBe(false);
  });

  it('runs the contention workload for every tool, and strata applies each migration exactly once', () => {
    const expected = TOOLS.filter((name) => !results.tools[name]!.floor && runsIn(results, name, 'contention'));
    expect(Object.keys(results.contention.tools).sort()).toEqual(expected.sort());
    for (const [name, tool] of Object.entries(results.contention.tools)) {
      expect(isTime(tool.singleMs), `${name} one process`).toBe(true);
      expect(isTime(tool.concurrentMs), `${name} concurrent processes`).toBe(true);
      expect(typeof tool.exactlyOnce).toBe('boolean');
    }
    expect(results.contention.tools.strata.exactlyOnce).toBe(true);
    expect(results.contention.tools.strata.allProcessesSucceeded).toBe(true);
  });

  it('measures import cost and evaluates the targets', () => {
    expect(isTime(results.imports.importMs.strata)).toBe(true);
    expect(isTime(results.imports.nodeEmptyProcessMs)).toBe(true);
    expect(results.targets.length).toBeGreaterThan(5);
  });

  it('writes the Markdown table and the SVG charts', async () => {
    const markdown = await readFile(join(out, 'quick.md'), 'utf8');
    expect(markdown).toContain('## Apply');
    for (const chart of ['quick-apply.svg', 'quick-noop.svg']) {
      expect(await readFile(join(out, chart), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    }
  });
});
