import type { Connection } from '../dialects/connection.js';
import type { Dialect } from '../dialects/dialect.js';
import type { Step } from '../engine/step.js';
import { isStrataError, StrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import { HistoryDigest } from '../source-digest.js';
import type { HistoryEntry, HistoryRow, HistorySummary } from './history-entry.js';
import { ensureOrExplain, historyUnusable, readIfPresent, toHistoryEntry, toHistoryRow } from './history-rows.js';
import type { BookkeepingStatement, HistoryStore } from './history-store.js';
import { HistoryTable } from './history-table.js';
import { Parameters } from './parameters.js';
import type { Resolution } from './resolutions.js';

const ROW_COLUMNS = 'version, description, installed_on, success, checksum, execution_time';
const ENTRY_COLUMNS = 'version, success, checksum';

/**
 * strata's own history table, with SQLx's columns (so `table: '_sqlx_migrations'` shares a
 * history with a Rust service using SQLx): reads, the write each step makes, and the audited
 * changes (resolve, repair, baseline, import). Execution lives in the engine.
 */
export class SqlxHistoryStore extends HistoryTable implements HistoryStore {
  readonly keepsChecksums = true;
  readonly keepsDirtyRows = true;
  #stepRowSql: string | undefined;
  #insertSql: string | undefined;
  #deleteSql: string | undefined;

  async ensure(on: Connection): Promise<void> {
    await ensureOrExplain(this.dialect, this.displayName, () => this.#create(on, this.dialect.types));
  }

  async #create(on: Connection, types: Dialect['types']): Promise<void> {
    await this.dialect.ensureHistoryTable(
      on,
      this.name,
      `CREATE TABLE IF NOT EXISTS ${this.qualified} (
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
    return this.#ifPresent(on, async () =>
      (await on.query(`SELECT ${ROW_COLUMNS} FROM ${this.qualified} ORDER BY version`)).rows.map((row) =>
        toHistoryRow(row as never, this.displayName),
      ),
    );
  }

  /** Version, success and checksum of every row, as raw arrays: at 10,000 migrations this is the no-op check. */
  async entries(on: Connection): Promise<HistoryEntry[] | undefined> {
    return this.#ifPresent(on, async () =>
      (await on.values(`SELECT ${ENTRY_COLUMNS} FROM ${this.qualified} ORDER BY version`)).map(([version, success, checksum]) =>
        toHistoryEntry({ version, success, checksum }, this.displayName),
      ),
    );
  }

  /** The history folded into one row: by the database where it can hash, else here in one pass. */
  async summary(on: Connection): Promise<HistorySummary | undefined> {
    const sql = this.dialect.summarySql?.(this.qualified);
    if (sql) {
      try {
        const result = await this.#ifPresent(on, () => on.query(sql));
        const row = result?.rows[0];
        return row ? { count: Number(row.count), clean: row.clean === true, digest: String(row.digest) } : undefined;
      } catch (error) {
        // A server that cannot hash (no sha256() before PostgreSQL 11): fold the rows here instead.
        if (isStrataError(error) || this.dialect.isTransient(error)) throw error;
      }
    }
    const rows = await this.#ifPresent(on, () => on.values(`SELECT ${ENTRY_COLUMNS} FROM ${this.qualified} ORDER BY version`));
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
  stepRow(migration: Migration): BookkeepingStatement {
    this.#stepRowSql ??= `SELECT success FROM ${this.qualified} WHERE version = ${this.dialect.placeholder(1)}`;
    return { sql: this.#stepRowSql, params: [migration.version] };
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
      this.#deleteSql ??= `DELETE FROM ${this.qualified} WHERE version = ${p(1)}`;
      return { sql: this.#deleteSql, params: [version] };
    }
    this.#insertSql ??= `${this.#insert} (${p(1)}, ${p(2)}, TRUE, ${p(3)}, ${p(4)})`;
    return { sql: this.#insertSql, params: [version, description, checksum, executionTimeNs] };
  }

  /** The same change as literals, to travel inside a pipelined script (a multi-statement query takes no parameters). */
  finishedLiteral(step: Step, executionTimeNs: bigint): string {
    const { version, description, checksum } = step.migration;
    if (step.direction === 'down') return `DELETE FROM ${this.qualified} WHERE version = ${version}`;
    const { dialect } = this;
    return `${this.#insert} (${version}, ${dialect.textLiteral(description)}, TRUE, ${dialect.bytesLiteral(checksum)}, ${executionTimeNs})`;
  }

  get #insert(): string {
    return `INSERT INTO ${this.qualified} (version, description, success, checksum, execution_time) VALUES`;
  }

  /** Before a non-transactional step: its row, dirty, so a crash part-way leaves a record the next run refuses to pass. */
  async markStarted(on: Connection, step: Step): Promise<void> {
    const p = (n: number) => this.dialect.placeholder(n);
    const { version, description, checksum } = step.migration;
    if (step.direction === 'down') {
      await on.query(`UPDATE ${this.qualified} SET success = FALSE WHERE version = ${p(1)}`, [version]);
      return;
    }
    await on
      .query(
        `INSERT INTO ${this.qualified} (version, description, success, checksum, execution_time) VALUES (${p(1)}, ${p(2)}, FALSE, ${p(3)}, 0)`,
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
      await on.query(`DELETE FROM ${this.qualified} WHERE version = ${p(1)}`, [step.migration.version]);
      return;
    }
    await on.query(`UPDATE ${this.qualified} SET success = TRUE, execution_time = ${p(1)} WHERE version = ${p(2)}`, [
      executionTimeNs,
      step.migration.version,
    ]);
  }

  /**
   * Records the way out of a dirty row: `applied` marks it successful, `rolled-back` removes it.
   * The dirty row is first copied to `<table>_resolutions` in the same transaction, with the
   * outcome and when and by whom it was chosen, so resolving never erases what happened.
   */
  async resolve(on: Connection, version: bigint, resolution: 'applied' | 'rolled-back'): Promise<void> {
    const change =
      resolution === 'applied'
        ? `UPDATE ${this.qualified} SET success = TRUE WHERE version = ${this.dialect.placeholder(1)} AND success = FALSE`
        : `DELETE FROM ${this.qualified} WHERE version = ${this.dialect.placeholder(1)} AND success = FALSE`;
    await this.audit.transaction(on, async () => {
      await this.#auditCopy(on, version, 'FALSE', resolution);
      const { rowCount } = await on.query(change, [version]);
      if (rowCount === 0) {
        throw new StrataError('NOT_FOUND', `migration ${version} has no dirty row in ${this.displayName}; nothing to resolve`, {
          version: String(version),
        });
      }
    });
  }

  /**
   * Re-records the checksum of an applied migration whose file was changed on purpose. The row as
   * it was (old checksum) goes to the audit table with the new checksum and the reason first.
   */
  async repair(on: Connection, migration: Migration, reason: string | undefined): Promise<void> {
    const { version, checksum, description } = migration;
    await this.audit.transaction(on, async () => {
      await this.#auditCopy(on, version, 'TRUE', 'repaired', checksum, reason);
      const p = (n: number) => this.dialect.placeholder(n);
      const { rowCount } = await on.query(
        `UPDATE ${this.qualified} SET checksum = ${p(1)}, description = ${p(2)} WHERE version = ${p(3)} AND success = TRUE`,
        [checksum, description, version],
      );
      if (rowCount === 0) {
        throw new StrataError(
          'NOT_FOUND',
          `migration ${version} is not applied in ${this.displayName}; there is nothing to repair`,
          {
            version: String(version),
          },
        );
      }
    });
  }

  /**
   * Records migrations as applied without running them (baseline, import): each row clean, with
   * the source's checksum and an execution time of 0, and an audit row naming how it got there;
   * all in one transaction.
   */
  async recordApplied(on: Connection, migrations: readonly Migration[], resolution: Resolution, reason?: string): Promise<void> {
    await this.audit.transaction(on, async () => {
      for (const migration of migrations) {
        const params = new Parameters(this.dialect);
        const values = [
          params.add(migration.version),
          params.add(migration.description),
          'TRUE',
          params.add(migration.checksum),
          '0',
        ];
        await on.query(
          `INSERT INTO ${this.qualified} (version, description, success, checksum, execution_time) VALUES (${values.join(', ')})`,
          params.values,
        );
        await this.audit.recorded(on, migration, resolution, reason);
      }
    });
  }

  /** Copies a history row, as it is before the change, into the audit table. */
  async #auditCopy(
    on: Connection,
    version: bigint,
    success: 'TRUE' | 'FALSE',
    resolution: Resolution,
    newChecksum?: Uint8Array,
    reason?: string,
  ): Promise<void> {
    const params = new Parameters(this.dialect);
    const picked = `${params.add(resolution)}, ${this.audit.resolvedBy(params)}, installed_on, checksum, ${params.add(newChecksum ?? null)}, ${params.add(reason ?? null)}`;
    await on.query(
      `INSERT INTO ${this.audit.qualified} (version, description, resolution, resolved_by, started_on, checksum, new_checksum, reason)
         SELECT version, description, ${picked}
           FROM ${this.qualified} WHERE version = ${params.add(version)} AND success = ${success}`,
      params.values,
    );
  }

  #ifPresent<T>(on: Connection, read: () => Promise<T>): Promise<T | undefined> {
    return readIfPresent(on, this, read);
  }
}
