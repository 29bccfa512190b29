import type { Dialect } from '../dialects/dialect.js';

/** Numbers placeholders in the order values are added (SQLite's `?` are positional). */
export class Parameters {
  readonly values: unknown[] = [];
  readonly #dialect: Dialect;

  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }

  add(value: unknown): string {
    this.values.push(value);
    return this.#dialect.placeholder(this.values.length);
  }
}

/** `"schema"."table"`, or just `"table"` where the name has no schema. */
export function qualifiedTable(dialect: Dialect, schema: string | undefined, table: string): string {
  const quote = dialect.quoteIdentifier;
  return schema ? `${quote(schema)}.${quote(table)}` : quote(table);
}
