import { isStrataError, StrataError } from '../errors.js';
import { resolutionsTableName } from '../history/resolutions.js';
import type { MigrationReport } from '../report.js';
import { toVersion } from '../version.js';
import type { StudioActionEntry, StudioOptions } from './studio-options.js';
import { planView } from './studio-views.js';

export type StudioAction = 'run' | 'revert' | 'resolve';
export const STUDIO_ACTIONS: readonly StudioAction[] = ['run', 'revert', 'resolve'];

/** What the page sends with an action (and with its plan request): only resolve takes anything. */
export interface ActionInput {
  version?: string | undefined;
  resolution?: string | undefined;
}

/** The plan shown in the confirmation: the dry run of the same engine call the action makes. */
export async function planAction(options: StudioOptions, action: StudioAction, input: ActionInput) {
  const { migrator } = options;
  if (action === 'run') return planView('run', (await migrator.run({ dryRun: true })).planned, dryRunHeader('apply'));
  if (action === 'revert') {
    return planView('revert', (await migrator.revert({ steps: 1, dryRun: true })).planned, dryRunHeader('revert'));
  }
  const { version, resolution } = await dirtyResolution(options, input);
  const outcome = resolution === 'applied' ? 'mark it applied' : 'forget it, so the next run applies it again';
  return planView(
    'resolve',
    [],
    [
      `Resolve dirty migration ${version}: ${outcome}.`,
      `The dirty row is first copied to ${resolutionsTableName(migrator.historyTable)}.`,
    ],
  );
}

function dryRunHeader(verb: string): string[] {
  return [`(what \`strata ${verb === 'apply' ? 'run' : 'revert'} --dry-run\` prints: it would ${verb} the steps above)`];
}

/** Performs an action through the migrator, tells `onAction`, and answers what it did. */
export async function performAction(options: StudioOptions, action: StudioAction, input: ActionInput) {
  const entry: StudioActionEntry = { action, outcome: 'done', versions: [] };
  try {
    if (action === 'resolve') {
      const { version, resolution } = await dirtyResolution(options, input);
      await options.migrator.resolve(version, resolution);
      entry.versions = [String(version)];
    } else {
      const report: MigrationReport =
        action === 'run' ? await options.migrator.run() : await options.migrator.revert({ steps: 1 });
      entry.versions = report.applied.map((step) => String(step.version));
    }
    return { action, versions: entry.versions };
  } catch (error) {
    entry.outcome = 'failed';
    entry.error = isStrataError(error)
      ? { code: error.code, message: error.message }
      : { code: 'INTERNAL_ERROR', message: String(error) };
    throw error;
  } finally {
    options.onAction?.(entry);
  }
}

async function dirtyResolution(options: StudioOptions, input: ActionInput) {
  if (input.resolution !== 'applied' && input.resolution !== 'rolled-back') {
    throw new StrataError('INVALID_OPTIONS', 'resolve takes a resolution: "applied" or "rolled-back"');
  }
  let version: bigint;
  try {
    version = toVersion(input.version ?? '');
  } catch {
    throw new StrataError(
      'INVALID_OPTIONS',
      `resolve takes the version of a dirty migration, not ${JSON.stringify(input.version)}`,
    );
  }
  const line = (await options.migrator.status()).find((status) => status.version === version);
  if (line?.state !== 'dirty') {
    throw new StrataError('NOT_FOUND', `migration ${version} is not dirty: only a dirty row can be resolved`, {
      version: String(version),
    });
  }
  return { version, resolution: input.resolution } as const;
}
