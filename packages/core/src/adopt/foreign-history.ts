import type { Connection } from '../dialects/connection.js';
import type { Dialect, HistoryTableName } from '../dialects/dialect.js';
import { StrataError } from '../errors.js';
import { recogniseTool } from './foreign-table.js';
import { importCommand } from './import-command.js';

/**
 * strata's history table could not be read for a missing column. When the table is another
 * tool's history (strata was pointed at `knex_migrations`, `__diesel_schema_migrations`, ...),
 * say so with FOREIGN_HISTORY and the `strata import` command that reads it, instead of calling
 * it corrupt. Anything that gets in the way of telling (an aborted transaction, no privilege)
 * leaves the original error as it is.
 */
export async function foreignHistoryOr(
  on: Connection,
  dialect: Dialect,
  name: HistoryTableName,
  original: StrataError,
): Promise<StrataError> {
  const quote = dialect.quoteIdentifier;
  const qualified = name.schema ? `${quote(name.schema)}.${quote(name.table)}` : quote(name.table);
  const tool = await recogniseTool(on, dialect, qualified).catch(() => undefined);
  if (!tool) return original;
  const table = name.schema ? `${name.schema}.${name.table}` : name.table;
  const command = importCommand(tool, dialect, name);
  return new StrataError(
    'FOREIGN_HISTORY',
    `the history table ${table} is ${tool.name}'s (it has ${tool.name}'s columns: ${tool.columns.join(', ')}), not strata's. ` +
      `strata keeps its own history beside it and never writes into another tool's: leave strata's table at its default ` +
      `(drop --table ${name.table}${name.schema && name.schema !== dialect.defaultSchema ? ` --schema ${name.schema}` : ''} or the table setting), ` +
      `then record what ${tool.name} applied with \`${command}\`` +
      (tool.name === 'diesel'
        ? "; or, to keep running one history with a Rust service using Diesel, share Diesel's table: `--history diesel` (the Migrator's `history: 'diesel'`)"
        : ''),
    { table, tool: tool.name, command },
    { cause: original },
  );
}
