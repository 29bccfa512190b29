import type { AdoptionReport } from '../../adopt/adoption.js';
import { resolutionsTableName } from '../../history/resolutions.js';
import { DEFAULT_TABLE } from '../../migrator.js';
import type { CommandDefinition } from '../command.js';
import { versionOption } from '../option-parsers.js';
import type { Output } from '../output.js';
import { UsageError } from '../usage-error.js';

export const command: CommandDefinition = {
  usage: '--version V [--dry-run] [--skip-applied]',
  options: [
    {
      name: 'version',
      type: 'string',
      value: 'V',
      description: 'the newest migration the database already holds: it and every older one are recorded as applied',
    },
    { name: 'dry-run', type: 'boolean', description: 'list what would be recorded; change nothing' },
    {
      name: 'skip-applied',
      type: 'boolean',
      description: 'the history already has rows: record only the migrations up to V it lacks',
    },
  ],
  details:
    'For a database whose schema already exists (built by hand or by another tool): records every\n' +
    'migration up to V as applied, with its checksum and an execution time of 0, without running it.\n' +
    'Each row is also written to <table>_resolutions (resolution "baseline", who, when). Newer\n' +
    'migrations stay pending for `strata run`. Refused on a history that already has rows, unless\n' +
    '--skip-applied. Coming from another migration tool, `strata import --from TOOL` reads its history instead.',
  async run(context) {
    const version = versionOption(context, 'version');
    if (version === undefined) {
      throw new UsageError('say up to which migration the database already holds its schema: --version V', {
        hint: 'see `strata info` for the versions, `strata baseline --help` for the rest',
      });
    }
    const migrator = await context.migrator();
    const report = await migrator.baseline({
      version,
      dryRun: context.flag('dry-run'),
      skipApplied: context.flag('skip-applied'),
    });
    const auditTable = resolutionsTableName(context.config.table ?? DEFAULT_TABLE);
    if (context.out.json) context.out.document(adoptionJson(report, auditTable));
    else printAdoption(context.out, report, { verb: 'baseline', auditTable });
    return 0;
  },
};

/** The JSON document `baseline` and `import` print. */
export function adoptionJson(report: AdoptionReport, auditTable: string): Record<string, unknown> {
  const shown = (list: AdoptionReport['planned']) =>
    list.map((migration) => ({ version: String(migration.version), description: migration.description }));
  return {
    dryRun: report.dryRun,
    recorded: shown(report.recorded),
    planned: shown(report.planned),
    alreadyApplied: report.alreadyApplied.map(String),
    auditTable,
  };
}

export function printAdoption(out: Output, report: AdoptionReport, how: { verb: string; auditTable: string }): void {
  const list = report.dryRun ? report.planned : report.recorded;
  for (const migration of list) out.line(`  ${migration.version} ${out.style.dim(migration.description)}`);
  if (report.alreadyApplied.length > 0) {
    out.line(out.style.dim(`Already recorded, left alone: ${report.alreadyApplied.map(String).join(', ')}`));
  }
  if (report.dryRun) {
    out.line(out.style.yellow(`Dry run: ${how.verb} would record ${list.length} migration(s) as applied; nothing was changed.`));
    return;
  }
  out.line(
    out.style.green(
      list.length === 0
        ? `Nothing to record: the history already holds every migration up to the ${how.verb} version.`
        : `Recorded ${list.length} migration(s) as applied without running them (${how.verb}); each is also in ${how.auditTable}.`,
    ),
  );
}
