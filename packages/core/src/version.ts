import { StrataError } from './errors.js';

/**
 * Versions are 64-bit signed integers (SQLx's BIGINT) and routinely exceed 2^53 (Diesel's
 * 18-digit timestamps), so they live in `bigint` and never pass through a JS `number`.
 */
export type Version = bigint;

const MAX_VERSION = (1n << 63n) - 1n;

/** Parses a decimal version string; leading zeros are allowed (`0001`). */
export function parseVersion(text: string, context: { file?: string } = {}): Version {
  if (!/^\d+$/.test(text)) {
    throw new StrataError(
      'INVALID_VERSION',
      `"${text}" is not a version: a version is a non-negative integer${where(context.file)}`,
      {
        file: context.file,
      },
    );
  }
  const value = BigInt(text);
  if (value > MAX_VERSION) {
    throw new StrataError(
      'INVALID_VERSION',
      `version ${text}${where(context.file)} does not fit a signed 64-bit integer (max ${MAX_VERSION})`,
      { version: text, file: context.file },
    );
  }
  return value;
}

/** Accepts the forms a caller may hand us for a version and normalises them to bigint. */
export function toVersion(value: bigint | number | string, context: { file?: string } = {}): Version {
  if (typeof value === 'bigint') {
    if (value < 0n || value > MAX_VERSION) {
      throw new StrataError('INVALID_VERSION', `version ${value} is outside 0..${MAX_VERSION}`, { version: String(value) });
    }
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new StrataError(
        'INVALID_VERSION',
        `version ${value} is not a safe non-negative integer; pass versions above 2^53 as a string or bigint`,
        { version: String(value) },
      );
    }
    return BigInt(value);
  }
  return parseVersion(value.trim(), context);
}

export function compareVersions(a: Version, b: Version): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function where(file: string | undefined): string {
  return file ? ` (in ${file})` : '';
}
