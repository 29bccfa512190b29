/**
 * A migrations directory of `count` PostgreSQL migrations shaped like a real project's history:
 * tables created, then indexed, altered, constrained, renamed and dropped over time, with a
 * -- no-transaction file now and then, PL/pgSQL bodies and a lint-ignore comment.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeLintCorpus(dir, count) {
  await mkdir(dir, { recursive: true });
  const tables = [];
  for (let i = 1; i <= count; i++) {
    const version = String(i).padStart(4, '0');
    const kind = tables.length < 3 ? 0 : i % 10;
    const t = tables[(i * 7) % Math.max(tables.length, 1)];
    let sql;
    switch (kind) {
      case 0:
      case 5: {
        const name = `t${i}`;
        tables.push(name);
        sql = `CREATE TABLE ${name} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  owner_id bigint,\n  title text NOT NULL DEFAULT '',\n  created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE INDEX ${name}_owner ON ${name} (owner_id);\nCOMMENT ON TABLE ${name} IS 'table ${i}; created by migration ${version}';\n`;
        break;
      }
      case 1:
        sql = `-- no-transaction\nCREATE INDEX CONCURRENTLY ${t}_created_${i} ON ${t} (created_at DESC) WHERE title <> '';\n`;
        break;
      case 2:
        sql = `SET LOCAL lock_timeout = '2s';\nALTER TABLE ${t} ADD COLUMN c${i} integer;\nALTER TABLE ${t} ADD COLUMN d${i} text NOT NULL DEFAULT 'x';\n`;
        break;
      case 3:
        sql = `ALTER TABLE ${t} ADD CONSTRAINT ${t}_owner_${i} FOREIGN KEY (owner_id) REFERENCES ${tables[0]} (id) NOT VALID;\n`;
        break;
      case 4:
        sql = `ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_owner_${i - 1};\n`;
        break;
      case 6:
        sql = `CREATE OR REPLACE FUNCTION touch_${i}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.created_at := now(); -- not a statement of the migration\n  RETURN NEW;\nEND\n$$;\nCREATE TRIGGER touch_${i} BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch_${i}();\n`;
        break;
      case 7:
        sql = `-- strata-lint-ignore create-index-not-concurrently small lookup table\nCREATE INDEX ${t}_title_${i} ON ${t} (lower(title));\n`;
        break;
      case 8:
        sql = `INSERT INTO ${t} (owner_id, title) SELECT g, 'row ' || g FROM generate_series(1, 10) AS g;\nUPDATE ${t} SET title = upper(title) WHERE id % 2 = 0;\n`;
        break;
      default:
        sql = `ALTER TABLE ${t} ALTER COLUMN title SET NOT NULL;\nALTER TABLE ${t} RENAME COLUMN title TO heading_${i};\nALTER TABLE ${t} RENAME COLUMN heading_${i} TO title;\n`;
    }
    await writeFile(join(dir, `${version}_m${i}.sql`), sql);
  }
}
