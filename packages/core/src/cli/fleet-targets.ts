import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sqliteFleetFiles, targetsFromQuery } from '../fleet/discover-targets.js';
import type { FleetDrivers } from '../fleet/drivers.js';
import type { FleetTargetInput } from '../fleet/fleet-target.js';
import type { CommandContext } from './context.js';
import { loadBetterSqlite3, loadPg } from './load-driver.js';
import { atMostOne } from './option-parsers.js';
import { UsageError } from './usage-error.js';

export interface FleetList {
  targets: FleetTargetInput[];
  /** The server's default concurrency, when the list came from a query on it. */
  concurrency: number | undefined;
  drivers: FleetDrivers;
}

/** The fleet `--targets` or `--targets-query` names, with every password registered as a secret before anything prints. */
export async function readFleetList(context: CommandContext): Promise<FleetList> {
  atMostOne(context, ['targets', 'targets-query']);
  const query = context.option('targets-query');
  const perSchema = context.flag('per-schema');
  if (perSchema && query === undefined) {
    throw new UsageError('--per-schema reads schema names from --targets-query: give one', {
      hint: 'for example --targets-query "SELECT nspname FROM pg_namespace WHERE nspname LIKE \'tenant_%\'" --per-schema',
    });
  }
  const drivers: FleetDrivers = {};
  if (query !== undefined) {
    const server = context.target();
    if (server.kind !== 'postgres') throw new UsageError('--targets-query runs on PostgreSQL: give a postgres:// database URL');
    drivers.pg = await loadPg(context.io.cwd);
    const found = await targetsFromQuery(server.url, query, { perSchema, drivers, connectTimeout: server.connectTimeoutMs });
    return { targets: found.targets, concurrency: found.concurrency, drivers };
  }
  const targets = await listedTargets(context, context.option('targets')!);
  for (const target of targets) context.out.addSecret(passwordOf(target));
  if (targets.some((url) => /^postgres(ql)?:/i.test(url))) drivers.pg = await loadPg(context.io.cwd);
  if (targets.some((url) => /^sqlite:/i.test(url))) drivers.betterSqlite3 = await loadBetterSqlite3(context.io.cwd);
  return { targets, concurrency: undefined, drivers };
}

/** A file of URLs (`-`: standard input), or SQLite files: a directory or a pattern. */
async function listedTargets(context: CommandContext, given: string): Promise<string[]> {
  if (given === '-') return parseTargetLines(await readAll(context.io.stdin));
  const path = resolve(context.io.cwd, given);
  const found = await stat(path).catch(() => undefined);
  if (found?.isFile()) return parseTargetLines(await readFile(path, 'utf8'));
  if (found?.isDirectory() || /[*?]/.test(given)) return sqliteFleetFiles(given, context.io.cwd);
  throw new UsageError(`--targets: ${given} does not exist`, {
    code: 'TARGETS_NOT_FOUND',
    hint: 'give a file of database URLs (one a line), - for standard input, or a directory or pattern of SQLite files',
  });
}

/** One URL a line; blank lines and lines starting with `#` are skipped (a `#` inside a URL is kept). */
export function parseTargetLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
