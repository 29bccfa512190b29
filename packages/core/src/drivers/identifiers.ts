/**
 * Table and schema names come from options, so they are always sent as quoted identifiers:
 * any name is used literally, and none can end the identifier and inject SQL.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedName(schema: string | undefined, table: string): string {
  return schema ? `${quoteIdentifier(schema)}.${quoteIdentifier(table)}` : quoteIdentifier(table);
}
