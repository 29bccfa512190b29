import type { BootSnapshot } from '@strata/core';

/** The one line an operator wants after a boot: what happened to the schema, and how long it took. */
export function describeBoot(snapshot: BootSnapshot, known: number): string {
  const ms = snapshot.startedAt && snapshot.finishedAt ? snapshot.finishedAt.getTime() - snapshot.startedAt.getTime() : 0;
  const migrations = (n: number) => `${n} migration${n === 1 ? '' : 's'}`;
  if (snapshot.mode === 'wait')
    return `schema up to date: all ${migrations(known)} applied by another instance (waited ${ms} ms)`;
  if (snapshot.mode === 'verify') return `schema verified: all ${migrations(known)} applied (checked in ${ms} ms)`;
  const applied = snapshot.applied.length;
  if (applied > 0) return `applied ${migrations(applied)} in ${ms} ms (${known - applied} already applied)`;
  return `schema up to date: ${migrations(known)} already applied (checked in ${ms} ms)`;
}
