import { bySchemaAndName, compareText, type ReadSchemaOptions, withoutExcluded } from '../../schema/read-options.js';
import {
  type Column,
  type ForeignKey,
  type Index,
  type ReferentialAction,
  SCHEMA_MODEL_VERSION,
  type SchemaModel,
  type Table,
  type View,
} from '../../schema/schema-model.js';
import type { Session } from '../connection.js';
import {
  type ForeignKeyText,
  type KeyText,
  parseCreateIndex,
  parseCreateTable,
  type TableText,
  viewQuery,
} from './sqlite-ddl-text.js';

type Row = Record<string, unknown>;

/** SQLite's own objects (sqlite_sequence, sqlite_stat1, automatic indexes) are not the app's schema. */
const USER_OBJECT = "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

const OBJECTS_SQL = `SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE ${USER_OBJECT} ORDER BY name`;

/** Every table's and view's columns at once: the pragmas are table-valued functions, joined to sqlite_schema. */
const COLUMNS_SQL = `
SELECT m.name AS tbl, p.name, p.type, p."notnull" AS not_null, p.dflt_value, p.pk, p.hidden
  FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p
 WHERE m.type IN ('table', 'view') AND m.${USER_OBJECT}
 ORDER BY m.name, p.cid`;

const FOREIGN_KEYS_SQL = `
SELECT m.name AS tbl, p.id, p.seq, p."table" AS ref_table, p."from" AS from_column, p."to" AS to_column,
       p.on_update, p.on_delete, p."match"
  FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) p
 WHERE m.type = 'table' AND m.${USER_OBJECT}
 ORDER BY m.name, p.id, p.seq`;

const INDEX_KEYS_SQL = `
SELECT m.name AS tbl, il.name AS idx, il."unique", il.origin, ix.seqno, ix.cid, ix.name, ix."desc", ix.coll
  FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ix
 WHERE m.type = 'table' AND m.${USER_OBJECT} AND ix.key = 1
 ORDER BY m.name, il.name, ix.seqno`;

const TABLE_OPTIONS_SQL = `SELECT name, wr, strict FROM pragma_table_list WHERE schema = 'main'`;

const SCHEMA = 'main';

/**
 * Reads the main database from sqlite_schema and the table-valued pragmas, five queries whatever
 * the number of tables; what the pragmas leave out (checks, generated expressions, collations, index
 * expressions) comes from the stored CREATE text.
 */
export async function readSqliteSchema(session: Session, options: ReadSchemaOptions): Promise<SchemaModel> {
  const read = async (sql: string) => (await session.query(sql)).rows;
  const objects = await read(OBJECTS_SQL);
  const columns = groupBy(await read(COLUMNS_SQL), 'tbl');
  const foreignKeys = groupBy(await read(FOREIGN_KEYS_SQL), 'tbl');
  const indexKeys = groupBy(await read(INDEX_KEYS_SQL), 'idx');
  const tableOptions = new Map((await read(TABLE_OPTIONS_SQL)).map((row) => [String(row.name), row]));

  const tables: Table[] = [];
  const views: View[] = [];
  const indexes: Index[] = [];
  const triggers: SchemaModel['triggers'] = [];
  const primaryKeys = new Map<string, string[]>();
  const texts = new Map<string, TableText>();
  for (const object of objects) {
    const name = String(object.name);
    const sql = String(object.sql ?? '');
    if (object.type === 'table') {
      const text = parseCreateTable(sql);
      texts.set(name, text);
      const tableColumns = columns.get(name) ?? [];
      const pk = tableColumns
        .filter((row) => Number(row.pk) > 0)
        .sort((a, b) => Number(a.pk) - Number(b.pk))
        .map((row) => String(row.name));
      primaryKeys.set(name, pk);
      tables.push({
        schema: SCHEMA,
        name,
        columns: tableColumns.map((row) => column(row, text)),
        primaryKey:
          pk.length > 0
            ? { name: text.primaryKey?.name ?? null, columns: pk, autoincrement: text.primaryKey?.autoincrement ?? false }
            : null,
        uniques: uniquesOf(name, indexKeys, text.uniques),
        foreignKeys: [],
        checks: text.checks,
        otherConstraints: [],
        partitionBy: null,
        partitionOf: null,
        options: tableFlags(tableOptions.get(name)),
        comment: null,
      });
    } else if (object.type === 'view') {
      const viewColumns = (columns.get(name) ?? []).map((row) => column(row, undefined));
      views.push({ schema: SCHEMA, name, materialized: false, definition: viewQuery(sql), columns: viewColumns, comment: null });
    } else if (object.type === 'index' && object.sql) {
      indexes.push(indexOf(name, String(object.tbl_name), sql, indexKeys.get(name) ?? []));
    } else if (object.type === 'trigger') {
      triggers.push({ schema: SCHEMA, table: String(object.tbl_name), name, definition: `${sql};`, enabled: 'O', comment: null });
    }
  }
  // Foreign keys last: one that names no columns references the target's primary key.
  for (const table of tables) {
    table.foreignKeys = foreignKeysOf(foreignKeys.get(table.name) ?? [], primaryKeys, texts.get(table.name)!.foreignKeys);
  }

  const model: SchemaModel = {
    formatVersion: SCHEMA_MODEL_VERSION,
    dialect: 'sqlite',
    defaultSchema: SCHEMA,
    schemas: [{ name: SCHEMA, comment: null }],
    extensions: [],
    types: [],
    sequences: [],
    tables: bySchemaAndName(tables),
    views: bySchemaAndName(views),
    routines: [],
    indexes: indexes.sort((a, b) => compareText(a.table, b.table) || compareText(a.name, b.name)),
    triggers: triggers.sort((a, b) => compareText(a.table, b.table) || compareText(a.name, b.name)),
  };
  return withoutExcluded(model, options.exclude);
}

