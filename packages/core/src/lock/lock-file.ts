import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Session } from '../dialects/connection.js';
import type { SqliteDatabaseLike } from '../dialects/sqlite/sqlite-handle.js';
import { StrataError } from '../errors.js';
import { every, pollWithBackoff } from '../poll-with-backoff.js';
import { describeLockHolder, type LockHolder, type LockWaitOptions, lockLost, type RunLock } from './run-lock.js';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 250;
const WAIT_REPORT_EVERY_MS = 5_000;

interface HolderNote {
  pid: number;
  host: string;
  since: string;
}

type LockDatabase = SqliteDatabaseLike & { close(): void };
type SqliteConstructor = new (path: string, options?: { timeout?: number }) => LockDatabase;

/**
 * SQLite has no session lock that outlives a transaction, and a `-- no-transaction` migration
 * commits statement by statement, so a second runner would otherwise see its dirty row and stop.
 * Runs therefore take turns on a small lock database beside the real one (`<db>.strata-lock`),
 * holding `BEGIN EXCLUSIVE` there for the whole run. SQLite's file locks belong to the process:
 * the kernel drops them when it dies, however it dies, so a killed runner never blocks the next
 * one (a pid check could not tell a restarted PID 1 in a container from the one that died).
 * The lock database is never deleted: unlinking a lock file others may hold open breaks exclusion.
 * Who holds it is noted in `<db>.strata-lock.holder`, for messages only.
 *
 * Not exclusive: a runner without the lock file (an in-memory database, an older strata) may
 * still write, so each step re-reads its own row under SQLite's write lock.
 */
export class LockFile implements RunLock {
  readonly exclusive = false;
  readonly path: string;
  readonly #notePath: string;
  readonly #open: SqliteConstructor;
  #lockDb: LockDatabase | undefined;
  /** The lock file's identity when taken: a file deleted (and recreated) under a run no longer excludes anyone. */
  #identity: string | undefined;

  constructor(db: SqliteDatabaseLike, databasePath: string) {
    this.path = `${databasePath}.strata-lock`;
    this.#notePath = `${this.path}.holder`;
    this.#open = (db as object).constructor as SqliteConstructor;
  }

  async acquire(session: Session, options: LockWaitOptions): Promise<number | undefined> {
    const started = performance.now();
    const lockDb = this.#openLockDatabase();
    try {
      const outcome = await pollWithBackoff<'locked' | 'not-needed'>(
        async (woken) => {
          if (woken && (await options.stopWaiting?.(session))) return 'not-needed';
          try {
            lockDb.exec('BEGIN EXCLUSIVE');
            return 'locked';
          } catch (error) {
            if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
            return undefined;
          }
        },
        {
          firstMs: FIRST_POLL_MS,
          maxMs: MAX_POLL_MS,
          timeoutMs: options.timeoutMs,
          timedOut: (waited) => {
            const holder = this.#readNote();
            return new StrataError(
              'LOCK_TIMEOUT',
              `gave up waiting for the migration lock after ${Math.round(waited)} ms: ${this.path} is held by ${holder ? describeLockHolder(holder) : 'another process'}`,
              { holder, lockFile: this.path },
            );
          },
          onWait: every(WAIT_REPORT_EVERY_MS, (waited) => options.onWait?.(waited, this.#readNote())),
          // No announcement reaches a waiter here: every pause ends in a look at the history.
          pause: async (ms) => {
            await new Promise((resolve) => setTimeout(resolve, ms));
            return true;
          },
        },
      );
      if (outcome === 'not-needed') {
        lockDb.close();
        return undefined;
      }
      this.#lockDb = lockDb;
      this.#identity = this.#currentIdentity();
      this.#writeNote();
      return performance.now() - started;
    } catch (error) {
      lockDb.close();
      throw error;
    }
  }

  /** Held when another connection's BEGIN EXCLUSIVE keeps even a reserved lock out; never creates the file. */
  async inspect(): Promise<LockHolder | null> {
    if (!existsSync(this.path)) return null;
    const lockDb = this.#openLockDatabase();
    try {
      lockDb.exec('BEGIN IMMEDIATE');
      lockDb.exec('ROLLBACK');
      return null;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      return this.#readNote() ?? {};
    } finally {
      lockDb.close();
    }
  }

  verify(): void {
    if (!this.#lockDb) throw lockLost('it was never taken');
    if (this.#currentIdentity() !== this.#identity) {
      throw lockLost(`${this.path} was deleted or replaced while this run held it`);
    }
  }

  #currentIdentity(): string | undefined {
    try {
      const stat = statSync(this.path);
      return `${stat.dev}:${stat.ino}`;
    } catch {
      return undefined;
    }
  }

  async release(): Promise<void> {
    const lockDb = this.#lockDb;
    this.#lockDb = undefined;
    this.#identity = undefined;
    // Closing ends the transaction and drops the file lock with it.
    lockDb?.close();
  }

  #openLockDatabase(): LockDatabase {
    try {
      return new this.#open(this.path, { timeout: 0 });
    } catch (error) {
      throw new StrataError(
        'LOCK_UNAVAILABLE',
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
      return typeof note.pid === 'number' ? { pid: note.pid, hostname: note.host, since: new Date(note.since) } : undefined;
    } catch {
      return undefined;
    }
  }
}

/** An in-memory database is one connection's alone: nobody else can run against it. */
export class NoLock implements RunLock {
  readonly exclusive = false;
  async acquire(): Promise<number> {
    return 0;
  }
  async release(): Promise<void> {}
  verify(): void {}
}
