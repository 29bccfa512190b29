import { resolve } from 'node:path';
import { readEnvFileValue } from './env-file.js';
import type { OptionValues } from './option-values.js';
import { type SqlxTsConnection, sqlxTsConnection } from './sqlx-ts-settings.js';
import { UsageError } from './usage-error.js';

/** The global options, resolved: where the database and the migrations are. */
export interface GlobalConfig {
  databaseUrl: string | undefined;
  /** Where the URL came from, for messages. */
  databaseUrlFrom:
    | '--direct-url'
    | '--database-url'
    | 'DIRECT_URL'
    | 'DATABASE_URL'
    | '.env'
    | SqlxTsConnection['from']
    | undefined;
  /** The migrations directory as typed (for display) and resolved against the working directory. */
  source: string;
  sourcePath: string;
  table: string | undefined;
  /** --history: the kind of history table (strata's own, or Diesel's shared one). */
  history: 'strata' | 'diesel' | undefined;
  schema: string | undefined;
  lockTimeoutMs: number | undefined;
  /** PostgreSQL's statement_timeout for migration statements. */
  statementTimeoutMs: number | undefined;
  /** --connect-timeout; 0 waits. Undefined: the URL's connect_timeout, else the default. */
  connectTimeoutMs: number | undefined;
  /** --lock: how runs exclude each other (PostgreSQL). */
  lock: 'advisory' | 'lease' | undefined;
  /** --stall-timeout: the Migrator's stallTimeout; 0 sets nothing. Undefined: the default. */
  stallTimeoutMs: number | undefined;
}

export function resolveConfig(values: OptionValues, env: NodeJS.ProcessEnv, cwd: string): GlobalConfig {
  const source = stringOption(values, 'source') ?? 'migrations';
  // The CLI migrates, so a direct URL (Prisma's DIRECT_URL, past a pooler) wins over the pooled one
  // at the same level; a flag wins over the environment, which wins over ./.env.
  const candidates: [GlobalConfig['databaseUrlFrom'], () => string | undefined][] = [
    ['--direct-url', () => stringOption(values, 'direct-url')],
    ['--database-url', () => stringOption(values, 'database-url')],
    ['DIRECT_URL', () => env.DIRECT_URL || undefined],
    ['DATABASE_URL', () => env.DATABASE_URL || undefined],
    ['.env', () => readEnvFileValue(cwd, 'DIRECT_URL') ?? readEnvFileValue(cwd, 'DATABASE_URL')],
  ];
  let databaseUrl: string | undefined;
  let databaseUrlFrom: GlobalConfig['databaseUrlFrom'];
  for (const [from, read] of candidates) {
    databaseUrl = read();
    if (databaseUrl) {
      databaseUrlFrom = from;
      break;
    }
  }
  if (!databaseUrl) {
    // Last: sqlx-ts's settings (.sqlxrc.json, DB_* variables), for a project that has only those.
    const found = sqlxTsConnection(env, cwd);
    databaseUrl = found?.url;
    databaseUrlFrom = found?.from;
  }
  return {
    databaseUrl,
    databaseUrlFrom,
    source,
    sourcePath: resolve(cwd, source),
    table: nonEmpty(values, 'table'),
    history: historyKind(stringOption(values, 'history')),
    schema: nonEmpty(values, 'schema'),
    lockTimeoutMs: seconds('lock-timeout', stringOption(values, 'lock-timeout'), 0),
    statementTimeoutMs: seconds('statement-timeout', stringOption(values, 'statement-timeout'), Number.MIN_VALUE),
    connectTimeoutMs: seconds('connect-timeout', stringOption(values, 'connect-timeout'), 0),
    lock: lockKind(stringOption(values, 'lock')),
    stallTimeoutMs: stallSeconds(stringOption(values, 'stall-timeout')),
  };
}

/** 0 sets nothing; otherwise at least a second, as the Migrator requires. */
function stallSeconds(text: string | undefined): number | undefined {
  const ms = seconds('stall-timeout', text, 0);
  if (ms !== undefined && ms > 0 && ms < 1000) {
    throw new UsageError(`--stall-timeout takes 0 (set nothing) or a number of seconds >= 1, not "${text}"`);
  }
  return ms;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(values: OptionValues, name: string): string | undefined {
  const value = stringOption(values, name);
  if (value === '') throw new UsageError(`--${name} cannot be empty`);
  return value;
}

/** A duration typed in seconds (decimals allowed), in milliseconds; `least` is the smallest accepted. */
function seconds(name: string, text: string | undefined, least: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < least) {
    throw new UsageError(`--${name} takes a number of seconds ${least > 0 ? '> 0' : '>= 0'}, not "${text}"`);
  }
  // A positive value never rounds down to 0 ms, which would mean "no limit" to PostgreSQL and pg.
  return value > 0 ? Math.max(1, Math.round(value * 1000)) : 0;
}

function lockKind(text: string | undefined): 'advisory' | 'lease' | undefined {
  if (text === undefined || text === 'advisory' || text === 'lease') return text;
  throw new UsageError(`--lock takes advisory or lease, not "${text}"`);
}

function historyKind(text: string | undefined): 'strata' | 'diesel' | undefined {
  if (text === undefined || text === 'strata' || text === 'diesel') return text;
  throw new UsageError(`--history takes strata or diesel, not "${text}"`);
}
