/**
 * What `strata.config.{ts,mjs,js,json}` holds: the settings every command would otherwise repeat.
 * Paths are relative to the file's directory; times are milliseconds, as the Migrator takes them.
 * Command-line flags win over the environment, which wins over this file, which wins over defaults.
 */
export interface StrataConfig {
  /** The migrations directory. Default `migrations`. */
  migrations?: string;
  /** History table. Default `_strata_migrations`; `_sqlx_migrations` shares SQLx's. */
  table?: string;
  /** Schema (PostgreSQL) or attached database (SQLite) of the history table. */
  schema?: string;
  /** The database, when neither --database-url, DATABASE_URL nor .env gives one (prefer those for secrets). */
  databaseUrl?: string;
  /** Milliseconds to wait for the migration lock. Default: wait. */
  lockTimeout?: number;
  /** PostgreSQL: milliseconds any one migration statement may run. */
  statementTimeout?: number;
  /** PostgreSQL: milliseconds to wait for a connection. Default 10 000; 0 waits. */
  connectTimeout?: number;
  /** PostgreSQL: see the Migrator's `stallTimeout`. */
  stallTimeout?: number;
  /** PostgreSQL: `advisory` (default) or `lease`. */
  lock?: 'advisory' | 'lease';
  /** Emit OpenTelemetry spans and metrics through `@opentelemetry/api` (installed separately). */
  telemetry?: boolean;
  /** Characters dropped from each up script before its checksum is taken (SQLx 0.9's `ignored-chars`), e.g. `['\r']`. */
  ignoredChars?: string[];
}

/** Types a config file: `export default defineConfig({ migrations: 'db/migrations' })`. Returns its argument. */
export function defineConfig(config: StrataConfig): StrataConfig {
  return config;
}

/** Every key a config may hold, with the type its value must have. */
export const CONFIG_KEYS: Readonly<Record<keyof StrataConfig, 'string' | 'number' | 'boolean' | 'lock' | 'characters'>> = {
  migrations: 'string',
  table: 'string',
  schema: 'string',
  databaseUrl: 'string',
  lockTimeout: 'number',
  statementTimeout: 'number',
  connectTimeout: 'number',
  stallTimeout: 'number',
  lock: 'lock',
  telemetry: 'boolean',
  ignoredChars: 'characters',
};
