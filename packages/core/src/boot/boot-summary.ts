import type { Logger } from '../index.js';
import type { BootSnapshot, MigrationBoot } from './migration-boot.js';
import { countOf } from './plural.js';

/**
 * The one line an operator wants after a boot: what happened to the schema, and how long it took.
 * `known` is the number of migrations in this build. Express and Nest both log exactly this.
 */
export function describeBoot(snapshot: BootSnapshot, known: number): string {
  return describeWork(snapshot, known) + describeFuture(snapshot);
}

function describeWork(snapshot: BootSnapshot, known: number): string {
  const ms = durationMs(snapshot);
  const all = known === 1 ? 'the 1 migration' : `all ${countOf(known, 'migration')}`;
  if (snapshot.mode === 'wait') return `schema up to date: ${all} applied by another instance (waited ${ms} ms)`;
  if (snapshot.mode === 'verify') return `schema verified: ${all} applied (checked in ${ms} ms)`;
  const lockWait = Math.round(snapshot.lockWaitMs);
  const waited = lockWait > 0 ? `, waited ${lockWait} ms for the lock` : '';
  const applied = snapshot.applied.length;
  if (applied > 0) return `applied ${countOf(applied, 'migration')} in ${ms} ms (${known - applied} already applied${waited})`;
  return `schema up to date: ${countOf(known, 'migration')} already applied (checked in ${ms} ms${waited})`;
}

/** After a rollback: the newer release's migrations this boot left alone. */
function describeFuture(snapshot: BootSnapshot): string {
  const future = snapshot.versions?.future ?? [];
  if (future.length === 0) return '';
  return `; left alone ${countOf(future.length, 'migration')} newer than this build, applied by a newer release: ${future.join(', ')}`;
}

/** Logs describeBoot()'s line once the boot succeeded. Never throws: describing a boot must not fail it. */
export async function logBootSummary(boot: MigrationBoot, logger: Logger): Promise<void> {
  try {
    const known = (await boot.migrator.migrations()).length;
    const snapshot = boot.snapshot();
    logger.info(describeBoot(snapshot, known), {
      mode: snapshot.mode,
      ...(snapshot.versions?.future.length ? { future: snapshot.versions.future } : {}),
      applied: snapshot.applied,
      durationMs: durationMs(snapshot),
      lockWaitMs: Math.round(snapshot.lockWaitMs),
    });
  } catch {
    // The boot succeeded; failing to describe it must not turn that into a failure.
  }
}

function durationMs(snapshot: BootSnapshot): number {
  return snapshot.startedAt && snapshot.finishedAt ? snapshot.finishedAt.getTime() - snapshot.startedAt.getTime() : 0;
}
