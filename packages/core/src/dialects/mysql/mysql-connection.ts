import { splitStatements } from '../../sql/split-statements.js';
import type { Connection, QueryResult, Session, TransactionState } from '../connection.js';
import type { MysqlConnectionLike, MysqlError, MysqlQueryOptions } from './mysql-handles.js';
import { mysqlLexer } from './mysql-lexer.js';
import { codePointPosition, sendable, syntaxErrorOffset } from './statement-position.js';

/** SERVER_STATUS_IN_TRANS, in the status flags of every OK packet. */
const IN_TRANSACTION = 0x0001;

/**
 * Where in the text strata handed to `exec` a failure happened (1-based, in code points), kept
 * beside the driver's error rather than on it: the dialect's describeFailure reads it.
 */
export const failurePositions = new WeakMap<object, number>();

/** What one query answers: rows (or an OK packet), and the rows' column definitions. */
export interface QueryAnswer {
  results: unknown;
  fields: unknown;
}

/** Something that runs one query: a connection, or a pool that checks one out for it. */
export type RunQuery = (options: MysqlQueryOptions) => Promise<QueryAnswer>;

/** MYSQL_TYPE_LONGLONG: a BIGINT column. */
const LONGLONG = 8;

/**
 * A mysql2 connection (or pool) as the engine's Connection. `multipleStatements` is off by
 * default in mysql2 and strata never turns it on: a script is split by strata's lexer with
 * MySQL's rules and sent one statement at a time. BIGINTs are read as strings (versions reach 18
 * digits) whatever the caller's options say.
 */
export class MysqlConnection implements Connection {
  readonly #run: RunQuery;
  protected readonly wrap: (error: unknown) => unknown;
  /** From the last OK packet; undefined after an error, until the server says again. */
  #state: TransactionState | undefined = 'idle';

  constructor(run: RunQuery, wrap: (error: unknown) => unknown) {
    this.#run = run;
    this.wrap = wrap;
  }

  async query(sql: string, params?: readonly unknown[]): Promise<QueryResult> {
    const results = await this.#send({ sql, values: params?.map(toMysqlValue) });
    if (Array.isArray(results)) return { rows: results as Record<string, unknown>[], rowCount: 0 };
    return { rows: [], rowCount: Number((results as { affectedRows?: number } | undefined)?.affectedRows ?? 0) };
  }

  async values(sql: string, params?: readonly unknown[]): Promise<unknown[][]> {
    const results = await this.#send({ sql, values: params?.map(toMysqlValue), rowsAsArray: true });
    return Array.isArray(results) ? (results as unknown[][]) : [];
  }

  /** A script: split with MySQL's rules, each statement sent alone; a failure records where it happened in `script`. */
  async exec(script: string): Promise<void> {
    for (const piece of splitStatements(script, mysqlLexer)) {
      if (piece.empty) continue;
      await this.#statement(piece.text, script, piece.start);
    }
  }

  /** One statement as the lexer split it: sent as it is, never split again (a DELIMITER body may hold `;`). */
  async execStatement(statement: string): Promise<void> {
    await this.#statement(statement, statement, 0);
  }

  async begin(): Promise<void> {
    await this.#send({ sql: 'START TRANSACTION' });
    this.#state = 'open';
  }

  async commit(): Promise<void> {
    await this.#send({ sql: 'COMMIT' });
  }

  async rollback(): Promise<void> {
    if (this.#state !== 'idle') await this.#send({ sql: 'ROLLBACK' });
  }

  transactionState(): TransactionState | undefined {
    return this.#state;
  }

  async #statement(text: string, script: string, start: number): Promise<void> {
    const { sql, from } = sendable(text);
    try {
      await this.#send({ sql });
    } catch (error) {
      if (typeof error === 'object' && error !== null && !failurePositions.has(error)) {
        const within = syntaxErrorOffset(sql, (error as MysqlError).sqlMessage ?? '') ?? 0;
        failurePositions.set(error, codePointPosition(script, start + from + within));
      }
      throw error;
    }
  }

  async #send(options: MysqlQueryOptions): Promise<unknown> {
    try {
      const { results, fields } = await this.#run({ ...options, supportBigNumbers: true, bigNumberStrings: true });
      if (Array.isArray(results) && Array.isArray(fields)) bigintColumns(results, fields, options.rowsAsArray === true);
      const status = serverStatus(results);
      if (status !== undefined) this.#state = status & IN_TRANSACTION ? 'open' : 'idle';
      return results;
    } catch (error) {
      this.#state = undefined;
      throw this.onFailure(error);
    }
  }

  protected onFailure(error: unknown): unknown {
    return this.wrap(error);
  }
}

/** A connection held for one run: the lock is taken and released on it. */
export class MysqlSession extends MysqlConnection implements Session {
  readonly connection: MysqlConnectionLike;
  #broken = false;
  #closed = false;
  readonly #release: (destroy: boolean) => void;
  /** mysql2 emits 'error' on a connection whose server went away; unheard, that event ends the process. */
  readonly #onError = () => {
    this.#broken = true;
  };

  constructor(connection: MysqlConnectionLike, wrap: (error: unknown) => unknown, release: (destroy: boolean) => void) {
    super((options) => runOn(connection, options), wrap);
    this.connection = connection;
    this.#release = release;
    connection.on?.('error', this.#onError);
  }

  get broken(): boolean {
    return this.#broken;
  }

  protected override onFailure(error: unknown): unknown {
    if ((error as MysqlError | null)?.fatal === true) this.#broken = true;
    const wrapped = this.wrap(error);
    if (wrapped !== error) this.#broken = true;
    return wrapped;
  }

  async close(dirty: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    connectionOff(this.connection, this.#onError);
    this.#release(this.#broken || dirty);
  }
}

function connectionOff(connection: MysqlConnectionLike, listener: () => void): void {
  if (typeof connection.off === 'function') connection.off('error', listener);
}

/** One query on one callback-API connection, as a promise. */
export function runOn(connection: MysqlConnectionLike, options: MysqlQueryOptions): Promise<QueryAnswer> {
  return new Promise((resolve, reject) => {
    connection.query(options, (error, results, fields) => (error ? reject(error) : resolve({ results, fields })));
  });
}

/**
 * BIGINT values (read as strings, exact) become bigints, as the engine reads versions and
 * durations from every database; in place, by column position or name.
 */
function bigintColumns(rows: unknown[], fields: unknown[], asArrays: boolean): void {
  const columns: (string | number)[] = [];
  fields.forEach((field, index) => {
    const { columnType, name } = (field ?? {}) as { columnType?: unknown; name?: unknown };
    if (columnType === LONGLONG) columns.push(asArrays ? index : String(name));
  });
  if (columns.length === 0) return;
  for (const row of rows) {
    const record = row as Record<string | number, unknown>;
    for (const column of columns) {
      const value = record[column];
      if (typeof value === 'string' && /^-?\d+$/.test(value)) record[column] = BigInt(value);
      else if (typeof value === 'number') record[column] = BigInt(value);
    }
  }
}

/** The status flags of the last OK packet in a result (a CALL returns rows, then one); undefined for rows alone. */
function serverStatus(results: unknown): number | undefined {
  const last = Array.isArray(results) ? results.at(-1) : results;
  const status = (last as { serverStatus?: unknown } | undefined)?.serverStatus;
  return typeof status === 'number' ? status : undefined;
}

/** BigInts go as they are: mysql2 writes them as integer literals, exact (a string would compare as a double). */
function toMysqlValue(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  return value;
}
