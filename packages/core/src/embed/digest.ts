import { createHash } from 'node:crypto';
import { checksumOf, toHex } from '../checksum.js';
import type { Migration } from '../migration.js';
import { compareVersions } from '../version.js';

/** Bumped if the digest's input format ever changes, so old and new digests never collide by accident. */
const DIGEST_FORMAT = 'strata-embed-digest/1';

/**
 * SHA-256 (hex) over what decides what a set of migrations does to a database: each version, the
 * up checksum, the down checksum and both transaction flags, in version order. Descriptions and
 * file names are left out, so renaming a file does not change the digest; editing a script does.
 */
export function migrationsDigest(migrations: readonly Migration[]): string {
  const hash = createHash('sha256').update(`${DIGEST_FORMAT}\n`);
  const ordered = [...migrations].sort((a, b) => compareVersions(a.version, b.version));
  for (const migration of ordered) {
    const down = migration.down === undefined ? '-' : toHex(checksumOf(migration.down));
    const flags = `${migration.noTransaction ? 1 : 0}${migration.downNoTransaction ? 1 : 0}`;
    hash.update(`${migration.version} ${toHex(migration.checksum)} ${down} ${flags}\n`);
  }
  return hash.digest('hex');
}
