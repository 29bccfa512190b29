import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCharacterList } from '../checksum.js';
import { StrataError } from '../errors.js';
import { directoriesUpToRoot, findProjectRoot } from './project-root.js';
import { parseSqlxToml, type SqlxMigrateConfig } from './sqlx-toml.js';
import { CONFIG_KEYS, type StrataConfig } from './strata-config.js';

/** Looked for in this order, in the working directory and then each parent up to the project root. */
export const CONFIG_FILES = [
  'strata.config.ts',
  'strata.config.mts',
  'strata.config.mjs',
  'strata.config.js',
  'strata.config.json',
] as const;

/** The settings found, merged (strata.config first, then sqlx.toml), with paths made absolute. */
export interface ProjectConfig extends Omit<StrataConfig, 'migrations'> {
  /** The files read, for messages; empty when there were none. */
  files: string[];
  /** The strata.config file's directory (what its relative paths, a SQLite URL's too, are relative to). */
  configDirectory?: string;
  /** The migrations directory, absolute. */
  migrations?: string;
}

/** What loadConfig() gives the library: Migrator options, the migrations directory absolute. */
export type ConfigOptions = Omit<StrataConfig, 'migrations' | 'databaseUrl'> & { migrations: string };

export interface FindConfigOptions {
  /** Where to start looking. Default: the working directory. */
  cwd?: string;
  /** A config file to read instead of looking for one (relative to `cwd`). */
  file?: string;
}

/**
 * Finds and reads the project's configuration: `strata.config.*` and SQLx's `sqlx.toml`, each the
 * nearest from `cwd` up to the project root. A key strata.config sets wins over sqlx.toml's.
 */
export async function loadProjectConfig(options: FindConfigOptions = {}): Promise<ProjectConfig> {
  const cwd = options.cwd ?? process.cwd();
  const directories = directoriesUpToRoot(cwd, findProjectRoot(cwd));
  const configFile = options.file !== undefined ? requireFile(resolve(cwd, options.file)) : nearest(directories, CONFIG_FILES);
  const sqlxFile = nearest(directories, ['sqlx.toml']);
  const config = configFile ? await readStrataConfig(configFile) : {};
  const sqlx = sqlxFile ? readSqlxToml(sqlxFile) : {};
  const base = configFile ? dirname(configFile) : cwd;
  const sqlxBase = sqlxFile ? dirname(sqlxFile) : cwd;
  const [sqlxSchema, sqlxTable] = splitTableName(sqlx.tableName);
  const merged: ProjectConfig = { files: [configFile, sqlxFile].filter((file): file is string => file !== undefined) };
  if (configFile) merged.configDirectory = base;
  const migrations =
    config.migrations !== undefined
      ? resolve(base, config.migrations)
      : sqlx.migrationsDir !== undefined
        ? resolve(sqlxBase, sqlx.migrationsDir)
        : undefined;
  assign(merged, 'migrations', migrations);
  assign(merged, 'table', config.table ?? sqlxTable);
  assign(merged, 'schema', config.schema ?? (config.table === undefined ? sqlxSchema : undefined));
  for (const key of [
    'databaseUrl',
    'lockTimeout',
    'statementTimeout',
    'connectTimeout',
    'stallTimeout',
    'lock',
    'telemetry',
  ] as const) {
    assign(merged, key, config[key]);
  }
  assign(merged, 'ignoredChars', config.ignoredChars ?? sqlxIgnoredChars(sqlx.ignoredChars, sqlxFile));
  return merged;
}

