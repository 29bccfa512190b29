/**
 * Whatever a file holds, lint answers with findings and never throws: random text, and real
 * migrations cut, spliced and sprinkled with quotes, comments and stray bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/dialects/dialect.js';
import { lintMigrations } from '../../src/lint/lint-migrations.js';
import { migrations } from './lint-helpers.js';

const SEEDS = [
  'CREATE TABLE users (id bigint PRIMARY KEY, email text);',
  'CREATE INDEX users_email ON users (email);',
  "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid(), ADD CONSTRAINT c CHECK (email <> '') NOT VALID;",
  'ALTER TABLE users VALIDATE CONSTRAINT c; ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$; -- strata-lint-ignore all why',
  '-- no-transaction\nDROP INDEX CONCURRENTLY users_email; VACUUM users;',
  "BEGIN; ALTER TABLE users RENAME COLUMN email TO mail; COMMIT; /* nested /* comment */ */ SELECT E'\\\\x';",
  'PRAGMA foreign_keys = OFF; ALTER TABLE users DROP COLUMN email; DROP TABLE IF EXISTS "Users";',
];
const NOISE = [
  "'",
  '"',
  '$$',
  '$a$',
  '/*',
  '*/',
  '--',
  ';',
  '(',
  ')',
  '\n',
  '\uFEFF',
  'é',
  '😀',
  '\0',
  '\\',
  'CONCURRENTLY',
  'NOT VALID',
];

/** A seed migration mutated: a slice, noise inserted at random places, another seed spliced in. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...NOISE)), { maxLength: 6 }),
    fc.nat(),
    fc.nat(),
  )
  .map(([a, b, inserts, cut, at]) => {
    let text = a.slice(0, (cut % (a.length + 1)) + 1) + b.slice(at % (b.length + 1));
    for (const [position, noise] of inserts) {
      const i = position % (text.length + 1);
      text = text.slice(0, i) + noise + text.slice(i);
    }
    return text;
  });

const script = fc.oneof(mutated, fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

async function lintsCleanly(database: DialectName, scripts: string[]): Promise<void> {
  const all = migrations(...scripts);
  const report = await lintMigrations(all, { database, pending: (m) => m.version % 2n === 0n });
  expect(report.linted).toBe(scripts.length);
  for (const finding of report.findings) {
    expect(finding.line).toBeGreaterThanOrEqual(1);
    expect(finding.column).toBeGreaterThanOrEqual(1);
    const source = all.find((m) => String(m.version) === finding.version)!.up;
    expect(finding.line).toBeLessThanOrEqual(source.split(/\r\n|\r|\n/).length);
  }
}

describe('lint never crashes', () => {
  for (const database of ['postgres', 'sqlite'] as const) {
    it(`on random and mutated ${database} migrations`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(script, { minLength: 1, maxLength: 4 }), (scripts) => lintsCleanly(database, scripts)),
        { numRuns: 300 },
      );
    });
  }
});
