import { userInfo } from 'node:os';
import type { Connection } from '../dialects/connection.js';
import type { Dialect, HistoryTableName } from '../dialects/dialect.js';
import type { Step } from '../engine/step.js';
import { isStrataError, StrataError } from '../errors.js';
import { HistoryDigest } from '../source-digest.js';
import type { HistoryEntry, HistoryRow, HistorySummary } from './history-entry.js';
import { historyUnusable, toHistoryEntry, toHistoryRow } from './history-rows.js';
import { resolutionsTableName } from './resolutions.js';

const ROW_COLUMNS = 'version, description, installed_on, success, checksum, execution_time';
const ENTRY_COLUMNS = 'version, success, checksum';

/** A bookkeeping statement with its parameters. */
export interface BookkeepingStatement {
  sql: string;
  params: unknown[];
}

/**
 * The history table (SQLx's columns) in one dialect: reads, the write each step makes, and
 * resolving a dirty row. Execution lives in the engine; another tool's table would be another
 * store.
 */
export class HistoryStore {
  readonly dialect: Dialect;
  readonly name: HistoryTableName;
  /** `schema.table` as a person reads it. */
  readonly displayName: string;
  readonly #qualified: string;
  #stepRowSql: string | undefined;
  #insertSql: string | undefined;
  #deleteSql: string | undefined;

  constructor(dialect: Dialect, name: HistoryTableName) {
    this.dialect = dialect;
    this.name = name;
    this.displayName = name.schema ? `${name.schema}.${name.table}` : name.table;
    this.#qualified = this.#qualify(name.table);
  }

  /** The same table, pinned to the schema resolved under the lock. */
  pinned(name: HistoryTableName): HistoryStore {
    return name.schema === this.name.schema && name.table === this.name.table ? this : new HistoryStore(this.dialect, name);
  }

  async ensure(on: Connection): Promise<void> {
    const { types } = this.dialect;
    try {
      await this.#create(on, types);
    } catch (error) {
      if (isStrataError(error) || this.dialect.isTransient(error)) throw error;
      const { code } = this.dialect.describeFailure(error);
      throw new StrataError(
        'HISTORY_UNWRITABLE',
        `the history table ${this.displayName} cannot be created: ${error instanceof Error ? error.message : String(error)}${code ? ` [${code}]` : ''}. ` +
          'Migrate as a role that may create it, on a writable connection (not a read-only replica or transaction)',
        { table: this.displayName, ...(code ? { databaseCode: code } : {}) },
        { cause: error },
      );
    }
  }

