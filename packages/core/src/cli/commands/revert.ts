import type { CommandDefinition } from '../command.js';
import { reportJson } from '../json-shapes.js';
import { printReportSummary, withProgress } from '../migration-runs.js';
import { atMostOne, countOption, versionOption } from '../option-parsers.js';
import { ProgressRenderer } from '../progress.js';

export const command: CommandDefinition = {
  usage: '[--target-version V | --all | -n N] [--dry-run] [--single-transaction]',
  options: [
    {
      name: 'target-version',
      type: 'string',
      value: 'V',
      description: 'revert every applied migration newer than V (V itself stays; 0 reverts all)',
    },
    { name: 'all', type: 'boolean', description: 'revert every applied migration' },
    { name: 'number', short: 'n', type: 'string', value: 'N', description: 'revert the N newest applied migrations (default 1)' },
    { name: 'dry-run', type: 'boolean', description: 'print what would be reverted; change nothing' },
    {
      name: 'single-transaction',
      type: 'boolean',
      description: 'revert them all in ONE transaction: all or nothing (refused if one is -- no-transaction)',
    },
  ],
  details:
    'Down scripts run newest first, each in its own transaction unless the file says `-- no-transaction`\n' +
    '(with --single-transaction: all in one transaction, committed after the last).',
  async run(context) {
    atMostOne(context, ['target-version', 'all', 'number']);
    const target = versionOption(context, 'target-version');
    const steps = countOption(context, 'number');
    const dryRun = context.flag('dry-run');
    const singleTransaction = context.flag('single-transaction');
    const renderer = new ProgressRenderer(context.out, { singleTransaction });
    const migrator = await context.migrator({ singleTransaction, onEvent: renderer.handle });
    const report = await withProgress(renderer, () =>
      migrator.revert(
        context.flag('all') ? { all: true, dryRun } : target !== undefined ? { target, dryRun } : { steps: steps ?? 1, dryRun },
      ),
    );
    if (context.out.json) context.out.document(reportJson(report));
    else printReportSummary(context.out, report);
    return 0;
  },
};
