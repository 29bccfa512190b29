import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '../../errors.js';
import type { LockHolder, LockOptions } from '../driver.js';
import type { SqliteDatabaseLike } from './sqlite-handle.js';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 250;
const WAIT_REPORT_EVERY_MS = 5_000;

interface HolderNote {
  pid: number;
  host: string;
  since: string;
}

type SqliteConstructor = new (path: string, options?: { timeout?: number }) => SqliteDatabaseLike & { close(): void };

/**
 * SQLite has no session lock that outlives a transaction, and a `-- no-transaction` migration
 * commits statement by statement, so a second runner would otherwise see its dirty row and stop.
 * Runs therefore take turns on a small lock database beside the real one (`<db>.strata-lock`),
 * holding `BEGIN EXCLUSIVE` there for the whole run. SQLite's file locks belong to the process:
 * the kernel drops them when it dies, however it dies, so a killed runner never blocks the next
 * one (a pid check could not tell a restarted PID 1 in a container from the one that died).
 * The lock database is never deleted: unlinking a lock file others may hold open breaks exclusion.
 * Who holds it is noted in `<db>.strata-lock.holder`, for messages only.
 */
export class RunLockFile {
  readonly path: string;
  readonly #notePath: string;
  readonly #open: SqliteConstructor;
  #lockDb: (SqliteDatabaseLike & { close(): void }) | undefined;

  constructor(db: SqliteDatabaseLike, databasePath: string) {
    this.path = `${databasePath}.strata-lock`;
    this.#notePath = `${this.path}.holder`;
    this.#open = (db as object).constructor as SqliteConstructor;
  }

  /** Resolves with the milliseconds waited, or undefined when `stopWaitingWhen` ended the wait. */
  /** `stopWaiting` replaces options.stopWaitingWhen: the driver reads the summary it needs. */
  async acquire(options: LockOptions, stopWaiting?: () => boolean): Promise<number | undefined> {
    const started = performance.now();
    const lockDb = this.#openLockDatabase();
    let pause = FIRST_POLL_MS;
    let nextReport = 0;
    try {
      for (;;) {
        try {
          lockDb.exec('BEGIN EXCLUSIVE');
          this.#lockDb = lockDb;
          this.#writeNote();
          return performance.now() - started;
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        }
        const waited = performance.now() - started;
        const holder = this.#readNote();
        if (options.timeoutMs !== undefined && waited >= options.timeoutMs) {
          throw new StrataError(
            'LOCK_TIMEOUT',
            `gave up waiting for the migration lock after ${Math.round(waited)} ms: ${this.path} is held by ${holder ? `pid ${holder.pid} on ${holder.applicationName}` : 'another process'}`,
            { holder, lockFile: this.path },
          );
        }
        if (waited >= nextReport) {
          options.onWait?.(waited, holder);
          nextReport = waited + WAIT_REPORT_EVERY_MS;
        }
        const remaining = options.timeoutMs === undefined ? pause : Math.min(pause, Math.max(1, options.timeoutMs - waited));
        await sleep(remaining * (0.75 + Math.random() * 0.5));
        pause = Math.min(pause * 2, MAX_POLL_MS);
        if (stopWaiting?.()) {
          lockDb.close();
          return undefined;
        }
      }
    } catch (error) {
      lockDb.close();
      throw error;
    }
  }

  release(): void {
    const lockDb = this.#lockDb;
    this.#lockDb = undefined;
    // Closing ends the transaction and drops the file lock with it.
    lockDb?.close();
  }

  #openLockDatabase(): SqliteDatabaseLike & { close(): void } {
    try {
      return new this.#open(this.path, { timeout: 0 });
    } catch (error) {
      throw new StrataError(
        'LOCK_TIMEOUT',
        `cannot open the migration lock file ${this.path}: ${(error as Error).message}; the directory of the database must be writable`,
        { lockFile: this.path },
        { cause: error },
      );
    }
  }

  #writeNote(): void {
    const note: HolderNote = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      writeFileSync(this.#notePath, JSON.stringify(note));
    } catch {
      // The note only improves messages; the lock is held either way.
    }
  }

  #readNote(): LockHolder | undefined {
    try {
      const note = JSON.parse(readFileSync(this.#notePath, 'utf8')) as HolderNote;
      return typeof note.pid === 'number'
        ? { pid: note.pid, applicationName: note.host, since: new Date(note.since) }
        : undefined;
    } catch {
      return undefined;
    }
  }
}
