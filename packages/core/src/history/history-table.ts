import type { Dialect, HistoryTableName } from '../dialects/dialect.js';
import { qualifiedTable } from './parameters.js';
import { AuditTrail } from './resolutions.js';

/** What every kind of history table has: its name in three spellings, and its audit table beside it. */
export abstract class HistoryTable {
  readonly dialect: Dialect;
  readonly name: HistoryTableName;
  /** `schema.table` as a person reads it. */
  readonly displayName: string;
  /** Quoted and qualified, for SQL. */
  protected readonly qualified: string;
  protected readonly audit: AuditTrail;

  constructor(dialect: Dialect, name: HistoryTableName) {
    this.dialect = dialect;
    this.name = name;
    this.displayName = name.schema ? `${name.schema}.${name.table}` : name.table;
    this.qualified = qualifiedTable(dialect, name.schema, name.table);
    this.audit = new AuditTrail(dialect, name);
  }

  /** The same kind of table, pinned to the schema resolved under the lock. */
  pinned(name: HistoryTableName): this {
    if (name.schema === this.name.schema && name.table === this.name.table) return this;
    const kind = this.constructor as new (dialect: Dialect, name: HistoryTableName) => this;
    return new kind(this.dialect, name);
  }
}
