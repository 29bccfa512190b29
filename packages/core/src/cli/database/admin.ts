/** Creating and dropping the database a URL names: PostgreSQL through its maintenance database, SQLite as a file. */
export interface DatabaseAdmin {
  /** The database name (PostgreSQL) or file path (SQLite), for messages. */
  readonly name: string;
  /** Where it lives, password removed. */
  readonly location: string;
  exists(): Promise<boolean>;
  create(): Promise<void>;
  /** `force`: disconnect other sessions first (PostgreSQL 13+). */
  drop(force: boolean): Promise<void>;
  close(): Promise<void>;
}
