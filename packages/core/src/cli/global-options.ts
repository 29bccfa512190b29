import type { OptionSpec } from './command.js';

/** Options every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'database-url',
    // -D: sqlx-cli's short form.
    short: 'D',
    type: 'string',
    value: 'URL',
    description: 'database to use (else $DATABASE_URL, else DATABASE_URL in .env, looked up to the project root)',
  },
  { name: 'no-dotenv', type: 'boolean', description: 'do not read .env' },
  {
    name: 'config',
    type: 'string',
    value: 'FILE',
    description: 'read this config file (default: strata.config.{ts,mjs,js,json}, then sqlx.toml, up to the project root)',
  },
  {
    name: 'direct-url',
    type: 'string',
    value: 'URL',
    description: 'a direct connection to migrate over, past a pooler (else $DIRECT_URL); wins over the database URL',
  },
  { name: 'source', type: 'string', value: 'DIR', description: 'migrations directory (default: migrations)' },
  { name: 'table', type: 'string', value: 'NAME', description: 'history table (default: _strata_migrations)' },
  {
    name: 'history',
    type: 'string',
    value: 'KIND',
    description: "strata (default) or diesel: share Diesel's __diesel_schema_migrations with a Rust service",
  },
  {
    name: 'schema',
    type: 'string',
    value: 'NAME',
    description: 'schema (PostgreSQL) or attached database (SQLite) of the history table',
  },
  {
    name: 'lock-timeout',
    type: 'string',
    value: 'SECONDS',
    description: 'give up waiting for the migration lock after this long (default: wait)',
  },
  {
    name: 'statement-timeout',
    type: 'string',
    value: 'SECONDS',
    description: "cancel any migration statement that runs longer (MySQL: read-only SELECTs only; default: the server's)",
  },
  {
    name: 'connect-timeout',
    type: 'string',
    value: 'SECONDS',
    description: "PostgreSQL: give up on a server that does not answer (default: the URL's connect_timeout, else 10)",
  },
  {
    name: 'lock',
    type: 'string',
    value: 'KIND',
    description: 'PostgreSQL: advisory (default; excludes SQLx too) or lease (behind PgBouncer in transaction mode)',
  },
  {
    name: 'stall-timeout',
    type: 'string',
    value: 'SECONDS',
    description:
      'PostgreSQL: the server ends a run whose network stalls after its session sat idle this long, freeing its locks; 0 sets nothing (default 60)',
  },
  { name: 'json', type: 'boolean', description: 'print one JSON document on stdout instead of text' },
  { name: 'verbose', short: 'v', type: 'boolean', description: 'show engine logs and stack traces' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show help' },
];

/** Only meaningful without a command. */
export const VERSION_OPTION: OptionSpec = { name: 'version', short: 'V', type: 'boolean', description: 'print the version' };
