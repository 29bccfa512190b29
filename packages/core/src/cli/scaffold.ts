import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isStrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import { type DirectoryLayout, readMigrationsDirectory } from '../source/directory-source.js';
import { UsageError } from './usage-error.js';

export type Numbering = 'timestamp' | 'sequential';
export type Layout = 'sqlx' | 'diesel';

export interface ScaffoldRequest {
  /** The migrations directory, absolute; created when missing. */
  directory: string;
  /** The directory as the person typed it, for messages. */
  displayDirectory: string;
  name: string;
  /** -r; undefined = keep the directory's style (simple when empty). */
  reversible: boolean | undefined;
  /** --sequential / --timestamp; undefined = keep the directory's numbering (timestamp when empty). */
  numbering: Numbering | undefined;
  layout: Layout | undefined;
  now: Date;
}

export interface Scaffolded {
  version: string;
  description: string;
  layout: Layout;
  reversible: boolean;
  numbering: Numbering;
  /** Paths relative to the migrations directory, in creation order. */
  files: string[];
}

const TIMESTAMP_DIGITS = 14;

/** Creates the next migration's file(s), following the conventions the directory already uses. */
export async function scaffoldMigration(request: ScaffoldRequest): Promise<Scaffolded> {
  const name = migrationName(request.name);
  const existing = await readExisting(request.directory);
  const layout = chooseLayout(existing.layout, request.layout, request.displayDirectory);
  const reversible =
    layout === 'diesel' ? true : chooseReversible(existing.migrations, request.reversible, request.displayDirectory);
  const prefixes = existing.migrations.map(versionPrefix);
  const digits = prefixes.map((prefix) => prefix.replace(/-/g, ''));
  const newest = digits.reduce((max, d) => (BigInt(d) > max ? BigInt(d) : max), -1n);
  const newestDigits = digits.find((d) => BigInt(d) === newest);
  const numbering =
    request.numbering ?? (newestDigits === undefined || newestDigits.length >= TIMESTAMP_DIGITS ? 'timestamp' : 'sequential');

  let versionDigits: string;
  if (numbering === 'timestamp') {
    const stamp = utcStamp(request.now).padEnd(Math.max(TIMESTAMP_DIGITS, newestDigits?.length ?? 0), '0');
    // Two adds in the same second (or a clock behind the newest version) must still sort after it.
    versionDigits = BigInt(stamp) > newest ? stamp : String(newest + 1n);
  } else {
    const width = Math.max(4, ...digits.filter((d) => d.length < TIMESTAMP_DIGITS).map((d) => d.length));
    versionDigits = String(newest < 0n ? 1n : newest + 1n).padStart(width, '0');
  }
  const version = layout === 'diesel' && versionDigits.length >= TIMESTAMP_DIGITS ? dieselStamp(versionDigits) : versionDigits;

  const files =
    layout === 'diesel'
      ? [
          [`${version}_${name}/up.sql`, '-- Your SQL goes here\n'],
          [`${version}_${name}/down.sql`, '-- This file should undo anything in `up.sql`\n'],
        ]
      : reversible
        ? [
            [`${version}_${name}.up.sql`, '-- Add up migration script here\n'],
            [`${version}_${name}.down.sql`, '-- Add down migration script here\n'],
          ]
        : [[`${version}_${name}.sql`, '-- Add migration script here\n']];
  if (layout === 'diesel') await mkdir(join(request.directory, `${version}_${name}`), { recursive: true });
  else await mkdir(request.directory, { recursive: true });
  for (const [file, content] of files) {
    // 'wx': never overwrite a migration that is already there.
    await writeFile(join(request.directory, file!), content!, { flag: 'wx' });
  }
  return {
    version: versionDigits,
    description: name.replace(/_/g, ' '),
    layout,
    reversible,
    numbering,
    files: files.map(([file]) => file!),
  };
}

/** SQLx turns spaces into underscores; path separators and an empty name are refused. */
function migrationName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, '_');
  if (name === '' || /[/\\]/.test(name) || name.startsWith('.') || /[\u0000-\u001f]/.test(name)) {
    throw new UsageError(`"${raw}" cannot be a migration name: use letters, digits and underscores, e.g. create_users`);
  }
  return name;
}

async function readExisting(directory: string): Promise<{ layout: DirectoryLayout; migrations: Migration[] }> {
  try {
    return await readMigrationsDirectory(directory);
  } catch (error) {
    if (isStrataError(error, 'SOURCE_NOT_FOUND') && error.details.file === directory) return { layout: 'empty', migrations: [] };
    throw error;
  }
}

function chooseLayout(existing: DirectoryLayout, requested: Layout | undefined, directory: string): Layout {
  if (existing === 'empty') return requested ?? 'sqlx';
  if (requested && requested !== existing) {
    throw new UsageError(`${directory} uses the ${existing} layout; refusing to add a ${requested} migration to it`, {
      hint: 'use one layout per directory (drop --layout to follow the directory)',
    });
  }
  return existing;
}

function chooseReversible(migrations: readonly Migration[], requested: boolean | undefined, directory: string): boolean {
  const simple = migrations.find((m) => !m.upFile?.endsWith('.up.sql'));
  const reversible = migrations.find((m) => m.upFile?.endsWith('.up.sql'));
  if (simple && requested) {
    throw new UsageError(
      `${directory} holds simple (up-only) migrations such as ${simple.upFile}; refusing to add a reversible one beside them`,
      { hint: 'use one style per directory: drop -r, or convert the existing migrations to .up.sql/.down.sql pairs' },
    );
  }
  if (reversible) return true;
  return requested ?? false;
}

/** The version as written in the name: digits, or Diesel's `YYYY-MM-DD-HHMMSS`. */
function versionPrefix(migration: Migration): string {
  const file = migration.upFile ?? String(migration.version);
  return file.slice(0, file.indexOf('_') === -1 ? undefined : file.indexOf('_'));
}

function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, TIMESTAMP_DIGITS);
}

/** `20260601120000` → `2026-06-01-120000`; extra digits become Diesel's `-NNNN` suffix. */
function dieselStamp(digits: string): string {
  const base = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}-${digits.slice(8, 14)}`;
  return digits.length > TIMESTAMP_DIGITS ? `${base}-${digits.slice(TIMESTAMP_DIGITS)}` : base;
}