  async #create(on: Connection, types: Dialect['types']): Promise<void> {
    await this.dialect.ensureHistoryTable(
      on,
      this.name,
      `CREATE TABLE IF NOT EXISTS ${this.#qualified} (
         version BIGINT PRIMARY KEY,
         description TEXT NOT NULL,
         installed_on ${types.timestamp} NOT NULL DEFAULT ${types.timestampDefault},
         success BOOLEAN NOT NULL,
         checksum ${types.bytes} NOT NULL,
         execution_time BIGINT NOT NULL
       )`,
    );
  }

  /** The whole history, for status and reports; undefined when the table does not exist yet. */
  async rows(on: Connection): Promise<HistoryRow[] | undefined> {
    const rows = await this.#ifPresent(() => on.query(`SELECT ${ROW_COLUMNS} FROM ${this.#qualified} ORDER BY version`));
    return rows?.rows.map((row) => toHistoryRow(row as never, this.displayName));
  }

  /** Version, success and checksum of every row, as raw arrays: at 10,000 migrations this is the no-op check. */
  async entries(on: Connection): Promise<HistoryEntry[] | undefined> {
    const rows = await this.#ifPresent(() => on.values(`SELECT ${ENTRY_COLUMNS} FROM ${this.#qualified} ORDER BY version`));
    return rows?.map(([version, success, checksum]) => toHistoryEntry({ version, success, checksum }, this.displayName));
  }

  /** The history folded into one row: by the database where it can hash, else here in one pass. */
  async summary(on: Connection): Promise<HistorySummary | undefined> {
    const sql = this.dialect.summarySql?.(this.#qualified);
    if (sql) {
      try {
        const result = await this.#ifPresent(() => on.query(sql));
        const row = result?.rows[0];
        return row ? { count: Number(row.count), clean: row.clean === true, digest: String(row.digest) } : undefined;
      } catch (error) {
        // A server that cannot hash (no sha256() before PostgreSQL 11): fold the rows here instead.
        if (isStrataError(error) || this.dialect.isTransient(error)) throw error;
      }
    }
    const rows = await this.#ifPresent(() => on.values(`SELECT ${ENTRY_COLUMNS} FROM ${this.#qualified} ORDER BY version`));
    if (!rows) return undefined;
    const digest = new HistoryDigest();
    let clean = true;
    for (const [version, success, checksum] of rows) {
      // A row the digest cannot fold sends the run down the full path, which names what is wrong.
      if (typeof version !== 'bigint' || !(checksum instanceof Uint8Array)) clean = false;
      else digest.add(version, checksum);
      if (success !== true && success !== 1n && success !== 1) clean = false;
    }
    return { count: rows.length, clean, digest: digest.hex() };
  }

  /** The read of a step's own row inside its transaction; `stepRowState` reads its answer. */
  stepRow(version: bigint): BookkeepingStatement {
    this.#stepRowSql ??= `SELECT success FROM ${this.#qualified} WHERE version = ${this.dialect.placeholder(1)}`;
    return { sql: this.#stepRowSql, params: [version] };
  }

  /** 'dirty' when a runner stopped part-way through the step. */
  stepRowState(rows: readonly unknown[][]): 'applied' | 'dirty' | undefined {
    const [row] = rows;
    if (!row) return undefined;
    return row[0] === true || row[0] === 1n || row[0] === 1 ? 'applied' : 'dirty';
  }

  /** The history change a finished step makes, in its transaction: the row inserted (up) or deleted (down). */
  finished(step: Step, executionTimeNs: bigint): BookkeepingStatement {
    const { version, description, checksum } = step.migration;
    const p = (n: number) => this.dialect.placeholder(n);
    // Built once: the same text every step, so a driver's statement cache finds it at once.
    if (step.direction === 'down') {
      this.#deleteSql ??= `DELETE FROM ${this.#qualified} WHERE version = ${p(1)}`;
      return { sql: this.#deleteSql, params: [version] };
    }
    this.#insertSql ??= `${this.#insert} (${p(1)}, ${p(2)}, TRUE, ${p(3)}, ${p(4)})`;
    return { sql: this.#insertSql, params: [version, description, checksum, executionTimeNs] };
  }

  /** The same change as literals, to travel inside a pipelined script (a multi-statement query takes no parameters). */
  finishedLiteral(step: Step, executionTimeNs: bigint): string {
    const { version, description, checksum } = step.migration;
    if (step.direction === 'down') return `DELETE FROM ${this.#qualified} WHERE version = ${version}`;
    const { dialect } = this;
    return `${this.#insert} (${version}, ${dialect.textLiteral(description)}, TRUE, ${dialect.bytesLiteral(checksum)}, ${executionTimeNs})`;
  }

  get #insert(): string {
    return `INSERT INTO ${this.#qualified} (version, description, success, checksum, execution_time) VALUES`;
  }

  /** Before a non-transactional step: its row, dirty, so a crash part-way leaves a record the next run refuses to pass. */
  async markStarted(on: Connection, step: Step): Promise<void> {
    const p = (n: number) => this.dialect.placeholder(n);
    const { version, description, checksum } = step.migration;
    if (step.direction === 'down') {
      await on.query(`UPDATE ${this.#qualified} SET success = FALSE WHERE version = ${p(1)}`, [version]);
      return;
    }
    await on
      .query(
        `INSERT INTO ${this.#qualified} (version, description, success, checksum, execution_time) VALUES (${p(1)}, ${p(2)}, FALSE, ${p(3)}, 0)`,
        [version, description, checksum],
      )
      .catch((error: unknown) => {
        throw historyUnusable(this.displayName, error);
      });
  }

  /** After a non-transactional step: its row clean (up) or gone (down). */
  async markFinished(on: Connection, step: Step, executionTimeNs: bigint): Promise<void> {
    const p = (n: number) => this.dialect.placeholder(n);
    if (step.direction === 'down') {
      await on.query(`DELETE FROM ${this.#qualified} WHERE version = ${p(1)}`, [step.migration.version]);
      return;
    }
    await on.query(`UPDATE ${this.#qualified} SET success = TRUE, execution_time = ${p(1)} WHERE version = ${p(2)}`, [
      executionTimeNs,
      step.migration.version,
    ]);
  }

  /**
   * Records the way out of a dirty row: `applied` marks it successful, `rolled-back` removes it.
   * The dirty row is first copied to `<table>_resolutions` in the same transaction, with the
   * outcome and when and by whom it was chosen, so resolving never erases what happened (SQLx
   * ignores the extra table).
   */
  async resolve(on: Connection, version: bigint, resolution: 'applied' | 'rolled-back'): Promise<void> {
    const { dialect } = this;
    const p = (n: number) => dialect.placeholder(n);
    const resolutions = this.#qualify(resolutionsTableName(this.name.table));
    const change =
      resolution === 'applied'
        ? `UPDATE ${this.#qualified} SET success = TRUE WHERE version = ${p(1)} AND success = FALSE`
        : `DELETE FROM ${this.#qualified} WHERE version = ${p(1)} AND success = FALSE`;
    // Parameters in the order they appear (SQLite's `?` are positional).
    const copyParams: unknown[] = dialect.currentUserSql ? [resolution] : [resolution, osUser()];
    const resolvedBy = dialect.currentUserSql ?? p(2);
    const copy = `INSERT INTO ${resolutions} (version, description, resolution, resolved_by, started_on, checksum)
         SELECT version, description, ${p(1)}, ${resolvedBy}, installed_on, checksum
           FROM ${this.#qualified} WHERE version = ${p(copyParams.length + 1)} AND success = FALSE`;
    await on.begin();
    try {
      await on.exec(`CREATE TABLE IF NOT EXISTS ${resolutions} (
        version BIGINT NOT NULL,
        description TEXT NOT NULL,
        resolution TEXT NOT NULL,
        resolved_on ${dialect.types.timestamp} NOT NULL DEFAULT ${dialect.types.timestampDefault},
        resolved_by TEXT,
        started_on ${dialect.types.timestamp} NOT NULL,
        checksum ${dialect.types.bytes} NOT NULL
      )`);
      await on.query(copy, [...copyParams, version]);
      const { rowCount } = await on.query(change, [version]);
      if (rowCount === 0) {
        throw new StrataError('NOT_FOUND', `migration ${version} has no dirty row in ${this.displayName}; nothing to resolve`, {
          version: String(version),
        });
      }
      await on.commit();
    } catch (error) {
      await on.rollback().catch(() => {});
      throw error;
    }
  }

  #qualify(table: string): string {
    const quote = this.dialect.quoteIdentifier;
    return this.name.schema ? `${quote(this.name.schema)}.${quote(table)}` : quote(table);
  }

  async #ifPresent<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (this.dialect.isMissingTable(error)) return undefined;
      if (this.dialect.isMissingColumn(error)) throw historyUnusable(this.displayName, error);
      throw error;
    }
  }
}

/** SQLite has no database user; the resolutions table records the operating-system user instead. */
function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
