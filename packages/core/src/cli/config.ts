import { resolve } from 'node:path';
import type { OptionValues } from './command.js';
import { readEnvFileValue } from './env-file.js';
import { UsageError } from './usage-error.js';

/** The global options, resolved: where the database and the migrations are. */
export interface GlobalConfig {
  databaseUrl: string | undefined;
  /** Where the URL came from, for messages. */
  databaseUrlFrom: '--database-url' | 'DATABASE_URL' | '.env' | undefined;
  /** The migrations directory as typed (for display) and resolved against the working directory. */
  source: string;
  sourcePath: string;
  table: string | undefined;
  schema: string | undefined;
  lockTimeoutMs: number | undefined;
}

export function resolveConfig(values: OptionValues, env: NodeJS.ProcessEnv, cwd: string): GlobalConfig {
  const source = stringOption(values, 'source') ?? 'migrations';
  const fromFlag = stringOption(values, 'database-url');
  const fromEnv = env.DATABASE_URL || undefined;
  const fromFile = fromFlag || fromEnv ? undefined : readEnvFileValue(cwd, 'DATABASE_URL');
  return {
    databaseUrl: fromFlag ?? fromEnv ?? fromFile,
    databaseUrlFrom: fromFlag ? '--database-url' : fromEnv ? 'DATABASE_URL' : fromFile ? '.env' : undefined,
    source,
    sourcePath: resolve(cwd, source),
    table: nonEmpty(values, 'table'),
    schema: nonEmpty(values, 'schema'),
    lockTimeoutMs: lockTimeout(stringOption(values, 'lock-timeout')),
  };
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

function lockTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--lock-timeout takes a number of seconds >= 0, not "${text}"`);
  }
  return Math.round(seconds * 1000);
}
