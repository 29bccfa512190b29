import { createHash } from 'node:crypto';
import { toHex } from './checksum.js';
import type { Migration } from './migration.js';

/**
 * The source's side of HistorySummary.digest: SHA-256 over `version:checksum-hex` pairs in
 * version order, joined by commas. Equal digests mean the history holds exactly these
 * migrations with exactly these checksums.
 */
export function sourceDigest(migrations: readonly Pick<Migration, 'version' | 'checksum'>[]): string {
  const hash = createHash('sha256');
  migrations.forEach((migration, i) => {
    hash.update(`${i === 0 ? '' : ','}${migration.version}:${toHex(migration.checksum)}`);
  });
  return hash.digest('hex');
}
