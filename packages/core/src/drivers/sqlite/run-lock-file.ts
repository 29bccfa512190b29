import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '../../errors.js';
import type { LockHolder, LockOptions } from '../driver.js';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 500;
const WAIT_REPORT_EVERY_MS = 5_000;

interface LockFileContent {
  pid: number;
  host: string;
  since: string;
}

/**
 * SQLite has no session lock that outlives a transaction, and a `-- no-transaction` migration
 * commits statement by statement, so a second runner would otherwise see its dirty row and stop.
 * A lock file beside the database (`<db>.strata-lock`, created exclusively) makes whole runs take
 * turns, like PostgreSQL's advisory lock. A process killed while holding it leaves the file
 * behind; its pid is then gone on this host, which the next runner detects and clears.
 */
export class RunLockFile {
  readonly path: string;
  #held = false;

  constructor(databasePath: string) {
    this.path = `${databasePath}.strata-lock`;
  }

  /** Resolves with the milliseconds waited. */
  async acquire(options: LockOptions): Promise<number> {
    const started = performance.now();
    let pause = FIRST_POLL_MS;
    let nextReport = 0;
    for (;;) {
      if (this.#tryCreate()) {
        this.#held = true;
        return performance.now() - started;
      }
      const holder = this.#readHolder();
      if (holder && isStale(holder)) {
        this.#removeIfUnchanged(holder);
        continue;
      }
      const waited = performance.now() - started;
      const described = holder ? toLockHolder(holder) : undefined;
      if (options.timeoutMs !== undefined && waited >= options.timeoutMs) {
        throw new StrataError(
          'LOCK_TIMEOUT',
          `gave up waiting for the migration lock after ${Math.round(waited)} ms: ${this.path} is held by ${holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process'}`,
          { holder: described, lockFile: this.path },
        );
      }
      if (waited >= nextReport) {
        options.onWait?.(waited, described);
        nextReport = waited + WAIT_REPORT_EVERY_MS;
      }
      const remaining = options.timeoutMs === undefined ? pause : Math.min(pause, Math.max(1, options.timeoutMs - waited));
      await sleep(remaining * (0.75 + Math.random() * 0.5));
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }

  #tryCreate(): boolean {
    const content: LockFileContent = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      writeFileSync(this.path, JSON.stringify(content), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new StrataError(
        'LOCK_TIMEOUT',
        `cannot create the migration lock file ${this.path}: ${(error as Error).message}; the directory of the database must be writable`,
        { lockFile: this.path },
        { cause: error },
      );
    }
  }

  #readHolder(): LockFileContent | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as LockFileContent;
      return typeof parsed.pid === 'number' ? parsed : undefined;
    } catch {
      // Gone, or being written this very moment: try again on the next poll.
      return undefined;
    }
  }

  /** Removes a stale file only if it is still the one judged stale (another runner may have replaced it). */
  #removeIfUnchanged(stale: LockFileContent): void {
    const now = this.#readHolder();
    if (now && now.pid === stale.pid && now.since === stale.since) {
      try {
        unlinkSync(this.path);
      } catch {
        // Someone else cleared it first.
      }
    }
  }
}

function isStale(holder: LockFileContent): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function toLockHolder(holder: LockFileContent): LockHolder {
  return { pid: holder.pid, applicationName: holder.host, since: new Date(holder.since) };
}
