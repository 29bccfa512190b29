/**
 * SQLx's advisory lock key, `0x3d32ad9e * crc32(current_database())` as a signed 64-bit integer,
 * so strata and SQLx migrators exclude each other on the same database.
 */
export function advisoryLockKey(databaseName: string): bigint {
  return BigInt.asIntN(64, 1026731422n * BigInt(crc32(Buffer.from(databaseName, 'utf8'))));
}

let table: Uint32Array | undefined;

/**
 * zlib/IEEE CRC-32. Written out rather than taken from node:zlib: loading zlib costs more at
 * import time than this loop costs for a database name.
 */
export function crc32(bytes: Uint8Array): number {
  table ??= makeTable();
  let crc = 0xffffffff;
  for (const byte of bytes) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function makeTable(): Uint32Array {
  const entries = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    entries[n] = c >>> 0;
  }
  return entries;
}
