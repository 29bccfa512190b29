import { join } from 'node:path';

/**
 * An entry of a migrations directory that is named like a migration yet is not read: `0001_a.SQL`,
 * `0001_a.sql.txt`, a flat file beside Diesel's directories, `down.SQL` inside one. SQLx skips
 * such files without a word and the migration silently never runs; strata names each one so that
 * whoever shows the directory to a person (the CLI) can warn.
 */
export interface NearMiss {
  /** Relative to the migrations directory, `/`-separated: `0001_a.SQL`, `2026-06-01-000001_x/down.SQL`. */
  entry: string;
  /** Why it is not read, to follow "is not read as a migration: ". */
  reason: string;
  /** The name it would be read under, when renaming is all it takes. */
  rename?: string;
}

/**
 * One line for a person: `migrations/0001_a.SQL is not read as a migration: only names ending in
 * lower-case .sql are read; rename it to 0001_a.sql`. `directory` is shown as given.
 */
export function describeNearMiss(miss: NearMiss, directory: string): string {
  const rename = miss.rename === undefined ? '' : `; rename it to ${miss.rename}`;
  return `${join(directory, miss.entry)} is not read as a migration: ${miss.reason}${rename}`;
}

/** `<digits>_…` or Diesel's `YYYY-MM-DD-HHMMSS_…`: what every migration's name starts with. */
const VERSIONED = /^\d[\d-]*_/;
const SQL_IN_OTHER_CASE = /\.sql$/i;
const SQL_THEN_MORE = /\.sql\./i;

/** A top-level file the flat (SQLx) layout does not read, because its name does not end in `.sql`. */
export function flatNearMiss(name: string): NearMiss | undefined {
  if (SQL_IN_OTHER_CASE.test(name)) {
    const rename = name.replace(/(\.(up|down))?\.sql$/i, (suffix) => suffix.toLowerCase());
    return { entry: name, reason: 'only names ending in lower-case .sql are read', rename };
  }
  if (SQL_THEN_MORE.test(name)) {
    return { entry: name, reason: 'only names ending in .sql are read (start the name with "." to hide a copy)' };
  }
  if (VERSIONED.test(name)) return { entry: name, reason: 'its name starts with a version but does not end in .sql' };
  return undefined;
}

/** A top-level file beside Diesel's `<version>_<name>/` directories: that layout reads none. */
export function dieselSiblingNearMiss(name: string): NearMiss | undefined {
  if (!VERSIONED.test(name) && !/\.sql/i.test(name)) return undefined;
  return {
    entry: name,
    reason: 'this directory holds Diesel-style <version>_<name>/up.sql directories, and files beside them are not read',
  };
}

/** A `<version>_<name>/` directory holding neither `up.sql` nor `down.sql`. */
export function directoryNearMiss(name: string, inside: readonly string[] | undefined): NearMiss | undefined {
  if (!VERSIONED.test(name)) return undefined;
  const variant = inside?.find((entry) => /^(up|down)\.sql$/i.test(entry));
  return {
    entry: name,
    reason: variant
      ? `it holds ${variant} but no up.sql (the names are case-sensitive)`
      : 'a migration directory must hold an up.sql',
  };
}

const DIESEL_FILES = ['up.sql', 'down.sql', 'metadata.toml'];

/** Inside a Diesel migration directory: `DOWN.sql`, `Up.SQL`, `metadata.TOML` are not read. */
export function dieselFileNearMisses(directory: string, inside: readonly string[]): NearMiss[] {
  const found: NearMiss[] = [];
  for (const entry of inside) {
    const meant = DIESEL_FILES.find((name) => name === entry.toLowerCase());
    if (meant && meant !== entry) {
      found.push({
        entry: `${directory}/${entry}`,
        reason: `only ${meant} in lower case is read`,
        rename: `${directory}/${meant}`,
      });
    }
  }
  return found;
}
