/**
 * The words of the boot layer that both integrations print and answer with, pinned in one place:
 * the boot summary and the probe answer (status, headers, verbose parsing, the 503 wrapper).
 */
import { describe, expect, it } from 'vitest';
import { answerProbe, type BootSnapshot, describeBoot, type HealthProbes } from '../../src/boot/index.js';

function snapshot(overrides: Partial<BootSnapshot>): BootSnapshot {
  return {
    mode: 'run',
    state: 'ready',
    draining: false,
    startedAt: new Date(1_000),
    finishedAt: new Date(1_041),
    applied: [],
    versions: undefined,
    lockWaitMs: 0,
    error: undefined,
    ...overrides,
  };
}

describe('describeBoot', () => {
  it('says what a run did, with plurals, and the lock wait only when another runner held the lock', () => {
    expect(describeBoot(snapshot({ applied: ['1', '2'] }), 2)).toBe('applied 2 migrations in 41 ms (0 already applied)');
    expect(describeBoot(snapshot({ applied: ['3'] }), 3)).toBe('applied 1 migration in 41 ms (2 already applied)');
    expect(describeBoot(snapshot({ applied: ['1', '2'], lockWaitMs: 5.4 }), 2)).toBe(
      'applied 2 migrations in 41 ms (0 already applied, waited 5 ms for the lock)',
    );
    expect(describeBoot(snapshot({}), 1)).toBe('schema up to date: 1 migration already applied (checked in 41 ms)');
    expect(describeBoot(snapshot({ lockWaitMs: 1_200 }), 2)).toBe(
      'schema up to date: 2 migrations already applied (checked in 41 ms, waited 1200 ms for the lock)',
    );
  });

  it('says what waiting and verifying found', () => {
    expect(describeBoot(snapshot({ mode: 'wait' }), 2)).toBe(
      'schema up to date: all 2 migrations applied by another instance (waited 41 ms)',
    );
    expect(describeBoot(snapshot({ mode: 'verify' }), 1)).toBe('schema verified: the 1 migration applied (checked in 41 ms)');
  });
});

describe('answerProbe', () => {
  const seen: boolean[] = [];
  const probes = {
    liveness: () => ({ httpStatus: 200, body: { status: 'pass' } }),
    readiness: async (verbose: boolean) => {
      seen.push(verbose);
      return { httpStatus: 503, body: { status: 'fail' } };
    },
    health: async () => {
      throw new Error('connection to db.internal:5432 refused');
    },
  } as unknown as HealthProbes;

  it('answers with the health media type, no-store, and the JSON body', async () => {
    expect(await answerProbe(probes, 'livez')).toEqual({
      status: 200,
      headers: { 'Content-Type': 'application/health+json; charset=utf-8', 'Cache-Control': 'no-store' },
      body: '{"status":"pass"}',
    });
    expect((await answerProbe(probes, 'readyz', {})).status).toBe(503);
  });

  it('reads ?verbose as frameworks parse it', async () => {
    seen.length = 0;
    for (const query of [{}, { verbose: '' }, { verbose: '1' }, { verbose: 'true' }, { verbose: '0' }, { verbose: 'false' }]) {
      await answerProbe(probes, 'readyz', query);
    }
    await answerProbe(probes, 'readyz', Object.assign(Object.create(null), { verbose: '' }));
    expect(seen).toEqual([false, true, true, true, false, false, true]);
  });

  it('turns a probe that throws into a 503 that says nothing of why', async () => {
    const answer = await answerProbe(probes, 'healthz');
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({ status: 'fail', description: 'probe failed unexpectedly' });
  });
});
