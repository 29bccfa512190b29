import type { Connection } from '../dialects/connection.js';
import type { Dialect, HistoryTableName } from '../dialects/dialect.js';
import { StrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import { hasColumns, locateForeignTable, recogniseTool } from './foreign-table.js';
import type { ImportOptions, ImportPlan, ImportReport } from './import-plan.js';
import { FOREIGN_TOOLS, isToolName, TOOL_NAMES } from './tools/index.js';
import type { ForeignEntry, ForeignTool } from './tools/tool.js';

export type ForeignTableLocation = ReturnType<typeof locateForeignTable>;

/** The tool and its table, checked before anything touches the database. */
export function prepareImport(
  options: ImportOptions,
  dialect: Dialect,
  history: HistoryTableName,
): { tool: ForeignTool; at: ForeignTableLocation } {
  if (!options || typeof options !== 'object' || !isToolName(options.from)) {
    throw new StrataError(
      'INVALID_OPTIONS',
      `import needs the tool whose history to read: from must be one of ${TOOL_NAMES.join(', ')}, not ${JSON.stringify(options?.from)}`,
    );
  }
  for (const key of ['table', 'schema'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw new StrataError('INVALID_OPTIONS', `import's ${key} must be a non-empty string`);
    }
  }
  const tool = FOREIGN_TOOLS[options.from];
  if (!tool.dialects.includes(dialect.name)) {
    throw new StrataError(
      'UNSUPPORTED_DATABASE',
      `strata reads ${tool.name}'s history on ${tool.dialects.join(' and ')} only, not on ${dialect.label} (yet)`,
      { tool: tool.name },
    );
  }
  const at = locateForeignTable(dialect, tool, options);
  if (at.table === history.table && (at.schema ?? dialect.defaultSchema) === (history.schema ?? dialect.defaultSchema)) {
    throw new StrataError(
      'INVALID_OPTIONS',
      `strata's history table is ${at.displayName}, the very table to import from: import writes strata's own history beside ${tool.name}'s and never into it. ` +
        `Leave strata's table at its default (drop --table ${history.table} or the table setting)`,
      { table: at.displayName, tool: tool.name },
    );
  }
  return { tool, at };
}

/**
 * The tool's entries, read without changing anything. Refuses a table that is not there, or
 * whose columns are another tool's (dbmate's and golang-migrate's tables share a name).
 */
export async function readForeignHistory(
  on: Connection,
  dialect: Dialect,
  tool: ForeignTool,
  at: ForeignTableLocation,
): Promise<ForeignEntry[]> {
  const fits = await hasColumns(on, dialect, at.qualified, tool.columns);
  if (fits === 'missing') {
    throw new StrataError(
      'NOT_FOUND',
      `there is no table ${at.displayName} in ${dialect.name === 'postgres' ? 'this database' : 'this database file'}: ${tool.name} keeps its history there by default. ` +
        'Name the table with --from-table (and --from-schema) if it lives elsewhere',
      { table: at.displayName, tool: tool.name },
    );
  }
  const looksLike = await recogniseTool(on, dialect, at.qualified);
  if (!fits || (looksLike && looksLike !== tool && looksLike.columns.length > tool.columns.length)) {
    const other = looksLike ? `; it has ${looksLike.name}'s (${looksLike.columns.join(', ')}): use --from ${looksLike.name}` : '';
    throw new StrataError(
      'INVALID_OPTIONS',
      `${at.displayName} is not ${tool.name}'s history table: ${tool.name}'s has the columns ${tool.columns.join(', ')}${other}`,
      { table: at.displayName, tool: tool.name, ...(looksLike ? { looksLike: looksLike.name } : {}) },
    );
  }
  return tool.read(on, at);
}

export function importReport(
  tool: ForeignTool,
  at: ForeignTableLocation,
  plan: ImportPlan,
  dryRun: boolean,
  recorded: boolean,
): ImportReport {
  const shown = (migration: Migration) => ({ version: migration.version, description: migration.description });
  return {
    from: tool.name,
    table: at.displayName,
    dryRun,
    planned: plan.record.map(shown),
    recorded: recorded ? plan.record.map(shown) : [],
    alreadyApplied: plan.alreadyApplied,
    matched: plan.matched,
    unmatchedForeign: plan.unmatchedForeign,
    unmatchedSource: plan.unmatchedSource.map(shown),
    modified: plan.modified,
    ignored: plan.ignored,
  };
}
