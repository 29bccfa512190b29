/**
 * Table and schema names come from options, so they are always sent as quoted identifiers: any
 * name is used literally, and none can end the identifier and inject SQL. The SQL standard's
 * double quotes; a dialect that quotes otherwise states its own.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
