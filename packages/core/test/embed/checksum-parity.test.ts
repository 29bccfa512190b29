import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { checksumOf, toHex } from '../../src/checksum.js';
import { renderEmbeddedModule } from '../../src/embed/index.js';
import {
  type EmbeddedMigrations,
  type Migration,
  Migrator,
  migrationsFromValues,
  readMigrationsDirectory,
} from '../../src/index.js';
import { dialectsWithMysql } from '../support/dialects.js';
import { evaluateModule, FIXTURES, repositoryMigrationDirectories } from './support.js';

let scratch: { path: string; cleanup(): Promise<void> };
const directories = new Map<string, string>();

beforeAll(async () => {
  scratch = await tempDir('embed-parity');
  for (const [name, files] of Object.entries(FIXTURES)) {
    const path = `${scratch.path}/fixtures/${name.replace(/\W+/g, '-')}`;
    await writeTree(path, files);
    directories.set(name, path);
  }
  for (const path of await repositoryMigrationDirectories()) directories.set(`repository: ${basename(`${path}/..`)}`, path);
});
afterAll(async () => {
  await scratch.cleanup();
});

/** Everything the engine uses of a migration, with bytes as hex so failures print readably. */
function comparable(migration: Migration) {
  return { ...migration, version: String(migration.version), checksum: toHex(migration.checksum) };
}

async function embedded(directory: string, kind: 'ts' | 'esm' | 'cjs'): Promise<EmbeddedMigrations> {
  const { migrations } = await readMigrationsDirectory(directory);
  const format = kind === 'ts' ? 'ts' : kind;
  return evaluateModule(renderEmbeddedModule(migrations, { format, source: './migrations' }), kind, scratch.path);
}

const names = [...Object.keys(FIXTURES), 'repository directories'];

describe.each(names)('fixture: %s', (name) => {
  const paths = () =>
    name === 'repository directories'
      ? [...directories].filter(([key]) => key.startsWith('repository:')).map(([, path]) => path)
      : [directories.get(name)!];

  it.each(['ts', 'esm', 'cjs'] as const)('checksums written by the %s module equal the directory source’s', async (kind) => {
    const list = paths();
    if (name === 'repository directories') expect(list.length).toBeGreaterThan(0);
    for (const directory of list) {
      const fromDirectory = (await readMigrationsDirectory(directory)).migrations;
      const module = await embedded(directory, kind);
      expect(module.migrations.map((m) => m.checksum)).toEqual(fromDirectory.map((m) => toHex(m.checksum)));
      // The text survived the round trip through a string literal byte for byte.
      for (const m of module.migrations) expect(toHex(checksumOf(m.up))).toBe(m.checksum);
      // And the engine, which verifies a carried checksum, turns it into the very same migrations.
      expect(migrationsFromValues(module.migrations).map(comparable)).toEqual(fromDirectory.map(comparable));
    }
  });
});

it('the fixtures hold what they claim to: CRLF, a lone CR, BOMs, U+2028, Diesel metadata', async () => {
  const crlf = await readMigrationsDirectory(directories.get('sqlx reversible with CRLF')!);
  expect(crlf.migrations[0]!.up).toContain('\r\n');
  expect(crlf.migrations[1]!.up).toMatch(/\r[^\n]/);
  const bom = await readMigrationsDirectory(directories.get('BOM files')!);
  expect(bom.migrations.every((m) => m.up.startsWith('\ufeff') && m.down!.startsWith('\ufeff'))).toBe(true);
  const unicode = await readMigrationsDirectory(directories.get('unicode and separators')!);
  expect(unicode.migrations[0]!.up).toContain('\u2028');
  const diesel = await readMigrationsDirectory(directories.get('diesel layout')!);
  expect(diesel.layout).toBe('diesel');
  expect(diesel.migrations.map((m) => m.noTransaction)).toEqual([false, true, false]);
});

describe.each(dialectsWithMysql)('on %s, a history written from one source is clean for the other', (_dialect, open) => {
  it.each(Object.keys(FIXTURES))('%s', async (name) => {
    const directory = directories.get(name)!;
    const module = await embedded(directory, 'esm');
    for (const [first, second] of [
      [module, directory],
      [directory, module],
    ] as const) {
      const db = await open();
      try {
        const applied = await new Migrator({ db: db.handle, migrations: first }).run();
        expect(applied.applied.length).toBe(module.migrations.length);
        const other = new Migrator({ db: db.handle, migrations: second });
        const statuses = await other.status();
        expect(statuses.map((s) => s.state)).toEqual(module.migrations.map(() => 'applied'));
        expect(statuses.some((s) => s.lineEndingsOnly)).toBe(false);
        const again = await other.run();
        expect([again.applied.length, again.lockTaken]).toEqual([0, false]);
      } finally {
        await db.close();
      }
    }
  });
});