function column(row: Row, text: TableText | undefined): Column {
  const name = String(row.name);
  const parsed = text?.columns.get(name);
  const hidden = Number(row.hidden);
  const generated = hidden === 2 || hidden === 3;
  const type = String(row.type ?? '');
  return {
    name,
    type,
    typeRef: { schema: null, name: type, kind: 'base', arrayDimensions: 0 },
    // A primary key column may hold NULL in SQLite unless declared NOT NULL (or INTEGER PRIMARY KEY, the rowid).
    nullable: Number(row.not_null) === 0 && !(Number(row.pk) > 0 && type.toUpperCase() === 'INTEGER'),
    default: row.dflt_value === null || row.dflt_value === undefined ? null : defaultExpression(String(row.dflt_value)),
    generated: generated ? { expression: parsed?.generated ?? '', stored: hidden === 3 } : null,
    identity: null,
    collation: parsed?.collation ?? null,
    comment: null,
  };
}

/** SQLite reports `DEFAULT (datetime('now'))` without its parentheses, which only a literal may drop. */
function defaultExpression(text: string): string {
  const literal = /^([-+]?[\d.]+(e[-+]?\d+)?|'(?:[^']|'')*'|x'[0-9a-f]*'|null|true|false|current_(time|date|timestamp))$/i;
  return literal.test(text) ? text : `(${text})`;
}

function uniquesOf(table: string, indexKeys: Map<string, Row[]>, written: KeyText[]): Table['uniques'] {
  const uniques: Table['uniques'] = [];
  const unnamed = [...written];
  for (const rows of indexKeys.values()) {
    if (rows[0]?.tbl !== table || rows[0]?.origin !== 'u') continue;
    const columns = rows.map((row) => String(row.name));
    uniques.push({ name: takeWritten(unnamed, columns)?.name ?? null, columns, nullsNotDistinct: false });
  }
  return uniques.sort((a, b) => compareText(a.columns.join(','), b.columns.join(',')));
}

/**
 * The constraint as the CREATE text wrote it, matched by its columns (the pragmas name none), and
 * taken from `written` so two constraints on the same columns each find their own.
 */
function takeWritten<T extends KeyText>(written: T[], columns: string[]): T | undefined {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const at = written.findIndex(
    (key) => key.columns.length === columns.length && key.columns.every((c, i) => same(c, columns[i]!)),
  );
  return at < 0 ? undefined : written.splice(at, 1)[0];
}

function foreignKeysOf(rows: Row[], primaryKeys: Map<string, string[]>, written: ForeignKeyText[]): ForeignKey[] {
  const byId = groupBy(rows, 'id');
  const keys: ForeignKey[] = [];
  const unmatched = [...written];
  // pragma_foreign_key_list numbers them from the last written: walk them in the text's order.
  for (const group of [...byId.values()].reverse()) {
    const first = group[0]!;
    const target = String(first.ref_table);
    const implicit = primaryKeys.get(target) ?? [];
    const columns = group.map((row) => String(row.from_column));
    const text = takeWritten(unmatched, columns);
    keys.push({
      name: text?.name ?? null,
      columns,
      references: {
        schema: SCHEMA,
        table: target,
        columns: group.map((row, index) => (row.to_column === null ? (implicit[index] ?? '') : String(row.to_column))),
      },
      onUpdate: action(first.on_update),
      onDelete: action(first.on_delete),
      match: String(first.match ?? 'NONE').toLowerCase() === 'none' ? 'simple' : String(first.match).toLowerCase(),
      deferrable: text?.deferrable ?? false,
      initiallyDeferred: text?.initiallyDeferred ?? false,
    });
  }
  return keys.sort(
    (a, b) => compareText(a.columns.join(','), b.columns.join(',')) || compareText(a.references.table, b.references.table),
  );
}

function action(value: unknown): ReferentialAction {
  const spelled = String(value ?? 'NO ACTION').toLowerCase();
  return (['no action', 'restrict', 'cascade', 'set null', 'set default'] as const).find((a) => a === spelled) ?? 'no action';
}

function indexOf(name: string, table: string, sql: string, keys: Row[]): Index {
  const text = parseCreateIndex(sql);
  return {
    schema: SCHEMA,
    table,
    name,
    unique: Number(keys[0]?.unique ?? 0) === 1 || /^\s*CREATE\s+UNIQUE\b/i.test(sql),
    method: 'btree',
    keys: keys.map((row, index) => {
      const expression = Number(row.cid) === -2;
      const collation = String(row.coll ?? 'BINARY');
      return {
        column: expression ? null : String(row.name),
        expression: expression ? (text.keys[index] ?? '') : null,
        descending: Number(row.desc) === 1,
        nulls: null,
        opclass: null,
        collation: collation.toUpperCase() === 'BINARY' ? null : collation,
      };
    }),
    include: [],
    predicate: text.predicate,
    constraint: null,
    definition: `${sql};`,
    comment: null,
  };
}

function tableFlags(row: Row | undefined): string[] {
  const flags: string[] = [];
  if (row && Number(row.strict) === 1) flags.push('STRICT');
  if (row && Number(row.wr) === 1) flags.push('WITHOUT ROWID');
  return flags;
}

function groupBy(rows: Row[], key: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const value = String(row[key]);
    const list = groups.get(value);
    if (list) list.push(row);
    else groups.set(value, [row]);
  }
  return groups;
}
