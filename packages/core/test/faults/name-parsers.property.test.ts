/**
 * Issue 8, bad input: property-based tests of everything that turns a name or a value into a
 * migration: the SQLx file-name parser, the Diesel directory-name parser, version parsing, the
 * `-- no-transaction` directive, migrations given as values, and a whole directory of random
 * names and bytes. Random names, Unicode, very long names: the outcome is a result that obeys the
 * naming rules, or a StrataError with a source code; never another exception.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/databases.js';
import { isStrataError, migrationsFromValues, readMigrationsDirectory } from '../../src/index.js';
import { parseDieselDirectoryName, parseFlatFileName } from '../../src/source/file-names.js';
import { hasNoTransactionDirective } from '../../src/sql/directives.js';
import { toVersion } from '../../src/version.js';
import { useCleanups } from './support/fault-helpers.js';

const MAX_VERSION = (1n << 63n) - 1n;
const cleanups = useCleanups();

/** Runs `fn`; a thrown StrataError with one of `codes` is returned, anything else thrown is a failure. */
function outcome<T>(fn: () => T, codes: readonly string[]): { value: T } | { error: { code: string; message: string } } {
  try {
    return { value: fn() };
  } catch (error) {
    if (!isStrataError(error)) throw new Error(`threw something other than a StrataError: ${String(error)}`, { cause: error });
    expect(codes, error.message).toContain(error.code);
    return { error };
  }
}

const anyCodeUnit = fc.nat(0xffff).map((c) => String.fromCharCode(c));
/** Names as random as a string gets: full Unicode, lone surrogates, control characters, long. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: anyCodeUnit, maxLength: 300 }),
  fc.string({
    unit: fc.constantFrom('0', '1', '9', '_', '-', '.', 'u', 'p', 'd', 'o', 'w', 'n', 's', 'q', 'l', ' ', '\uFEFF'),
    maxLength: 40,
  }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1_000, maxLength: 20_000 }),
);
const digits = fc.stringMatching(/^\d{1,25}$/);
const suffix = fc.constantFrom('.sql', '.up.sql', '.down.sql');
/** Names a person means as a migration that are not read as one. */
const nearMissSuffix = fc.constantFrom('.SQL', '.up.SQL', '.Down.Sql', '.sql.txt', '.sql.bak', '.psql', '');

/** The naming rules, stated independently of the parser: what a flat file name means. */
function flatModel(name: string) {
  let stem = name.slice(0, -'.sql'.length);
  let kind = 'simple';
  if (stem.endsWith('.up')) [kind, stem] = ['up', stem.slice(0, -3)];
  else if (stem.endsWith('.down')) [kind, stem] = ['down', stem.slice(0, -5)];
  const underscore = stem.indexOf('_');
  return { versionText: stem.slice(0, underscore), description: stem.slice(underscore + 1).replace(/_/g, ' '), kind };
}

