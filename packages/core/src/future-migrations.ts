import { StrataError } from './errors.js';

/**
 * What to do with applied migrations newer than every migration in the source ("future"
 * migrations): after release N+1 migrated, release N is started again (a pod restart during a
 * rolling deploy, `kubectl rollout undo`) and finds them in the history.
 *
 * - `'error'`: refuse with MIGRATION_FUTURE naming them (the engine's and the CLI's default).
 * - `'ignore'`: leave them alone and say so (the boot modes' default): nothing newer is applied,
 *   nothing is reverted, and reports, status and probes list their versions.
 *
 * A migration absent from the middle of the sequence is not future: that stays MIGRATION_MISSING.
 */
export type FuturePolicy = 'error' | 'ignore';

export const FUTURE_POLICIES: readonly FuturePolicy[] = ['error', 'ignore'];

export function isFuturePolicy(value: unknown): value is FuturePolicy {
  return FUTURE_POLICIES.includes(value as FuturePolicy);
}

/** The refusal under `future: 'error'`, naming every future version and the newest version the source has. */
export function futureMigrationsError(versions: readonly bigint[], newestInSource: bigint): StrataError {
  const many = versions.length > 1;
  const them = many ? 'them' : 'it';
  return new StrataError(
    'MIGRATION_FUTURE',
    `migration${many ? 's' : ''} ${versions.join(', ')} ${many ? 'were' : 'was'} previously applied but ${many ? 'are' : 'is'} newer than ` +
      `every migration in the resolved migrations (the newest is ${newestInSource}): a newer release applied ${them}. If this release was rolled back ` +
      `on purpose, pass future: 'ignore' (--future ignore) to leave ${them} alone, as migrateOnBoot and MigrationsModule do by default; ` +
      `otherwise deploy the release that has ${them}`,
    {
      version: String(versions[0]),
      versions: versions.map(String),
      newestInSource: String(newestInSource),
    },
  );
}

/** Revert refuses under either policy: the down scripts are in the newer release, and older steps may not go under them. */
export function futureRevertError(versions: readonly bigint[]): StrataError {
  const many = versions.length > 1;
  const them = many ? 'them' : 'it';
  return new StrataError(
    'MIGRATION_FUTURE',
    `cannot revert: migration${many ? 's' : ''} ${versions.join(', ')} ${many ? 'are' : 'is'} applied and newer than every migration in the resolved migrations, ` +
      `so ${many ? 'their' : 'its'} down script${many ? 's are' : ' is'} not here, and reverting older migrations under ${them} would break the newest-first order; ` +
      `revert ${them} first with the release that has ${them}. Nothing was reverted`,
    { version: String(versions[0]), versions: versions.map(String) },
  );
}
