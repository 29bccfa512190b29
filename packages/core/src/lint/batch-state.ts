/**
 * What lint remembers from one migration to the next, in version order: the tables and indexes
 * that are new (created by a migration not applied anywhere yet, so no traffic reaches them) and
 * the NOT NULL checks that have been validated. Names are compared by their last part, folded to
 * lower case: `public.users` and `users` are one table to lint.
 */
export class BatchState {
  readonly #newTables = new Set<string>();
  readonly #newIndexes = new Set<string>();
  /** `table.column` proven non-null by a validated CHECK. */
  readonly #validatedNotNull = new Set<string>();
  /** NOT VALID CHECK (column IS NOT NULL) constraints by name, waiting for VALIDATE CONSTRAINT. */
  readonly #notValidChecks = new Map<string, string>();

  isNewTable(table: string): boolean {
    return this.#newTables.has(key(table));
  }

  isNewIndex(index: string): boolean {
    return this.#newIndexes.has(key(index));
  }

  created(table: string): void {
    this.#newTables.add(key(table));
  }

  createdIndex(index: string): void {
    this.#newIndexes.add(key(index));
  }

  /** A new table renamed stays new under its new name. */
  renamed(table: string, to: string): void {
    if (this.#newTables.delete(key(table))) this.#newTables.add(key(to));
  }

  dropped(table: string): void {
    this.#newTables.delete(key(table));
  }

  hasValidatedNotNull(table: string, column: string): boolean {
    return this.#validatedNotNull.has(`${key(table)}.${column}`);
  }

  notNullCheck(table: string, column: string, name: string | undefined, validated: boolean): void {
    const at = `${key(table)}.${column}`;
    if (validated) this.#validatedNotNull.add(at);
    else if (name) this.#notValidChecks.set(key(name), at);
  }

  validated(name: string): void {
    const at = this.#notValidChecks.get(key(name));
    if (at) this.#validatedNotNull.add(at);
  }
}

function key(name: string): string {
  return (name.slice(name.lastIndexOf('.') + 1) || name).toLowerCase();
}
