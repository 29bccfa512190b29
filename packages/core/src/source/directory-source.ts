import type { Dirent } from 'node:fs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import { hasNoTransactionDirective } from '../sql/directives.js';
import { compareVersions } from '../version.js';
import { parseDieselDirectoryName, parseFlatFileName } from './file-names.js';
import { dieselFileNearMisses, dieselSiblingNearMiss, directoryNearMiss, flatNearMiss, type NearMiss } from './near-misses.js';
import { describeFsError, readScript } from './read-script.js';

export type DirectoryLayout = 'sqlx' | 'diesel' | 'empty';

export interface DirectorySource {
  migrations: Migration[];
  layout: DirectoryLayout;
  /** Entries that were skipped (a README beside Diesel's directories, a stray file), for a warning. */
  ignored: string[];
  /**
   * Of what was skipped, what is named like a migration (`0001_a.SQL`, `0001_a.sql.txt`, `down.SQL`
   * in a Diesel directory), with the reason: a migration that never runs must not go unnoticed.
   */
  nearMisses: NearMiss[];
}

/** What the entries of a directory say, before any script is read. */
interface DirectoryScan {
  layout: DirectoryLayout;
  /** The flat files or the Diesel directories to read. */
  names: string[];
  /** The names inside each sub-directory, as listed (undefined: unreadable and not named like a migration). */
  inside: Map<string, string[] | undefined>;
  ignored: string[];
  nearMisses: NearMiss[];
}

/**
 * File system access here is synchronous on purpose: a directory of thousands of small files
 * reads several times faster that way, and never runs out of file descriptors.
 *
 * Reads a migrations directory in either layout, detected from its entries: Diesel's
 * `<version>_<name>/up.sql` sub-directories, or SQLx's flat `<version>_<name>[.up|.down].sql` files.
 */
export async function readMigrationsDirectory(directory: string): Promise<DirectorySource> {
  const { layout, names, inside, ignored, nearMisses } = takeWarnedScan(directory) ?? scanDirectory(directory);
  const migrations =
    layout === 'diesel' ? readDieselLayout(directory, names, inside) : layout === 'sqlx' ? readFlatLayout(directory, names) : [];
  return { migrations, layout, ignored, nearMisses };
}

/**
 * The listing {@link findNearMisses} made, kept for the read that follows it. The CLI warns about
 * near misses just before its command reads the same directory; listing a Diesel layout means one
 * readdir per migration, and doing it twice cost a 300-migration run about as much as reading the
 * scripts. Taken once, by the next read of the same directory, so the run reads exactly the
 * entries the warnings were made from.
 */
let warnedScan: { directory: string; scan: DirectoryScan } | undefined;

function takeWarnedScan(directory: string): DirectoryScan | undefined {
  const kept = warnedScan;
  warnedScan = undefined;
  return kept?.directory === directory ? kept.scan : undefined;
}

/**
 * The entries of a migrations directory that are named like a migration but not read, from its
 * listing alone (no script is read): for a warning where the migrations themselves are read
 * next. Throws what {@link readMigrationsDirectory} would throw about the listing.
 */
export function findNearMisses(directory: string): NearMiss[] {
  const scan = scanDirectory(directory);
  warnedScan = { directory, scan };
  return scan.nearMisses;
}

function scanDirectory(directory: string): DirectoryScan {
  const entries = listDirectory(directory);
  const kinds = entries.map((entry) => entryKind(directory, entry));
  const subdirectories: string[] = [];
  const files: string[] = [];
  entries.forEach((entry, i) => {
    if (entry.name.startsWith('.')) return;
    if (kinds[i] === 'directory') subdirectories.push(entry.name);
    else if (kinds[i] === 'file') files.push(entry.name);
    else if (entry.name.endsWith('.sql')) {
      // A FIFO or socket named like a migration would otherwise vanish from the run unnoticed.
      throw new StrataError('SOURCE_UNREADABLE', `cannot read migration file ${entry.name}: not a regular file`, {
        file: entry.name,
      });
    }
  });

  const inside = new Map(subdirectories.map((name) => [name, dieselEntries(directory, name)]));
  const holdsScripts = (name: string) => inside.get(name)?.some((entry) => entry === 'up.sql' || entry === 'down.sql') === true;
  const dieselDirectories = subdirectories.filter(holdsScripts);
  const otherDirectories = subdirectories.filter((name) => !holdsScripts(name));
  const directoryMisses = otherDirectories.flatMap((name) => directoryNearMiss(name, inside.get(name)) ?? []);
  if (dieselDirectories.length > 0) {
    return {
      layout: 'diesel',
      names: dieselDirectories,
      inside,
      ignored: [...files, ...otherDirectories],
      nearMisses: [
        ...files.flatMap((name) => dieselSiblingNearMiss(name) ?? []),
        ...directoryMisses,
        ...dieselDirectories.flatMap((name) => dieselFileNearMisses(name, inside.get(name)!)),
      ],
    };
  }
  const sqlFiles = files.filter((name) => name.endsWith('.sql'));
  const misplaced = subdirectories.find((name) => name.endsWith('.sql'));
  if (misplaced) {
    throw new StrataError('SOURCE_UNREADABLE', `cannot read migration file ${misplaced}: is a directory`, { file: misplaced });
  }
  const otherFiles = files.filter((name) => !name.endsWith('.sql'));
  return {
    layout: sqlFiles.length === 0 ? 'empty' : 'sqlx',
    names: sqlFiles,
    inside,
    ignored: [...otherFiles, ...subdirectories],
    nearMisses: [...otherFiles.flatMap((name) => flatNearMiss(name) ?? []), ...directoryMisses],
  };
}

