import { crc32 } from '../../lock/advisory/lock-key.js';

/**
 * sqlx-mysql's `generate_lock_id`: the lowercase hex of `0x3d32ad9e * crc32(DATABASE())` (a
 * positive i64, unpadded), the name SQLx passes to GET_LOCK, so strata and SQLx exclude each other.
 */
export function sqlxMysqlLockName(databaseName: string): string {
  return (0x3d32ad9en * BigInt(crc32(Buffer.from(databaseName, 'utf8')))).toString(16);
}
