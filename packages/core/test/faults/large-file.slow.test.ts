/**
 * Issue 8, load: "A 50 MB migration file applies (no quadratic splitting or copying)", on
 * PostgreSQL and SQLite, inside a transaction and with `-- no-transaction` (which sends it through
 * the statement splitter one statement at a time). The rows carry text that a naive splitter would
 * cut: `;`, `--`, `/* *\/`, doubled quotes, `$$`, BEGIN/CASE/END, and on PostgreSQL dollar-quoted
 * and E'' strings too; the database must end up holding exactly the text the file spelled.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, sqliteFile, tempDir } from '../../../../test-support/databases.js';
import { checksumOf, toHex } from '../../src/checksum.js';
import { Migrator } from '../../src/index.js';
import { useCleanups } from './support/fault-helpers.js';

const TARGET_BYTES = 50 * 2 ** 20;
const ROWS_PER_STATEMENT = 100;
const PAYLOAD_CHARS = 10_000;

const cleanups = useCleanups();

/** A payload as stored in the database: ASCII noise that looks like SQL structure, plus a little Unicode. */
function payload(id: number): string {
  const tricky = `row ${id}; -- not a comment /* nor this */ it's $$ not $tag$ BEGIN CASE END; `;
  const body = tricky.repeat(Math.ceil(PAYLOAD_CHARS / tricky.length)).slice(0, PAYLOAD_CHARS - 12);
  return `${body} é ☃ 終 ${id % 10}`;
}

interface Generated {
  script: string;
  rows: number;
  /** Characters (code points) of all payloads together, as length() counts them. */
  characters: number;
  /** md5 of every payload concatenated in id order, as PostgreSQL's md5(string_agg(...)) computes it. */
  md5: string;
}

/**
 * `CREATE TABLE big` and multi-row INSERTs of ~1 MB each until the file passes 50 MB. Most rows
 * are standard strings ('' escapes); on PostgreSQL every third statement uses dollar quotes and
 * every fifth E'' strings, so all three lexer paths carry megabytes.
 */
function generate(dialect: 'postgres' | 'sqlite', noTransaction: boolean): Generated {
  const parts: string[] = [];
  if (noTransaction) parts.push('-- no-transaction\n');
  parts.push('CREATE TABLE big (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);\n');
  let bytes = parts.join('').length;
  let id = 0;
  let characters = 0;
  const md5 = createHash('md5');
  for (let statement = 0; bytes < TARGET_BYTES; statement++) {
    const values: string[] = [];
    for (let i = 0; i < ROWS_PER_STATEMENT; i++) {
      id++;
      const text = payload(id);
      characters += [...text].length;
      md5.update(text, 'utf8');
      let literal: string;
      if (dialect === 'postgres' && statement % 3 === 1) literal = `$payload$${text}$payload$`;
      else if (dialect === 'postgres' && statement % 5 === 2) literal = `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      else literal = `'${text.replace(/'/g, "''")}'`;
      values.push(`(${id}, ${literal})`);
    }
    const sql = `INSERT INTO big (id, payload) VALUES\n${values.join(',\n')};\n`;
    parts.push(sql);
    bytes += Buffer.byteLength(sql);
  }
  parts.push('CREATE INDEX big_payload_prefix ON big (substr(payload, 1, 8));\n');
  return { script: parts.join(''), rows: id, characters, md5: md5.digest('hex') };
}

async function writeMigration(dialect: 'postgres' | 'sqlite', noTransaction: boolean) {
  const dir = await tempDir('large-file');
  cleanups.push(dir.cleanup);
  const generated = generate(dialect, noTransaction);
  const migrations = join(dir.path, 'migrations');
  const file = '0001_load_fifty_megabytes.sql';
  await mkdir(migrations);
  await writeFile(join(migrations, file), generated.script);
  const bytes = await readFile(join(migrations, file));
  expect(bytes.byteLength).toBeGreaterThanOrEqual(TARGET_BYTES);
  return { migrations, generated, checksum: toHex(checksumOf(bytes)) };
}

describe('a 50 MB migration file', () => {
  for (const noTransaction of [false, true]) {
    const mode = noTransaction ? 'with -- no-transaction (through the splitter)' : 'in a transaction';
    it(`applies on PostgreSQL ${mode}, holding exactly the file's text`, { timeout: 300_000 }, async () => {
      const { migrations, generated, checksum } = await writeMigration('postgres', noTransaction);
      const database = await createPostgresDatabase('large');
      cleanups.push(database.drop);
      const pool = new pg.Pool({ connectionString: database.url, max: 2 });
      pool.on('error', () => {});
      cleanups.push(() => pool.end());

      const started = performance.now();
      const report = await new Migrator({ db: pool, migrations }).run();
      console.info(`[faults/large-file] PostgreSQL ${mode}: applied in ${Math.round(performance.now() - started)} ms`);
      expect(report.applied.map((step) => step.version)).toEqual([1n]);

      const { rows } = await pool.query(
        "SELECT count(*)::int AS rows, sum(length(payload))::bigint::text AS characters, md5(string_agg(payload, '' ORDER BY id)) AS md5 FROM big",
      );
      expect(rows[0]).toEqual({ rows: generated.rows, characters: String(generated.characters), md5: generated.md5 });
      const history = await pool.query(
        "SELECT success, encode(checksum, 'hex') AS checksum FROM _strata_migrations WHERE version = 1",
      );
      expect(history.rows).toEqual([{ success: true, checksum }]);
      // The no-op check hashes the 50 MB again and finds it unchanged.
      const again = await new Migrator({ db: pool, migrations }).run();
      expect(again.applied).toEqual([]);
      expect(again.lockTaken).toBe(false);
    });

    it(`applies on SQLite ${mode}, holding exactly the file's text`, { timeout: 300_000 }, async () => {
      const { migrations, generated, checksum } = await writeMigration('sqlite', noTransaction);
      const file = await sqliteFile();
      cleanups.push(file.cleanup);
      const db = new Database(file.path);
      cleanups.push(() => db.close());
      db.function('md5_of', (text: unknown) => createHash('md5').update(String(text), 'utf8').digest('hex'));

      const started = performance.now();
      const report = await new Migrator({ db, migrations }).run();
      console.info(`[faults/large-file] SQLite ${mode}: applied in ${Math.round(performance.now() - started)} ms`);
      expect(report.applied.map((step) => step.version)).toEqual([1n]);

      const summary = db
        .prepare(
          "SELECT count(*) AS rows, sum(length(payload)) AS characters, md5_of((SELECT group_concat(payload, '') FROM (SELECT payload FROM big ORDER BY id))) AS md5 FROM big",
        )
        .get();
      expect(summary).toEqual({ rows: generated.rows, characters: generated.characters, md5: generated.md5 });
      const history = db.prepare('SELECT success, hex(checksum) AS checksum FROM _strata_migrations WHERE version = 1').get();
      expect(history).toEqual({ success: 1, checksum: checksum.toUpperCase() });
      const again = await new Migrator({ db, migrations }).run();
      expect(again.applied).toEqual([]);
      expect(again.lockTaken).toBe(false);
    });
  }
});
