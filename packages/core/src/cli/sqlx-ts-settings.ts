import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EnvFile, envFileValue } from './env-file.js';
import { UsageError } from './usage-error.js';

/**
 * sqlx-ts's connection settings, so a project that already checks its SQL with sqlx-ts need not
 * say twice where its database is: `.sqlxrc.json`'s `connections.default` and the `DB_*` variables
 * (environment, then `.env`, as sqlx-ts reads them through dotenv), a variable winning over the
 * file key by key, as in sqlx-ts. Only consulted when strata has no URL of its own (flags,
 * DIRECT_URL / DATABASE_URL, .env), and only with `DB_TYPE` or `DB_URL` set somewhere, so an app's
 * unrelated `DB_HOST` alone is never mistaken for one.
 */
export const SQLX_TS_KEYS = [
  'DB_TYPE',
  'DB_URL',
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASS',
  'DB_NAME',
  'PG_SEARCH_PATH',
] as const;

type SqlxTsKey = (typeof SQLX_TS_KEYS)[number];

export interface SqlxTsConnection {
  url: string;
  /** `.sqlxrc.json` when any key came from it, else `DB_* variables`. */
  from: '.sqlxrc.json' | 'DB_* variables';
}

export function sqlxTsConnection(
  env: NodeJS.ProcessEnv,
  cwd: string,
  envFile: EnvFile | undefined,
): SqlxTsConnection | undefined {
  const file = sqlxrcDefault(cwd);
  let fromFile = false;
  const value = (key: SqlxTsKey): string | undefined => {
    const variable = env[key] || envFileValue(envFile, key);
    if (variable) return variable;
    const configured = file?.[key];
    if (configured === undefined || configured === null || configured === '') return undefined;
    fromFile = true;
    return String(configured);
  };
  const type = value('DB_TYPE');
  const given = value('DB_URL');
  if (type === undefined && given === undefined) return undefined;
  const searchPath = value('PG_SEARCH_PATH');
  let url: string;
  if (given !== undefined) {
    url = given;
  } else {
    const host = value('DB_HOST') ?? 'localhost';
    const port = value('DB_PORT');
    const user = value('DB_USER');
    const password = value('DB_PASS');
    const name = value('DB_NAME');
    const auth = user === undefined ? '' : `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@`;
    // sqlx-ts's DB_TYPE is `postgres` or `mysql`; strata names the second's scheme and refuses it as it refuses any.
    url = `${type}://${auth}${host}${port ? `:${port}` : ''}/${name === undefined ? '' : encodeURIComponent(name)}`;
  }
  if (searchPath !== undefined && /^postgres(ql)?:/i.test(url)) {
    // libpq's `options`, which pg passes to the server at connect: the search_path sqlx-ts sets.
    url += `${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${searchPath}`)}`;
  }
  return { url, from: fromFile ? '.sqlxrc.json' : 'DB_* variables' };
}

function sqlxrcDefault(cwd: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(join(cwd, '.sqlxrc.json'), 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`.sqlxrc.json is not valid JSON: ${(error as Error).message}`);
  }
  const connection = (parsed as { connections?: { default?: unknown } } | null)?.connections?.default;
  return connection && typeof connection === 'object' ? (connection as Record<string, unknown>) : undefined;
}
