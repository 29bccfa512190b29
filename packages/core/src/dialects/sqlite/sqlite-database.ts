import { StrataError } from '../../errors.js';
import { LockFile, NoLock } from '../../lock/lock-file.js';
import type { LockWaitOptions, RunLock } from '../../lock/run-lock.js';
import type { Session } from '../connection.js';
import type { Database, ScratchDatabase, SessionSettings } from '../database.js';
import type { HistoryTableName } from '../dialect.js';
import { SqliteConnection } from './sqlite-connection.js';
import { sqliteDialect } from './sqlite-dialect.js';
import type { SqliteDatabaseLike } from './sqlite-handle.js';

/** The caller's better-sqlite3 Database. strata never closes it. */
export class SqliteDatabase implements Database {
  readonly dialect = sqliteDialect;
  readonly reader: SqliteConnection;
  readonly runLock: RunLock;
  readonly handle: SqliteDatabaseLike;

  constructor(db: SqliteDatabaseLike) {
    this.handle = db;
    this.reader = new SqliteConnection(db);
    this.runLock = db.memory || !db.name ? new NoLock() : new LockFile(db, db.name);
  }

  describe(): string {
    return this.handle.memory ? 'sqlite::memory:' : `sqlite://${this.handle.name}`;
  }

  /** The run's session is the handle itself; `wait` bounds each wait for SQLite's write lock. */
  async openSession(wait?: LockWaitOptions): Promise<SqliteConnection> {
    return new SqliteConnection(this.handle, wait);
  }

  async pinHistoryTable(_session: Session, configured: HistoryTableName): Promise<HistoryTableName> {
    if (configured.schema?.toLowerCase() === 'temp') {
      // A temp table lives and dies with one connection: every run would find no history and apply everything again.
      throw new StrataError(
        'INVALID_OPTIONS',
        "the history table cannot live in SQLite's `temp` schema: it would vanish with the connection and every run would apply everything again",
      );
    }
    return configured;
  }

  async configureSession(): Promise<SessionSettings> {
    return { perStep: undefined, restore: async () => {} };
  }

  async createScratch(): Promise<ScratchDatabase> {
    // Only validate --reversible and the drift check build a scratch database: loaded for them alone.
    const { createSqliteScratch } = await import('./sqlite-scratch.js');
    return createSqliteScratch(this.handle);
  }

  connectionFailure(error: unknown): unknown {
    return error;
  }
}