function assign<K extends keyof ProjectConfig>(target: ProjectConfig, key: K, value: ProjectConfig[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function nearest(directories: readonly string[], names: readonly string[]): string | undefined {
  for (const directory of directories) {
    for (const name of names) {
      const path = join(directory, name);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

function requireFile(path: string): string {
  if (!existsSync(path)) throw new StrataError('INVALID_CONFIG', `config file ${path} does not exist`, { file: path });
  return path;
}

/** `schema.table` → both; `table` → the table alone (SQLx's table-name may be qualified). */
function splitTableName(name: string | undefined): [string | undefined, string | undefined] {
  if (name === undefined) return [undefined, undefined];
  const dot = name.indexOf('.');
  return dot === -1 ? [undefined, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

async function readStrataConfig(file: string): Promise<StrataConfig> {
  let value: unknown;
  if (file.endsWith('.json')) {
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new StrataError('INVALID_CONFIG', `cannot read ${file}: ${(cause as Error).message}`, { file }, { cause });
    }
  } else {
    value = await importConfig(file);
  }
  return checkConfig(value, file);
}

async function importConfig(file: string): Promise<unknown> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new StrataError(
        'INVALID_CONFIG',
        `cannot load ${file}: Node ${process.versions.node} does not run TypeScript by itself (Node 22.18 and later strip the types); ` +
          'rename it strata.config.mjs (defineConfig works there too), or run strata under a TypeScript loader such as tsx',
        { file },
        { cause },
      );
    }
    throw new StrataError(
      'INVALID_CONFIG',
      `cannot load ${file}: ${(cause as Error)?.message ?? String(cause)}`,
      { file },
      { cause },
    );
  }
  // A function (as vite's and drizzle's configs may be) is called; its result may be a promise.
  const exported = module.default;
  return typeof exported === 'function' ? await (exported as () => unknown)() : exported;
}

function checkConfig(value: unknown, file: string): StrataConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StrataError(
      'INVALID_CONFIG',
      `${file} must export (as default) an object, such as defineConfig({ migrations: 'migrations' })`,
      {
        file,
      },
    );
  }
  for (const [key, entry] of Object.entries(value)) {
    const kind = (CONFIG_KEYS as Record<string, string>)[key];
    if (kind === undefined) {
      throw new StrataError(
        'INVALID_CONFIG',
        `${file}: unknown key "${key}" (strata takes ${Object.keys(CONFIG_KEYS).join(', ')})`,
        { file },
      );
    }
    if (entry === undefined) continue;
    const ok =
      kind === 'lock'
        ? entry === 'advisory' || entry === 'lease'
        : kind === 'characters'
          ? isCharacterList(entry)
          : kind === 'number'
            ? typeof entry === 'number' && Number.isFinite(entry) && entry >= 0
            : typeof entry === kind && (kind !== 'string' || entry !== '');
    if (!ok) {
      const wanted =
        kind === 'lock'
          ? "'advisory' or 'lease'"
          : kind === 'characters'
            ? "an array of single characters, such as ['\\r']"
            : kind === 'number'
              ? 'a number of milliseconds >= 0'
              : `a non-empty ${kind}`;
      throw new StrataError('INVALID_CONFIG', `${file}: "${key}" must be ${wanted}, not ${JSON.stringify(entry)}`, { file });
    }
  }
  return value as StrataConfig;
}

function readSqlxToml(file: string): SqlxMigrateConfig {
  try {
    return parseSqlxToml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new StrataError('INVALID_CONFIG', `cannot read ${file}: ${(cause as Error).message}`, { file }, { cause });
  }
}

/**
 * The library's side: the project's configuration as Migrator options, to spread into
 * `new Migrator({ db, ...(await loadConfig()) })`. Only what the file sets is returned.
 */
export async function loadConfig(options: FindConfigOptions = {}): Promise<ConfigOptions> {
  const { files: _files, configDirectory, databaseUrl: _url, migrations, ...rest } = await loadProjectConfig(options);
  return { migrations: migrations ?? resolve(configDirectory ?? options.cwd ?? process.cwd(), 'migrations'), ...rest };
}

function sqlxIgnoredChars(chars: string[] | undefined, file: string | undefined): string[] | undefined {
  if (chars === undefined || chars.length === 0) return undefined;
  if (!isCharacterList(chars)) {
    throw new StrataError(
      'INVALID_CONFIG',
      `${file}: migrate.ignored-chars must list single characters, such as ["\\r"], not ${JSON.stringify(chars)}`,
      { file },
    );
  }
  return chars;
}
