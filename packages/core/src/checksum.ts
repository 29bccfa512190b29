import { createHash } from 'node:crypto';

/** SQLx's checksum: SHA-384 of the script's bytes exactly as stored. */
export function checksumOf(script: string | Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha384').update(script).digest());
}

/**
 * SQLx 0.9's `migrate.ignored-chars`: the script's characters in `ignored` are dropped before it is
 * hashed, so a checkout that only differs in them (a CRLF line ending, a byte-order mark) matches.
 */
export function checksumIgnoring(script: string, ignored: ReadonlySet<string>): Uint8Array {
  let kept = '';
  for (const char of script) if (!ignored.has(char)) kept += char;
  return checksumOf(kept);
}

/** One character (code point) each: what SQLx 0.9's `ignored-chars` holds. */
export function isCharacterList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string' && [...entry].length === 1);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

export type ChecksumMatch = 'exact' | 'line-endings' | 'different';

/**
 * Compares an applied checksum with a script. A checkout that only converted LF to CRLF (or back)
 * is the same migration, so both alternative line endings are tried before calling it modified.
 */
export function matchChecksum(applied: Uint8Array, script: string, scriptChecksum: Uint8Array): ChecksumMatch {
  if (sameBytes(applied, scriptChecksum)) return 'exact';
  const lf = script.replace(/\r\n/g, '\n');
  if (lf !== script && sameBytes(applied, checksumOf(lf))) return 'line-endings';
  const crlf = lf.replace(/\n/g, '\r\n');
  if (crlf !== script && sameBytes(applied, checksumOf(crlf))) return 'line-endings';
  return 'different';
}