function listDirectory(directory: string): Dirent[] {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new StrataError(
        'SOURCE_NOT_FOUND',
        `migrations directory ${directory} does not exist`,
        { file: directory },
        { cause },
      );
    }
    if (code === 'ENOTDIR') {
      throw new StrataError('SOURCE_NOT_FOUND', `${directory} is not a directory`, { file: directory }, { cause });
    }
    throw new StrataError(
      'SOURCE_UNREADABLE',
      `cannot read migrations directory ${directory}: ${describeFsError(cause)}`,
      { file: directory },
      { cause },
    );
  }
}

/** Resolves symbolic links so a linked file or directory counts as what it points to. */
function entryKind(directory: string, entry: Dirent): 'file' | 'directory' | 'other' {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const target = statSync(join(directory, entry.name));
    return target.isDirectory() ? 'directory' : target.isFile() ? 'file' : 'other';
  } catch (cause) {
    if (!entry.name.endsWith('.sql')) return 'other';
    throw new StrataError(
      'SOURCE_UNREADABLE',
      `cannot read migration file ${entry.name}: ${describeFsError(cause)}`,
      { file: entry.name },
      { cause },
    );
  }
}

/** The names inside a sub-directory; undefined when it cannot be read and is not named like a migration. */
function dieselEntries(directory: string, name: string): string[] | undefined {
  try {
    return readdirSync(join(directory, name));
  } catch (cause) {
    // A directory named like a migration that cannot be read must stop the run, not vanish from it.
    if (/^[\d-]+_/.test(name)) {
      throw new StrataError(
        'SOURCE_UNREADABLE',
        `cannot read migration directory ${name}: ${describeFsError(cause)}`,
        { file: name },
        { cause },
      );
    }
    return undefined;
  }
}

function readFlatLayout(directory: string, fileNames: string[]): Migration[] {
  const parsed = fileNames.map((name) => ({ name, ...parseFlatFileName(name)! }));
  const simple = parsed.filter((file) => file.kind === 'simple');
  const reversible = parsed.filter((file) => file.kind !== 'simple');
  if (simple.length > 0 && reversible.length > 0) {
    throw new StrataError(
      'MIXED_STYLES',
      `migrations directory ${directory} mixes simple migrations (${simple[0]!.name}) with reversible ones (${reversible[0]!.name}); ` +
        'use one style per directory: all <version>_<name>.sql, or all <version>_<name>.up.sql + .down.sql',
      { file: simple[0]!.name, other: reversible[0]!.name },
    );
  }

  type Pair = { up?: (typeof parsed)[number]; down?: (typeof parsed)[number] };
  const byVersion = new Map<bigint, Pair>();
  for (const file of parsed) {
    const pair = byVersion.get(file.version) ?? {};
    const slot = file.kind === 'down' ? 'down' : 'up';
    const existing = pair[slot];
    if (existing) {
      throw new StrataError(
        'DUPLICATE_VERSION',
        `duplicate migration version ${file.version}: ${existing.name} and ${file.name}`,
        {
          version: String(file.version),
          file: file.name,
          other: existing.name,
        },
      );
    }
    pair[slot] = file;
    byVersion.set(file.version, pair);
  }

  const migrations = [...byVersion.values()].map(({ up, down }): Migration => {
    if (!up) {
      throw new StrataError(
        'DOWN_WITHOUT_UP',
        `${down!.name} has no matching up script (${down!.versionText}_${down!.description.replace(/ /g, '_')}.up.sql)`,
        {
          version: String(down!.version),
          file: down!.name,
        },
      );
    }
    if (down && down.description !== up.description) {
      throw new StrataError(
        'DUPLICATE_VERSION',
        `${up.name} and ${down.name} share version ${up.version} but not a name; rename one so the pair matches`,
        {
          version: String(up.version),
          file: up.name,
          other: down.name,
        },
      );
    }
    const upScript = readScript(join(directory, up.name), up.name);
    const migration = {
      version: up.version,
      description: up.description,
      up: upScript.text,
      checksum: upScript.checksum,
      noTransaction: hasNoTransactionDirective(upScript.text),
      upFile: up.name,
    };
    return down
      ? withLazyDown(migration, join(directory, down.name), down.name, true)
      : { ...migration, downNoTransaction: false };
  });
  return migrations.sort((a, b) => compareVersions(a.version, b.version));
}

