import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checksumOf, matchChecksum, toHex } from '../../src/checksum.js';
import { advisoryLockKey, crc32 } from '../../src/lock/advisory/lock-key.js';

describe('checksum', () => {
  it('is SHA-384 of the script bytes, as SQLx computes it', () => {
    const hex = toHex(checksumOf('-- Add migration script here\n'));
    expect(hex).toHaveLength(96);
    expect(hex.startsWith('ff95923e')).toBe(true);
  });

  it('treats a CRLF/LF-only difference as the same migration, and anything else as modified', () => {
    const lf = 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    expect(matchChecksum(checksumOf(lf), lf, checksumOf(lf))).toBe('exact');
    expect(matchChecksum(checksumOf(lf), crlf, checksumOf(crlf))).toBe('line-endings');
    expect(matchChecksum(checksumOf(crlf), lf, checksumOf(lf))).toBe('line-endings');
    const edited = lf.replace('b', 'c');
    expect(matchChecksum(checksumOf(lf), edited, checksumOf(edited))).toBe('different');
  });
});

describe('PostgreSQL advisory lock key', () => {
  it("matches SQLx's key for a database named postgres", () => {
    expect(advisoryLockKey('postgres')).toBe(368907709894077238n);
  });

  it('uses zlib/IEEE CRC-32 for the database name', () => {
    for (const name of ['', 'postgres', 'test', 'ünïcødé', 'x'.repeat(200)]) {
      const bytes = Buffer.from(name, 'utf8');
      expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    }
  });

  it('fits a signed 64-bit integer for any name', () => {
    for (const name of ['test', 'a', 'strata_test_xyz', 'ünïcødé', 'x'.repeat(63)]) {
      const key = advisoryLockKey(name);
      expect(key).toBe(BigInt.asIntN(64, key));
    }
  });
});

describe('isStrataError', () => {
  it('recognises a StrataError from another copy of the package by its shape, and nothing else', async () => {
    const { isStrataError, StrataError } = await import('../../src/index.js');
    const own = new StrataError('LOCK_TIMEOUT', 'waited');
    // What a second copy of @strata/core would throw: same shape, another class.
    class OtherCopy extends Error {
      override name = 'StrataError';
      code = 'LOCK_TIMEOUT';
      details = {};
    }
    expect(isStrataError(own, 'LOCK_TIMEOUT')).toBe(true);
    expect(isStrataError(new OtherCopy('waited'), 'LOCK_TIMEOUT')).toBe(true);
    expect(isStrataError(new OtherCopy('waited'), 'MIGRATION_FAILED')).toBe(false);
    expect(isStrataError(Object.assign(new Error('x'), { code: 'LOCK_TIMEOUT' }))).toBe(false);
    expect(isStrataError({ name: 'StrataError', code: 'LOCK_TIMEOUT', details: {} })).toBe(false);
  });
});
