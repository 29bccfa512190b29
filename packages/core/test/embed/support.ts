import { readdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { EmbeddedMigrations } from '../../src/index.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The built CLI: tests run after `npm run build`, so spawned processes use dist. */
export const CLI = join(REPO_ROOT, 'packages/core/dist/cli/main.js');

const BOM = '\ufeff';

/**
 * Migration directories covering what can make a generated copy differ from the files: line
 * endings (CRLF, a lone CR), byte-order marks, characters JavaScript or JSON treat specially,
 * both layouts, Diesel metadata, an empty file, an 18-digit version. Every script is valid on
 * both SQLite and PostgreSQL, so the same fixtures also run against real databases.
 */
export const FIXTURES: Record<string, Record<string, string | Buffer>> = {
  'sqlx simple': {
    '0001_create_things.sql': 'CREATE TABLE things (id INTEGER PRIMARY KEY, note TEXT);\n',
    // `$` + `{` spelled apart: the SQL holds a template placeholder on purpose, to show it is not interpolated.
    '0002_quotes_and_escapes.sql':
      "INSERT INTO things (id, note) VALUES (1, 'it''s \"quoted\", a \\ backslash, $" +
      "{not_a_template} and `ticks` </script>');\n",
    '100000000000000001_eighteen_digits.sql': 'SELECT 1',
    'README.md': 'not a migration',
  },
  'sqlx reversible with CRLF': {
    '0001_a.up.sql': 'CREATE TABLE a (id INTEGER, note TEXT);\r\nINSERT INTO a (id) VALUES (1);\r\n',
    '0001_a.down.sql': 'DROP TABLE a;\r\n',
    '0002_lone_cr.up.sql': "INSERT INTO a (id, note) VALUES (2, 'line one\rline two');\n",
    '0002_lone_cr.down.sql': 'DELETE FROM a WHERE id = 2;',
    '0003_index.up.sql': '-- no-transaction\r\nCREATE INDEX a_by_id ON a (id);\r\n',
    '0003_index.down.sql': '-- no-transaction\r\nDROP INDEX a_by_id;\r\n',
  },
  'BOM files': {
    '0001_bom.up.sql': `${BOM}CREATE TABLE bom (id INTEGER);\n`,
    '0001_bom.down.sql': `${BOM}DROP TABLE bom;\r\n`,
    '0002_bom_crlf.up.sql': `${BOM}INSERT INTO bom (id) VALUES (1);\r\nINSERT INTO bom (id) VALUES (2);\r\n`,
    '0002_bom_crlf.down.sql': `${BOM}DELETE FROM bom;`,
  },
  'unicode and separators': {
    '0001_unicode.sql': `CREATE TABLE u (id INTEGER, note TEXT);\n-- naïve café, 日本語, 💥\nINSERT INTO u (id, note) VALUES (1, 'sep\u2028line\u2029para zero${BOM}width e\u0301 \t tab');\n`,
    '0002_empty.sql': '',
    '0003_only_a_comment.sql': '-- nothing to do\n',
  },
  'diesel layout': {
    // VARCHAR, not TEXT: MySQL indexes a TEXT column only with a prefix length.
    '2026-06-01-000001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);\n',
    '2026-06-01-000001_create_users/down.sql': 'DROP TABLE users;\n',
    '2026-06-02-000002_index_users/up.sql': 'CREATE INDEX users_by_name ON users (name);\r\n',
    '2026-06-02-000002_index_users/down.sql': 'DROP INDEX users_by_name;\r\n',
    '2026-06-02-000002_index_users/metadata.toml': 'run_in_transaction = false\n',
    '2026-06-03-000003_seed/up.sql': `${BOM}INSERT INTO users (id, name) VALUES (1, 'Ada');\n`,
    'README.md': 'Diesel keeps a README beside its directories',
  },
};

/** Migration directories that exist in the repository (the examples'), so they are checked too. */
export async function repositoryMigrationDirectories(): Promise<string[]> {
  const found: string[] = [];
  for (const example of await readdir(join(REPO_ROOT, 'examples'))) {
    const candidate = join(REPO_ROOT, 'examples', example, 'migrations');
    if (
      await stat(candidate).then(
        (s) => s.isDirectory(),
        () => false,
      )
    )
      found.push(candidate);
  }
  return found;
}

let counter = 0;

/**
 * Evaluates generated module text the way a runtime would: ESM and CommonJS as written,
 * TypeScript after esbuild strips its types. `dir` receives the file (a temp dir).
 */
export async function evaluateModule(text: string, kind: 'ts' | 'esm' | 'cjs', dir: string): Promise<EmbeddedMigrations> {
  counter++;
  if (kind === 'cjs') {
    const path = join(dir, `generated-${counter}.cjs`);
    await writeFile(path, text);
    return createRequire(import.meta.url)(path) as EmbeddedMigrations;
  }
  const code = kind === 'ts' ? (await esbuild.transform(text, { loader: 'ts', format: 'esm' })).code : text;
  const path = join(dir, `generated-${counter}.mjs`);
  await writeFile(path, code);
  const module = (await import(pathToFileURL(path).href)) as { default: EmbeddedMigrations };
  return module.default;
}
