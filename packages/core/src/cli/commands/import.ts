import type { ImportOptions, ImportReport } from '../../adopt/import-plan.js';
import { TOOL_NAMES } from '../../adopt/tools/index.js';
import { resolutionsTableName } from '../../history/resolutions.js';
import { DEFAULT_TABLE } from '../../migrator.js';
import type { CommandDefinition } from '../command.js';
import type { Output } from '../output.js';
import { UsageError } from '../usage-error.js';
import { adoptionJson, printAdoption } from './baseline.js';

export const command: CommandDefinition = {
  usage: '--from TOOL [--from-table NAME] [--from-schema NAME] [--dry-run]',
  options: [
    { name: 'from', type: 'string', value: 'TOOL', description: `the tool whose history to read: ${TOOL_NAMES.join(', ')}` },
    { name: 'from-table', type: 'string', value: 'NAME', description: "the tool's history table, when not its default name" },
    {
      name: 'from-schema',
      type: 'string',
      value: 'NAME',
      description: "schema (PostgreSQL) or attached database (SQLite) of the tool's table, when not its default",
    },
    { name: 'dry-run', type: 'boolean', description: 'show what would be recorded; change nothing' },
  ],
  details:
    "For a database another tool migrated: reads that tool's history table (never changing it), matches\n" +
    "its entries to the migrations here by the tool's rule (version, file name or hash: see the README's\n" +
    '"Moving from ..." guides), and records the matched ones as applied in strata\'s own history without\n' +
    'running them, each also in <table>_resolutions ("imported from TOOL"). It lists what matched, what\n' +
    "did not on either side, and refuses while the tool's history holds a failed or unfinished entry\n" +
    '(FOREIGN_HISTORY_DIRTY). Then `strata run` applies only the newer migrations.',
  async run(context) {
    const from = context.option('from');
    if (from === undefined) {
      throw new UsageError(`say which tool's history to read: --from TOOL`, { hint: `TOOL is one of ${TOOL_NAMES.join(', ')}` });
    }
    const table = context.option('from-table');
    const schema = context.option('from-schema');
    const migrator = await context.migrator();
    const report = await migrator.importHistory({
      from: from as ImportOptions['from'],
      dryRun: context.flag('dry-run'),
      ...(table !== undefined ? { table } : {}),
      ...(schema !== undefined ? { schema } : {}),
    });
    const auditTable = resolutionsTableName(context.config.table ?? DEFAULT_TABLE);
    if (context.out.json) context.out.document(importJson(report, auditTable));
    else printImport(context.out, report, auditTable);
    return 0;
  },
};

function importJson(report: ImportReport, auditTable: string): Record<string, unknown> {
  const shown = (list: ImportReport['unmatchedSource']) =>
    list.map((migration) => ({ version: String(migration.version), description: migration.description }));
  return {
    from: report.from,
    table: report.table,
    ...adoptionJson(report, auditTable),
    matched: report.matched.map((match) => ({ key: match.key, version: String(match.version), description: match.description })),
    unmatchedForeign: report.unmatchedForeign,
    unmatchedSource: shown(report.unmatchedSource),
    modified: report.modified,
    ignored: report.ignored,
  };
}

function printImport(out: Output, report: ImportReport, auditTable: string): void {
  out.line(`Read ${report.table} (${report.from}): ${report.matched.length} migration(s) here match its entries.`);
  for (const note of report.unmatchedForeign) {
    out.warn(`${report.from} entry ${note.key} matches no migration here (${note.reason}); strata leaves it alone`);
  }
  for (const migration of report.unmatchedSource) {
    out.warn(
      `migration ${migration.version} ${migration.description} is older than the newest imported one but ${report.from} never applied it: it stays pending (\`strata run --allow-out-of-order\` applies it)`,
    );
  }
  for (const note of report.modified) out.warn(`${report.from} entry ${note.key}: ${note.reason}`);
  for (const note of report.ignored) out.line(out.style.dim(`  ignored ${note.key}: ${note.reason}`));
  printAdoption(out, report, { verb: `import from ${report.from}`, auditTable });
}
