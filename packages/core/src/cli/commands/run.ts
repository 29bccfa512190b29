import type { CommandDefinition } from '../command.js';
import { FLEET_OPTIONS, fleetRequested } from '../fleet-options.js';
import { FUTURE_OPTION, futureOption } from '../future-option.js';
import { reportJson } from '../json-shapes.js';
import { applyPending, printReportSummary } from '../migration-runs.js';
import { warnAboutNearMisses } from '../near-miss-warnings.js';
import { secondsOption, versionOption } from '../option-parsers.js';
import { ProgressRenderer } from '../progress.js';
import { planRegeneration, REGENERATE_OPTIONS } from '../schema/regenerate-files.js';

export const command: CommandDefinition = {
  usage:
    '[--target-version V] [--dry-run] [--single-transaction] [--ignore-missing] [--allow-out-of-order] [--future ignore|error]',
  options: [
    { name: 'target-version', type: 'string', value: 'V', description: 'apply pending migrations up to and including version V' },
    {
      name: 'dry-run',
      type: 'boolean',
      description: 'print what would be applied (version, description, transaction mode); change nothing',
    },
    {
      name: 'single-transaction',
      type: 'boolean',
      description: 'apply every pending migration in ONE transaction: all or nothing (refused if one is -- no-transaction)',
    },
    { name: 'ignore-missing', type: 'boolean', description: 'run even if applied migrations are missing from the directory' },
    {
      name: 'allow-out-of-order',
      type: 'boolean',
      description: 'apply pending migrations older than the newest applied one instead of refusing',
    },
    FUTURE_OPTION,
    {
      name: 'lock-guard',
      type: 'string',
      value: 'SECONDS',
      description:
        'PostgreSQL: each transactional migration waits at most this long for a table lock (SET LOCAL lock_timeout), then is rolled back and retried (10 times, with backoff)',
    },
    ...FLEET_OPTIONS,
    ...REGENERATE_OPTIONS,
  ],
  details:
    'After a newer release migrated, its migrations are newer than every file here ("future"): run\n' +
    'refuses them unless --future ignore, which leaves them alone and says so. A migration missing\n' +
    'from the middle of the sequence is refused either way (unless --ignore-missing).',
  async run(context) {
    const target = versionOption(context, 'target-version');
    const singleTransaction = context.flag('single-transaction');
    warnAboutNearMisses(context);
    const regenerate = planRegeneration(context);
    const future = futureOption(context);
    if (fleetRequested(context)) {
      const choices = {
        ignoreMissing: context.flag('ignore-missing'),
        allowOutOfOrder: context.flag('allow-out-of-order'),
        singleTransaction,
      };
      // Loaded only for a fleet: a single database's run never needs the fleet's code.
      const { runFleetCommand } = await import('../fleet-command.js');
      return runFleetCommand(context, {
        operation: { kind: 'run', ...(target !== undefined ? { target } : {}), dryRun: context.flag('dry-run') },
        choices: { ...choices, ...(future ? { future } : {}), lockGuardMs: secondsOption(context, 'lock-guard') },
      });
    }
    const renderer = new ProgressRenderer(context.out, { singleTransaction });
    const migrator = await context.migrator({
      ignoreMissing: context.flag('ignore-missing'),
      allowOutOfOrder: context.flag('allow-out-of-order'),
      ...(future ? { future } : {}),
      singleTransaction,
      lockGuardMs: secondsOption(context, 'lock-guard'),
      onEvent: renderer.handle,
    });
    const report = await applyPending(migrator, renderer, {
      ...(target !== undefined ? { target } : {}),
      dryRun: context.flag('dry-run'),
    });
    if (context.out.json) context.out.document(reportJson(report));
    else printReportSummary(context.out, report);
    await regenerate(!report.dryRun && report.applied.length > 0);
    return 0;
  },
};
