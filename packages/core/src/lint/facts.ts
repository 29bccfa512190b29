/**
 * What a statement does, as the rules need to know it, whichever parser read it: PostgreSQL's own
 * (postgres-facts.ts) or strata's lexer (sqlite-facts.ts). Rules see facts, never a syntax tree,
 * so one rule serves every database. Offsets are UTF-16 indices into the script without its BOM.
 */
export type Fact =
  | { kind: 'create-table'; offset: number; table: string }
  | { kind: 'create-index'; offset: number; table: string; index: string | undefined; concurrent: boolean }
  | { kind: 'drop-index'; offset: number; indexes: string[]; concurrent: boolean }
  | {
      kind: 'add-column';
      offset: number;
      table: string;
      column: string;
      notNull: boolean;
      hasDefault: boolean;
      /** Why the default (or a generated value) is computed row by row: `random()`, `serial`, an identity; undefined: constant. */
      perRow: string | undefined;
    }
  | { kind: 'alter-column-type'; offset: number; table: string; column: string; type: string }
  | { kind: 'set-not-null'; offset: number; table: string; column: string }
  | {
      kind: 'add-constraint';
      offset: number;
      table: string;
      name: string | undefined;
      constraint: 'FOREIGN KEY' | 'CHECK';
      notValid: boolean;
      /** `CHECK (column IS NOT NULL)`: the column it proves non-null. */
      provesNotNull: string | undefined;
    }
  | { kind: 'validate-constraint'; offset: number; table: string; name: string }
  | { kind: 'rename-table'; offset: number; table: string; to: string }
  | { kind: 'rename-column'; offset: number; table: string; column: string; to: string }
  | { kind: 'drop-table'; offset: number; tables: string[] }
  | { kind: 'drop-column'; offset: number; table: string; column: string }
  /** A statement that takes ACCESS EXCLUSIVE on an existing table (most ALTER TABLE forms, DROP, TRUNCATE...). */
  | { kind: 'access-exclusive'; offset: number; table: string; statement: string }
  | { kind: 'set-lock-timeout'; offset: number }
  | { kind: 'transaction-control'; offset: number; statement: string }
  | { kind: 'refused-in-transaction'; offset: number; statement: string }
  | { kind: 'pragma-foreign-keys'; offset: number }
  | { kind: 'syntax-error'; offset: number; message: string };

export type FactKind = Fact['kind'];
export type FactOf<K extends FactKind> = Extract<Fact, { kind: K }>;
