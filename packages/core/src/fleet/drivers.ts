import type { PgClientLike } from '../dialects/postgres/pg-handles.js';
import type { SqliteDatabaseLike } from '../dialects/sqlite/sqlite-handle.js';
import { StrataError } from '../errors.js';

/** A pg.Client as the fleet opens and closes it itself. */
export interface FleetPgClient extends PgClientLike {
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export type FleetSqliteDatabase = SqliteDatabaseLike & { close(): void };

/** The driver modules a fleet opens targets with; each is needed only when a target of its kind is. */
export interface FleetDrivers {
  pg?: { Client: new (config: Record<string, unknown>) => FleetPgClient };
  betterSqlite3?: new (path: string, options?: { fileMustExist?: boolean }) => FleetSqliteDatabase;
}

/** Both drivers are optional peers: imported on first use, with the install command when absent. */
export async function loadDriver<K extends keyof FleetDrivers>(
  drivers: FleetDrivers,
  name: K,
): Promise<NonNullable<FleetDrivers[K]>> {
  const given = drivers[name];
  if (given) return given as NonNullable<FleetDrivers[K]>;
  const specifier = name === 'pg' ? 'pg' : 'better-sqlite3';
  let module: unknown;
  try {
    module = await import(specifier);
  } catch (cause) {
    throw new StrataError(
      'DRIVER_NOT_INSTALLED',
      `the driver "${specifier}" is not installed; install it with: npm install ${specifier}`,
      {},
      { cause },
    );
  }
  const loaded = ((module as { default?: unknown }).default ?? module) as NonNullable<FleetDrivers[K]>;
  drivers[name] = loaded;
  return loaded;
}
