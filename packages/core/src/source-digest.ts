import { createHash, type Hash } from 'node:crypto';
import type { Migration } from './migration.js';

/**
 * The digest a HistorySummary carries: SHA-256 over each entry's version (8 bytes, big-endian
 * two's complement, as PostgreSQL's int8send writes a BIGINT) followed by its 48-byte checksum,
 * in version order. Bytes rather than text, so the database folds a long history cheaply.
 */
export class HistoryDigest {
  readonly #hash: Hash = createHash('sha256');
  readonly #version = Buffer.alloc(8);

  add(version: bigint, checksum: Uint8Array): void {
    this.#version.writeBigInt64BE(version);
    this.#hash.update(this.#version);
    this.#hash.update(checksum);
  }

  hex(): string {
    return this.#hash.digest('hex');
  }
}

/** The source's side of the comparison: equal digests mean the history holds exactly these migrations, unchanged. */
export function sourceDigest(migrations: readonly Pick<Migration, 'version' | 'checksum'>[]): string {
  const digest = new HistoryDigest();
  for (const migration of migrations) digest.add(migration.version, migration.checksum);
  return digest.hex();
}