/** `inside`: each directory's entries from the scan (listed once, not again per migration). */
function readDieselLayout(directory: string, names: string[], inside: Map<string, string[] | undefined>): Migration[] {
  const seen = new Map<bigint, string>();
  const migrations = names.map((name): Migration => {
    const parsed = parseDieselDirectoryName(name);
    const dir = join(directory, name);
    const entries = inside.get(name) ?? readdirSync(dir);
    if (!entries.includes('up.sql')) {
      throw new StrataError('DOWN_WITHOUT_UP', `${name}/down.sql has no matching ${name}/up.sql`, {
        version: String(parsed.version),
        file: `${name}/down.sql`,
      });
    }
    const up = readScript(join(dir, 'up.sql'), `${name}/up.sql`);
    const runInTransaction = entries.includes('metadata.toml')
      ? readRunInTransaction(join(dir, 'metadata.toml'), `${name}/metadata.toml`)
      : true;
    const migration = {
      version: parsed.version,
      description: parsed.description,
      up: up.text,
      checksum: up.checksum,
      noTransaction: !runInTransaction || hasNoTransactionDirective(up.text),
      upFile: `${name}/up.sql`,
    };
    return entries.includes('down.sql')
      ? withLazyDown(migration, join(dir, 'down.sql'), `${name}/down.sql`, runInTransaction)
      : { ...migration, downNoTransaction: false };
  });
  for (const migration of migrations) {
    const other = seen.get(migration.version);
    if (other) {
      throw new StrataError(
        'DUPLICATE_VERSION',
        `duplicate migration version ${migration.version}: ${other} and ${migration.upFile}`,
        {
          version: String(migration.version),
          file: migration.upFile,
          other,
        },
      );
    }
    seen.set(migration.version, migration.upFile!);
  }
  return migrations.sort((a, b) => compareVersions(a.version, b.version));
}

/** Diesel's metadata.toml: only `run_in_transaction` matters to a runner. */
function readRunInTransaction(path: string, displayPath: string): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new StrataError(
      'SOURCE_UNREADABLE',
      `cannot read ${displayPath}: ${describeFsError(cause)}`,
      { file: displayPath },
      { cause },
    );
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const match = /^\s*run_in_transaction\s*=\s*([^\s#]+)\s*(#.*)?$/.exec(lines[i]!);
    if (!match) continue;
    if (match[1] === 'true') return true;
    if (match[1] === 'false') return false;
    throw new StrataError(
      'INVALID_METADATA',
      `${displayPath}:${i + 1}: run_in_transaction must be true or false, not ${match[1]}`,
      {
        file: displayPath,
        line: i + 1,
      },
    );
  }
  return true;
}

/**
 * Down scripts are read when first asked for: a run never needs them, and skipping them halves
 * the files a boot reads. `strata validate` and revert read them, so a broken one still surfaces.
 */
function withLazyDown(
  migration: Omit<Migration, 'down' | 'downFile' | 'downNoTransaction'>,
  path: string,
  downFile: string,
  runInTransaction: boolean,
): Migration {
  let script: { text: string } | undefined;
  const read = () => {
    script ??= readScript(path, downFile);
    return script.text;
  };
  return Object.defineProperties(
    { ...migration, downFile },
    {
      down: { enumerable: true, get: read },
      downNoTransaction: { enumerable: true, get: () => !runInTransaction || hasNoTransactionDirective(read()) },
    },
  ) as Migration;
}