describe('the SQLx file-name parser', () => {
  it('on any string: skips it, parses it by the rules, or throws INVALID_FILE_NAME / INVALID_VERSION', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          anyText.map((text) => `${text}.sql`),
        ),
        (name) => {
          const result = outcome(() => parseFlatFileName(name), ['INVALID_FILE_NAME', 'INVALID_VERSION']);
          if ('error' in result) {
            expect(result.error.message).toContain(name.slice(0, 50));
            return;
          }
          if (result.value === undefined) {
            expect(!name.endsWith('.sql') || name.startsWith('.')).toBe(true);
            return;
          }
          const model = flatModel(name);
          expect(result.value).toEqual({ ...model, version: BigInt(model.versionText) });
          expect(result.value.version).toBeLessThanOrEqual(MAX_VERSION);
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('on <digits>_<anything><suffix>: the version is the digits as a 64-bit integer, or INVALID_VERSION when it does not fit', () => {
    fc.assert(
      fc.property(digits, anyText, suffix, (versionText, rest, ending) => {
        const name = `${versionText}_${rest}${ending}`;
        const result = outcome(() => parseFlatFileName(name), ['INVALID_VERSION']);
        if (BigInt(versionText) > MAX_VERSION) {
          expect('error' in result && result.error.message).toMatch(/64-bit/);
          return;
        }
        expect('value' in result && result.value).toEqual({ ...flatModel(name), version: BigInt(versionText) });
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('the Diesel directory-name parser', () => {
  it('on any string: parses it by the rules or throws INVALID_VERSION', () => {
    fc.assert(
      fc.property(anyText, (name) => {
        const result = outcome(() => parseDieselDirectoryName(name), ['INVALID_VERSION']);
        if ('error' in result) return;
        const underscore = name.indexOf('_');
        const prefix = name.slice(0, underscore);
        expect(prefix).toMatch(/^[\d-]+$/);
        expect(result.value).toEqual({
          version: BigInt(prefix.replace(/-/g, '')),
          versionText: prefix,
          description: name.slice(underscore + 1).replace(/_/g, ' '),
        });
        expect(result.value.version).toBeLessThanOrEqual(MAX_VERSION);
      }),
      { numRuns: 3_000 },
    );
  });

  it("on Diesel's timestamp form: the version is the prefix's digits, separators removed", () => {
    const stamp = fc
      .tuple(
        fc.integer({ min: 0, max: 99_999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.option(fc.integer({ min: 0, max: 9_999 })),
      )
      .map(([y, mo, d, t, n]) => {
        const parts = [
          String(y).padStart(4, '0'),
          String(mo).padStart(2, '0'),
          String(d).padStart(2, '0'),
          String(t).padStart(6, '0'),
        ];
        if (n !== null) parts.push(String(n).padStart(4, '0'));
        return parts;
      });
    fc.assert(
      fc.property(stamp, anyText, (parts, rest) => {
        const name = `${parts.join('-')}_${rest}`;
        const result = outcome(() => parseDieselDirectoryName(name), ['INVALID_VERSION']);
        const version = BigInt(parts.join(''));
        if (version > MAX_VERSION) expect('error' in result).toBe(true);
        else expect('value' in result && result.value.version).toBe(version);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('versions and the no-transaction directive', () => {
  it('toVersion: any string, number or bigint is a version in 0..2^63-1 or INVALID_VERSION', () => {
    const candidate = fc.oneof(
      anyText,
      digits,
      fc.double(),
      fc.integer(),
      fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
      fc.constantFrom(Number.MAX_SAFE_INTEGER + 1, -0, Number.NaN, Number.POSITIVE_INFINITY, ' 42 ', '4_2', '0x10', '1e3', '٣'),
    );
    fc.assert(
      fc.property(candidate, (value) => {
        const result = outcome(() => toVersion(value), ['INVALID_VERSION']);
        if ('value' in result) {
          expect(result.value >= 0n && result.value <= MAX_VERSION).toBe(true);
          if (typeof value === 'string') expect(value.trim()).toMatch(/^\d+$/);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("hasNoTransactionDirective: never throws, and is SQLx's starts_with after an optional BOM", () => {
    const script = fc.oneof(
      anyText,
      anyText.map((text) => `-- no-transaction${text}`),
      anyText.map((text) => `\uFEFF-- no-transaction${text}`),
      anyText.map((text) => `${text}-- no-transaction`),
    );
    fc.assert(
      fc.property(script, (text) => {
        expect(hasNoTransactionDirective(text)).toBe(
          text.startsWith('-- no-transaction') || text.startsWith('\uFEFF-- no-transaction'),
        );
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('migrations given as values', () => {
  const VALUE_CODES = ['INVALID_MIGRATION', 'INVALID_VERSION', 'DUPLICATE_VERSION'];

  it('with fields of the declared types but any values: Migration[] or a typed error', () => {
    const input = fc.record(
      {
        version: fc.oneof(digits, anyText, fc.integer(), fc.double(), fc.bigInt({ min: -(1n << 65n), max: 1n << 65n })),
        description: anyText,
        up: anyText,
        down: fc.option(anyText, { nil: undefined }),
        noTransaction: fc.boolean(),
        checksum: fc.oneof(
          fc.string({ unit: fc.constantFrom(...'0123456789abcdefxyz'), maxLength: 120 }),
          fc.uint8Array({ maxLength: 64 }),
        ),
      },
      { requiredKeys: ['version', 'description', 'up'] },
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 5 }), (inputs) => {
        const result = outcome(() => migrationsFromValues(inputs), VALUE_CODES);
        if ('value' in result) {
          for (const migration of result.value) expect(migration.checksum.byteLength).toBe(48);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('with values of the wrong types (from JSON or untyped JavaScript): a typed error, never a TypeError', () => {
    const input = fc.record({
      version: fc.anything(),
      description: fc.anything(),
      up: fc.oneof(anyText, fc.anything()),
      down: fc.anything(),
      checksum: fc.anything(),
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(input, fc.anything()), { maxLength: 3 }), (inputs) => {
        outcome(() => migrationsFromValues(inputs as never), VALUE_CODES);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('a directory of random names and bytes', () => {
  /** A name the file system accepts: no `/` or NUL, at most 255 bytes, not `.` or `..`. */
  const fileSystemName = fc
    .oneof(
      fc
        .tuple(digits, fc.string({ unit: 'grapheme', maxLength: 30 }), fc.oneof(suffix, nearMissSuffix))
        .map(([d, rest, end]) => `${d}_${rest}${end}`),
      anyText.map((text) => `${text}.sql`),
      anyText,
    )
    .map((name) => name.replace(/[/\0]/g, '_').replace(/[\uD800-\uDFFF]/g, 'x'))
    .map((name) => {
      let out = name;
      while (Buffer.byteLength(out) > 255) out = [...out].slice(1).join('');
      return out;
    })
    .filter((name) => name.length > 0 && name !== '.' && name !== '..');
  const content = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }).map((text) => Buffer.from(text)),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom(Buffer.from(''), Buffer.from('\uFEFF-- no-transaction\r\nSELECT 1;\r\n'), Buffer.from([0xc3, 0x28])),
  );

  it('reads to migrations whose checksums are their files’ bytes, or rejects with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fileSystemName, content), { maxLength: 8, selector: ([name]) => name }),
        async (files) => {
          const dir = await tempDir('random-names');
          cleanups.push(dir.cleanup);
          const root = join(dir.path, 'migrations');
          await mkdir(root);
          for (const [name, bytes] of files) await writeFile(join(root, name), bytes);

          let read: Awaited<ReturnType<typeof readMigrationsDirectory>>;
          try {
            read = await readMigrationsDirectory(root);
          } catch (error) {
            if (!isStrataError(error))
              throw new Error(`threw something other than a StrataError: ${String(error)}`, { cause: error });
            return;
          }
          const byName = new Map(files);
          const versions = read.migrations.map((migration) => migration.version);
          expect(versions).toEqual([...new Set(versions)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
          for (const migration of read.migrations) {
            const bytes = byName.get(migration.upFile!);
            expect(bytes, migration.upFile).toBeDefined();
            expect(Buffer.from(migration.checksum).toString('hex')).toBe(createHash('sha384').update(bytes!).digest('hex'));
          }
          // Nothing that looks like a migration is dropped without a word: every .sql file is a
          // migration's script or listed as ignored.
          const used = new Set(read.migrations.flatMap((migration) => [migration.upFile, migration.downFile]));
          for (const [name] of files) {
            if (name.endsWith('.sql') && !name.startsWith('.'))
              expect(used.has(name) || read.ignored.includes(name), name).toBe(true);
          }
          // And what is named like a migration but not read is a near miss, with a reason.
          const nearMisses = new Map(read.nearMisses.map((miss) => [miss.entry, miss.reason]));
          for (const [name] of files) {
            if (name.startsWith('.') || used.has(name) || !/\.sql$|\.sql\.|^\d+_/i.test(name)) continue;
            expect(nearMisses.get(name), name).toMatch(/\S/);
          }
          for (const name of nearMisses.keys()) expect(read.ignored, name).toContain(name);
        },
      ),
      { numRuns: 60 },
    );
  });
});
