import { connectionFailed, isNetworkError } from '../dialects/connection-errors.js';
import type { DatabaseHandle } from '../dialects/registry.js';
import { StrataError } from '../errors.js';
import { type FleetDrivers, type FleetPgClient, type FleetSqliteDatabase, loadDriver } from './drivers.js';
import type { FleetTarget } from './fleet-target.js';
import { sqlitePath } from './sqlite-path.js';

/** What pg_stat_activity shows for a fleet's sessions, so a lock wait elsewhere can name them. */
export const FLEET_APPLICATION_NAME = 'strata';
/** TCP keepalive, as the CLI's own connections: a peer gone behind a stalled network is noticed in about 20 s. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/**
 * The one connection a fleet worker holds at a time, so a fleet never has more server sessions
 * than workers. The schemas of one database share it: the next schema target on the same URL
 * reuses the session after DISCARD ALL and setting its search_path. The reset runs whatever the
 * previous target did (a reset costs one round trip; something a tenant's migration set leaking
 * into the next tenant costs far more). A target on another URL closes
 * it first. After a failure the session is closed, whatever state it was left in.
 */
export class TargetConnection {
  readonly #drivers: FleetDrivers;
  readonly #connectTimeoutMs: number;
  #pg: { url: string; client: FleetPgClient; used: boolean } | undefined;
  #sqlite: FleetSqliteDatabase | undefined;

  constructor(drivers: FleetDrivers, connectTimeoutMs: number) {
    this.#drivers = drivers;
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  /** The handle to give the target's Migrator, its session ready (search_path set for a schema target). */
  async open(target: FleetTarget): Promise<DatabaseHandle> {
    if (target.kind === 'sqlite') {
      await this.close();
      const Database = await loadDriver(this.#drivers, 'betterSqlite3');
      const { path, create } = sqlitePath(target.url);
      try {
        this.#sqlite = new Database(path, { fileMustExist: !create });
      } catch (cause) {
        throw new StrataError('CONNECTION_FAILED', `cannot open SQLite database ${path}: ${(cause as Error).message}`, {
          databaseCode: (cause as { code?: string }).code,
        });
      }
      return this.#sqlite;
    }
    const reuse = this.#pg?.url === target.url ? this.#pg : undefined;
    if (!reuse) await this.close();
    const held = reuse ?? { url: target.url, client: await this.#connect(target), used: false };
    this.#pg = held;
    const prepare = [
      ...(held.used ? ['DISCARD ALL'] : []),
      ...(target.schema !== undefined ? [`SET search_path TO ${quoteIdentifier(target.schema)}`] : []),
    ];
    held.used = true;
    try {
      // Apart: a multi-statement query is one implicit transaction, and DISCARD ALL refuses to run in one.
      for (const statement of prepare) await held.client.query(statement);
    } catch (cause) {
      await this.close();
      throw isNetworkError(cause) ? connectionFailed(target.label, cause, true) : cause;
    }
    return held.client;
  }

  /** After the target's work: a session that failed is not trusted with the next target. */
  async finished(failed: boolean): Promise<void> {
    if (failed || this.#sqlite) await this.close();
  }

  async close(): Promise<void> {
    const sqlite = this.#sqlite;
    this.#sqlite = undefined;
    if (sqlite?.open) sqlite.close();
    const pg = this.#pg;
    this.#pg = undefined;
    await pg?.client.end().catch(() => {});
  }

  async #connect(target: FleetTarget): Promise<FleetPgClient> {
    const pg = await loadDriver(this.#drivers, 'pg');
    const client = new pg.Client({
      connectionString: target.url,
      application_name: FLEET_APPLICATION_NAME,
      // pg's own bound on the startup: a server that accepts and never answers ends the attempt.
      connectionTimeoutMillis: this.#connectTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    });
    // A session the server drops between targets must not crash the process; the next query says so.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (cause) {
      await client.end().catch(() => {});
      const code = (cause as { code?: unknown }).code;
      // 28xxx (authentication) and 3D000 (no such database) will not heal by waiting.
      const transient = !(typeof code === 'string' && /^(28|3D)/.test(code));
      throw connectionFailed(target.label, cause, transient);
    }
    return client;
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
