import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { ProjectConfig } from '../config/load-config.js';
import { findProjectRoot } from '../config/project-root.js';
import { type EnvFile, envFileValue, findEnvFile } from './env-file.js';
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
    | 'strata.config'
    /** `strata studio --targets` without a URL: the first target is the one shown in detail. */
    | '--targets'
    | SqlxTsConnection['from']
    | undefined;
  /** What a relative SQLite path in the URL is relative to: the working directory, or the directory of the .env it came from. */
  databaseUrlBase: string;
  /** The nearest directory at or above the working directory holding package.json or .git. */
  projectRoot: string | undefined;
  /** Where .env is (or would be) read, for messages; undefined with --no-dotenv. */
  dotenv: string | undefined;
  /** The migrations directory as typed (for display) and resolved against the working directory. */
  source: string;
  sourcePath: string;
  table: string | undefined;
  /** --history: the kind of history table (strata's own, or Diesel's shared one). */
  history: 'strata' | 'diesel' | undefined;
  schema: string | undefined;
  lockTimeoutMs: number | undefined;
  /** The server's statement timeout for migration statements (PostgreSQL statement_timeout, MariaDB max_statement_time, MySQL max_execution_time). */
  statementTimeoutMs: number | undefined;
  /** --connect-timeout; 0 waits. Undefined: the URL's connect_timeout, else the default. */
  connectTimeoutMs: number | undefined;
  /** --lock: how runs exclude each other (PostgreSQL). */
  lock: 'advisory' | 'lease' | undefined;
  /** --stall-timeout: the Migrator's stallTimeout; 0 sets nothing. Undefined: the default. */
  stallTimeoutMs: number | undefined;
  /** strata.config's `telemetry`: OpenTelemetry spans and metrics, when @opentelemetry/api is installed. */
  telemetry: boolean;
  /** strata.config's `ignoredChars`, else sqlx.toml's `ignored-chars`: dropped before checksums. */
  ignoredChars: string[] | undefined;
}

/**
 * Flags win over the environment (.env included), which wins over the config file (strata.config,
 * then sqlx.toml), which wins over the defaults.
 */
export function resolveConfig(
  values: OptionValues,
  env: NodeJS.ProcessEnv,
  cwd: string,
  project: ProjectConfig = { files: [] },
): GlobalConfig {
  const projectRoot = findProjectRoot(cwd);
  const envFile = values['no-dotenv'] === true ? undefined : findEnvFile(cwd, projectRoot);
  // The CLI migrates, so a direct URL (Prisma's DIRECT_URL, past a pooler) wins over the pooled one
  // at the same level; a flag wins over the environment, which wins over .env.
  const candidates: [GlobalConfig['databaseUrlFrom'], () => string | undefined][] = [
    ['--direct-url', () => stringOption(values, 'direct-url')],
    ['--database-url', () => stringOption(values, 'database-url')],
    ['DIRECT_URL', () => env.DIRECT_URL || undefined],
    ['DATABASE_URL', () => env.DATABASE_URL || undefined],
    ['.env', () => envFileValue(envFile, 'DIRECT_URL') ?? envFileValue(envFile, 'DATABASE_URL')],
    ['strata.config', () => project.databaseUrl],
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
    const found = sqlxTsConnection(env, cwd, envFile);
    databaseUrl = found?.url;
    databaseUrlFrom = found?.from;
  }
  const source = sourceDirectory(stringOption(values, 'source'), cwd, projectRoot, project.migrations);
  return {
    databaseUrl,
    databaseUrlFrom,
    // sqlite://app.db in the project's .env names the project's file, wherever the command is typed.
    databaseUrlBase:
      databaseUrlFrom === '.env' && envFile
        ? envFile.directory
        : databaseUrlFrom === 'strata.config'
          ? (project.configDirectory ?? cwd)
          : cwd,
    projectRoot,
    dotenv: values['no-dotenv'] === true ? undefined : describeDotenv(envFile, cwd, projectRoot),
    ...source,
    table: nonEmpty(values, 'table') ?? project.table,
    history: historyKind(stringOption(values, 'history')),
    schema: nonEmpty(values, 'schema') ?? project.schema,
    lockTimeoutMs: seconds('lock-timeout', stringOption(values, 'lock-timeout'), 0) ?? project.lockTimeout,
    statementTimeoutMs:
      seconds('statement-timeout', stringOption(values, 'statement-timeout'), Number.MIN_VALUE) ?? project.statementTimeout,
    connectTimeoutMs: seconds('connect-timeout', stringOption(values, 'connect-timeout'), 0) ?? project.connectTimeout,
    lock: lockKind(stringOption(values, 'lock')) ?? project.lock,
    stallTimeoutMs: stallSeconds(stringOption(values, 'stall-timeout')) ?? project.stallTimeout,
    telemetry: project.telemetry === true,
    ignoredChars: project.ignoredChars,
  };
}

/**
 * --source is relative to the working directory; a config file's `migrations` to the file. Without
 * either, `migrations` in the working directory; failing that, the project root's, so `strata info` typed in a subdirectory of the project finds the project's.
 */
function sourceDirectory(
  given: string | undefined,
  cwd: string,
  projectRoot: string | undefined,
  configured: string | undefined,
): { source: string; sourcePath: string } {
  if (given !== undefined) return { source: given, sourcePath: resolve(cwd, given) };
  if (configured !== undefined) return { source: relative(cwd, configured) || '.', sourcePath: configured };
  const here = resolve(cwd, 'migrations');
  if (projectRoot === undefined || existsSync(here)) return { source: 'migrations', sourcePath: here };
  const atRoot = resolve(projectRoot, 'migrations');
  if (!existsSync(atRoot)) return { source: 'migrations', sourcePath: here };
  return { source: relative(cwd, atRoot), sourcePath: atRoot };
}

function describeDotenv(found: EnvFile | undefined, cwd: string, projectRoot: string | undefined): string {
  if (found) return relative(cwd, found.path) || '.env';
  if (projectRoot === undefined || projectRoot === cwd) return './.env';
  return `.env (here or up to ${relative(cwd, projectRoot)}/)`;
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
