import { resolutionsTableName } from '../../history/resolutions.js';
import type { CommandDefinition } from '../command.js';
import { parseVersionArgument } from '../option-parsers.js';
import { UsageError } from '../usage-error.js';

export const command: CommandDefinition = {
  usage: '<version> --applied | --rolled-back',
  positionals: [{ name: 'version', required: true, description: 'the dirty migration, as `strata info` shows it' }],
  options: [
    { name: 'applied', type: 'boolean', description: 'its changes are in place (you finished them by hand): mark it applied' },
    {
      name: 'rolled-back',
      type: 'boolean',
      description: 'its changes are not in place (you undid them by hand): forget it, so `strata run` applies it again',
    },
  ],
  details:
    'Only a dirty row (a migration that ran outside a transaction and stopped part-way) can be resolved.\n' +
    'The dirty row is first copied to <table>_resolutions with the outcome, the time and the user, in\n' +
    'the same transaction, so what happened is never erased.',
  async run(context) {
    const applied = context.flag('applied');
    const rolledBack = context.flag('rolled-back');
    if (applied === rolledBack) {
      throw new UsageError(
        applied ? '--applied and --rolled-back cannot be used together' : 'say how it ended: --applied or --rolled-back',
        {
          hint: 'see `strata resolve --help`',
        },
      );
    }
    const version = parseVersionArgument(context.positionals[0]!, 'the version');
    const resolution = applied ? 'applied' : 'rolled-back';
    const migrator = await context.migrator();
    await migrator.resolve(version, resolution);
    const auditTable = resolutionsTableName(migrator.historyTable);
    if (context.out.json) {
      context.out.document({ version: String(version), resolution, auditTable });
    } else {
      const outcome = applied ? 'marked applied' : 'rolled back: `strata run` will apply it again';
      context.out.line(context.out.style.green(`Resolved migration ${version}: ${outcome}.`));
      context.out.line(context.out.style.dim(`The dirty row was recorded in ${auditTable}.`));
    }
    return 0;
  },
};
