import { crc32 } from 'node:zlib';

/**
 * SQLx's advisory lock key, `0x3d32ad9e * crc32(current_database())` as a signed 64-bit integer,
 * so strata and SQLx migrators exclude each other on the same database.
 */
export function advisoryLockKey(databaseName: string): bigint {
  return BigInt.asIntN(64, 1026731422n * BigInt(crc32(Buffer.from(databaseName, 'utf8'))));
}
