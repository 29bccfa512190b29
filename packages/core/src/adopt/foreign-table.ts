import type { Connection } from '../dialects/connection.js';
import type { Dialect } from '../dialects/dialect.js';
import { FOREIGN_TOOLS } from './tools/index.js';
import type { ForeignTableAt, ForeignTool } from './tools/tool.js';

/** A foreign history table's place: the name given, or the tool's default in its default schema. */
export function locateForeignTable(
  dialect: Dialect,
  tool: ForeignTool,
  override: { table?: string | undefined; schema?: string | undefined } = {},
): ForeignTableAt & { schema: string | undefined; displayName: string } {
  const table = override.table ?? tool.table;
  const schema = override.schema ?? tool.schema?.[dialect.name] ?? dialect.defaultSchema;
  return tableAt(dialect, table, schema);
}

export function tableAt(
  dialect: Dialect,
  table: string,
  schema: string | undefined,
): ForeignTableAt & { schema: string | undefined; displayName: string } {
  const quote = dialect.quoteIdentifier;
  const qualify = (name: string) => (schema ? `${quote(schema)}.${quote(name)}` : quote(name));
  return {
    table,
    schema,
    displayName: schema ? `${schema}.${table}` : table,
    qualified: qualify(table),
    sibling: qualify,
    async ifPresent(read) {
      try {
        return await read();
      } catch (error) {
        if (dialect.isMissingTable(error)) return undefined;
        throw error;
      }
    },
  };
}

/**
 * Whether the table has every one of `columns`, asked with a query that reads no row, so it works
 * alike on every database through the Connection contract. 'missing': there is no such table.
 */
export async function hasColumns(
  on: Connection,
  dialect: Dialect,
  qualified: string,
  columns: readonly string[],
): Promise<boolean | 'missing'> {
  try {
    await on.values(`SELECT ${columns.map(dialect.quoteIdentifier).join(', ')} FROM ${qualified} WHERE 1 = 0`);
    return true;
  } catch (error) {
    if (dialect.isMissingTable(error)) return 'missing';
    if (dialect.isMissingColumn(error)) return false;
    throw error;
  }
}

/**
 * The tool whose history the table is, judged by its columns: of the tools the database supports
 * whose columns the table all has, the one that names the most (dbmate's lone `version` loses to
 * golang-migrate's `version, dirty`). SQLx's table is strata's own shape, never foreign.
 */
export async function recogniseTool(on: Connection, dialect: Dialect, qualified: string): Promise<ForeignTool | undefined> {
  let best: ForeignTool | undefined;
  for (const tool of Object.values(FOREIGN_TOOLS)) {
    if (tool.name === 'sqlx' || !tool.dialects.includes(dialect.name)) continue;
    if (best && best.columns.length >= tool.columns.length) continue;
    if ((await hasColumns(on, dialect, qualified, tool.columns)) === true && !(await hasAnyOf(on, dialect, qualified, tool))) {
      best = tool;
    }
  }
  return best;
}

async function hasAnyOf(on: Connection, dialect: Dialect, qualified: string, tool: ForeignTool): Promise<boolean> {
  for (const column of tool.notColumns ?? []) {
    if ((await hasColumns(on, dialect, qualified, [column])) === true) return true;
  }
  return false;
}
