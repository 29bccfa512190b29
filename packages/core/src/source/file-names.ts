import { StrataError } from '../errors.js';
import { parseVersion, type Version } from '../version.js';

/** What a flat-layout (SQLx) file name says about the migration it holds. */
export interface FlatFileName {
  version: Version;
  /** Digits exactly as written, for messages (`0001` stays `0001`). */
  versionText: string;
  description: string;
  kind: 'simple' | 'up' | 'down';
}

/**
 * Parses `<version>_<name>.sql`, `<version>_<name>.up.sql` or `<version>_<name>.down.sql`.
 * Returns undefined for files that are not SQL (READMEs, .gitkeep) so callers can skip them.
 */
export function parseFlatFileName(fileName: string): FlatFileName | undefined {
  if (!fileName.endsWith('.sql') || fileName.startsWith('.')) return undefined;
  let stem = fileName.slice(0, -'.sql'.length);
  let kind: FlatFileName['kind'] = 'simple';
  if (stem.endsWith('.up')) {
    kind = 'up';
    stem = stem.slice(0, -'.up'.length);
  } else if (stem.endsWith('.down')) {
    kind = 'down';
    stem = stem.slice(0, -'.down'.length);
  }
  const underscore = stem.indexOf('_');
  if (underscore <= 0) {
    throw new StrataError(
      'INVALID_FILE_NAME',
      `migration file name "${fileName}" must look like <version>_<description>.sql (for example 20260601115557_create_users.sql)`,
      { file: fileName },
    );
  }
  const versionText = stem.slice(0, underscore);
  if (!/^\d+$/.test(versionText)) {
    throw new StrataError(
      'INVALID_VERSION',
      `migration file "${fileName}" has a non-numeric version "${versionText}": the part before the first "_" must be digits`,
      { file: fileName },
    );
  }
  return {
    version: parseVersion(versionText, { file: fileName }),
    versionText,
    description: describe(stem.slice(underscore + 1)),
    kind,
  };
}

/** What a Diesel migration directory's name says: `YYYY-MM-DD-HHMMSS[-NNNN]_<name>` or `<digits>_<name>`. */
export interface DieselDirectoryName {
  version: Version;
  versionText: string;
  description: string;
}

export function parseDieselDirectoryName(dirName: string): DieselDirectoryName {
  const underscore = dirName.indexOf('_');
  const prefix = underscore > 0 ? dirName.slice(0, underscore) : '';
  const digits = prefix.replace(/-/g, '');
  if (!prefix || !/^[\d-]+$/.test(prefix) || !/^\d+$/.test(digits)) {
    throw new StrataError(
      'INVALID_VERSION',
      `migration directory "${dirName}" must be named <version>_<description>, for example 2026-06-01-000001_create_users`,
      { file: dirName },
    );
  }
  return {
    version: parseVersion(digits, { file: dirName }),
    versionText: prefix,
    description: describe(dirName.slice(underscore + 1)),
  };
}

/** SQLx's rule: the description is the name's rest with `_` turned into spaces. */
function describe(rest: string): string {
  return rest.replace(/_/g, ' ');
}
