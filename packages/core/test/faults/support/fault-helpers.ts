/** Small helpers the fault tests share: cleanups, caught errors, a logger that keeps every line. */
import type pg from 'pg';
import { afterEach } from 'vitest';
import type { Logger } from '../../../src/index.js';

/** Registers an afterEach that runs the pushed cleanups newest first; returns the list to push to. */
export function useCleanups(): (() => Promise<void> | void)[] {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/** The rejection of `promise`; fails the test if it resolves. */
export async function catchError(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  message: string;
  context?: Record<string, unknown>;
}

/** A logger that records every call, so tests can scan what the engine would have written. */
export function recordingLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const record = (level: LogLine['level']) => (message: string, context?: Record<string, unknown>) => {
    lines.push({ level, message, context });
  };
  return {
    lines,
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    debug: record('debug'),
    text: () =>
      lines
        .map(
          (line) =>
            `${line.level} ${line.message} ${JSON.stringify(line.context ?? {}, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
        )
        .join('\n'),
  };
}

/** Ordinary tables in the connected database, outside the system schemas, as `schema.table`. */
export async function postgresTables(client: pg.Client | pg.Pool): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/** History rows as `{ version, success }` with the version as a decimal string, in version order. */
export async function postgresHistory(
  client: pg.Client | pg.Pool,
  table = '_strata_migrations',
): Promise<{ version: string; success: boolean }[]> {
  const { rows } = await client.query<{ version: string; success: boolean }>(
    `SELECT version::text AS version, success FROM ${table} ORDER BY ${table}.version`,
  );
  return rows;
}
