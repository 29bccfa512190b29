import type { Dialect, HistoryTableName } from '../dialects/dialect.js';
import type { ForeignTool } from './tools/tool.js';

/** The exact `strata import` command that reads a tool's history where it was found. */
export function importCommand(tool: ForeignTool, dialect: Dialect, found: HistoryTableName): string {
  const parts = ['strata import --from', tool.name];
  if (found.table !== tool.table) parts.push('--from-table', found.table);
  const usualSchema = tool.schema?.[dialect.name] ?? dialect.defaultSchema;
  if (found.schema !== undefined && found.schema !== usualSchema) parts.push('--from-schema', found.schema);
  return parts.join(' ');
}
