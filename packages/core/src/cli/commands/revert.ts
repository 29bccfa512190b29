import type { Migrator } from '../../migrator.js';
import type { MigrationStatus } from '../../status.js';
import type { CommandDefinition } from '../command.js';
import { runFleetCommand } from '../fleet-command.js';
import { FLEET_OPTIONS, fleetRequested } from '../fleet-options.js';
import { printable } from '../format.js';
import { reportJson } from '../json-shapes.js';
import { printReportSummary, withProgress } from '../migration-runs.js';
import { warnAboutNearMisses } from '../near-miss-warnings.js';
import { atMostOne, countOption, versionOption } from '../option-parsers.js';
import { ProgressRenderer } from '../progress.js';
import { planRegeneration, REGENERATE_OPTIONS } from '../schema/regenerate-files.js';

export const command: CommandDefinition = {
  usage: '[--target-version V | --all | -n N] [--dry-run] [--single-transaction] [--ignore-missing]',
  options: [
    {
      name: 'target-version',
      type: 'string',
      value: 'V',
      description: 'revert every applied migration newer than V, which stays (0 reverts all but a migration numbered 0)',
    },
    { name: 'all', type: 'boolean', description: 'revert every applied migration' },
    { name: 'number', short: 'n', type: 'string', value: 'N', description: 'revert the N newest applied migrations (default 1)' },
    { name: 'dry-run', type: 'boolean', description: 'print what would be reverted; change nothing' },
    {
      name: 'single-transaction',
      type: 'boolean',
      description: 'revert them all in ONE transaction: all or nothing (refused if one is -- no-transaction)',
    },
    {
      name: 'ignore-missing',
      type: 'boolean',
      description: 'pass over applied migrations missing from the middle of the directory; revert the newest ones it holds',
    },
    ...FLEET_OPTIONS,
    ...REGENERATE_OPTIONS,
  ],
  details:
    'Down scripts run newest first, each in its own transaction unless the file says `-- no-transaction`\n' +
    '(with --single-transaction: all in one transaction, committed after the last).\n' +
    '--target-version 0 reverts all, as in SQLx, when no migration numbered 0 is applied. A migration\n' +
    "numbered 0 (Diesel's 00000000000000_diesel_initial_setup, or numbering from 0000) is a version like\n" +
    'any other: --target-version 0 keeps it and says so; --all reverts it too.',
  async run(context) {
    atMostOne(context, ['target-version', 'all', 'number']);
    const target = versionOption(context, 'target-version');
    const steps = countOption(context, 'number');
    const dryRun = context.flag('dry-run');
    const singleTransaction = context.flag('single-transaction');
    warnAboutNearMisses(context);
    if (fleetRequested(context)) {
      const all = context.flag('all') || target === 0n;
      return runFleetCommand(context, {
        operation: { kind: 'revert', ...(all ? { all } : target !== undefined ? { target } : { steps: steps ?? 1 }), dryRun },
        choices: { singleTransaction },
      });
    }
    const regenerate = planRegeneration(context);
    const renderer = new ProgressRenderer(context.out, { singleTransaction });
    const migrator = await context.migrator({
      singleTransaction,
      ignoreMissing: context.flag('ignore-missing'),
      onEvent: renderer.handle,
    });
    // 0 means "before everything" unless a migration numbered 0 is applied; then it is the version that stays.
    const zero = target === 0n ? await appliedZero(migrator) : undefined;
    const all = context.flag('all') || (target === 0n && zero === undefined);
    const report = await withProgress(renderer, () =>
      migrator.revert(all ? { all: true, dryRun } : target !== undefined ? { target, dryRun } : { steps: steps ?? 1, dryRun }),
    );
    if (context.out.json) context.out.document(reportJson(report));
    else printReportSummary(context.out, report);
    await regenerate(!report.dryRun && report.applied.length > 0);
    if (zero !== undefined) {
      context.out.note(
        `migration 0 (${printable(zero.description)}) stays: --target-version keeps the version it names; ` +
          '`strata revert --all` reverts it too',
      );
    }
    return 0;
  },
};

async function appliedZero(migrator: Migrator): Promise<MigrationStatus | undefined> {
  return (await migrator.status()).find((line) => line.version === 0n && line.history !== undefined);
}
