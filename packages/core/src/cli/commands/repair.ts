import { resolutionsTableName } from '../../history/resolutions.js';
import { DEFAULT_TABLE } from '../../migrator.js';
import type { CommandDefinition } from '../command.js';
import { versionOption } from '../option-parsers.js';
import { UsageError } from '../usage-error.js';

export const command: CommandDefinition = {
  usage: '--version V [--reason TEXT] [--dry-run]',
  options: [
    { name: 'version', type: 'string', value: 'V', description: 'the applied migration whose file was changed on purpose' },
    { name: 'reason', type: 'string', value: 'TEXT', description: 'why, kept in the audit table with both checksums' },
    { name: 'dry-run', type: 'boolean', description: 'show the recorded and the new checksum; change nothing' },
  ],
  details:
    'After an applied migration file was edited on purpose in a way that does not change what it does\n' +
    "(a comment, formatting), `run` stops with MIGRATION_MODIFIED. repair records the file's new\n" +
    'checksum; the row as it was (old checksum) goes to <table>_resolutions with the new one, the\n' +
    'time, the user and --reason. Do not use it when the edit changes the schema the migration makes:\n' +
    'databases that applied the old text keep the old schema. Restore the file and add a new migration.',
  async run(context) {
    const version = versionOption(context, 'version');
    if (version === undefined) {
      throw new UsageError('say which applied migration to repair: --version V', { hint: 'see `strata info`' });
    }
    const reason = context.option('reason');
    const migrator = await context.migrator();
    const report = await migrator.repair({ version, dryRun: context.flag('dry-run'), ...(reason ? { reason } : {}) });
    const auditTable = resolutionsTableName(context.config.table ?? DEFAULT_TABLE);
    const { out } = context;
    if (out.json) {
      out.document({
        version: String(report.version),
        dryRun: report.dryRun,
        changed: report.changed,
        previousChecksum: report.previousChecksum,
        checksum: report.checksum,
        auditTable,
      });
      return 0;
    }
    if (!report.changed) {
      out.line(out.style.green(`Migration ${version}: the recorded checksum already matches the file; nothing to repair.`));
      return 0;
    }
    out.line(`  recorded ${out.style.dim(report.previousChecksum)}`);
    out.line(`  file     ${out.style.dim(report.checksum)}`);
    out.line(
      report.dryRun
        ? out.style.yellow(`Dry run: repair would record the file's checksum for migration ${version}; nothing was changed.`)
        : out.style.green(
            `Repaired migration ${version}: its recorded checksum is now the file's; the old one is kept in ${auditTable}.`,
          ),
    );
    return 0;
  },
};
