import { StrataError } from '../errors.js';
import type { Column, EnumType, SchemaModel, Table, View } from './schema-model.js';
import { HELPER_DEPENDENCIES, mapColumnType, TYPE_HELPERS, type TypeHelperName } from './type-mapping.js';
import { docText, pascalCase, propertyKey, quote, TypeNames } from './typescript-names.js';

export interface TypeScriptOptions {
  /**
   * TypeScript types to use instead of the mapping. A key with a dot names a column (`users.id`,
   * or `audit.entries.id` outside the default schema); a key without one a database type as the
   * catalog names it (`int8`, `timestamptz`, `mood`; SQLite: the declared type, `datetime`). The
   * value is written as given, `| null` added for a nullable column; a type override applies to
   * array elements too (it means the app installed a parser for that type).
   */
  overrides?: Readonly<Record<string, string>> | undefined;
  /** SQLite: integers as `bigint`, for an app whose better-sqlite3 statements use `safeIntegers()`. */
  safeIntegers?: boolean | undefined;
  /** `import type { ColumnType } from 'kysely'` instead of declaring Kysely's shape in the file. */
  kysely?: boolean | undefined;
  /** Lines written at the top, for the types overrides name: `import type { Decimal } from 'decimal.js';`. */
  imports?: readonly string[] | undefined;
  /** The command that regenerates the file, named in its header. */
  command?: string | undefined;
}

type Mark = 'Generated' | 'GeneratedAlways' | null;

interface Relation {
  key: string;
  qualified: string;
  source: Table | View;
  rowName: string;
  /** The Kysely table's name; null when it would equal the row. */
  tableName: string | null;
}

/**
 * TypeScript for a schema: an interface per table and view with the types the driver returns
 * (the row), a Kysely flavour of each table whose inserts may omit generated and defaulted columns,
 * and `DB`, the database type Kysely takes. The output is a pure function of the model and the
 * options, so a committed file can be compared byte for byte (`--check`).
 */
export function renderTypeScript(model: SchemaModel, options: TypeScriptOptions = {}): string {
  const { typeOverrides, columnOverrides } = splitOverrides(options.overrides ?? {});
  const names = new TypeNames(['ColumnType', 'Generated', 'GeneratedAlways', ...Object.keys(TYPE_HELPERS)]);
  const enums = model.types.filter((type): type is EnumType => type.kind === 'enum');
  const enumNames = new Map(
    enums.map((type) => [`${type.schema}.${type.name}`, names.allocate(pascalCase(localName(model, type)), 'Enum')]),
  );
  const mapping = { safeIntegers: options.safeIntegers, typeOverrides, enumNames };
  const usedOverrides = new Set<string>();
  const used = new Set<TypeHelperName>();
  const marksUsed = new Set<Exclude<Mark, null>>();

  const relations: Relation[] = [...model.tables, ...model.views]
    .map((source) => ({ source, key: localName(model, source) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ source, key }) => {
      const rowName = names.allocate(pascalCase(key), 'Row');
      return { key, qualified: `${source.schema}.${source.name}`, source, rowName, tableName: null };
    });

  const blocks: string[] = [];
  for (const relation of relations) {
    const { source } = relation;
    const isTable = 'primaryKey' in source;
    const rowLines: string[] = [];
    const tableLines: string[] = [];
    let differs = false;
    for (const column of source.columns) {
      const overrideKey = [`${relation.qualified}.${column.name}`, `${relation.key}.${column.name}`].find((key) =>
        columnOverrides.has(key),
      );
      const mapped = mapColumnType(model, column, mapping);
      const rowid = isTable && isRowidAlias(model, source, column);
      const nullable = column.nullable && !rowid;
      let select = mapped.select;
      let kysely = mapped.helper ?? mapped.select;
      if (overrideKey !== undefined) {
        usedOverrides.add(overrideKey);
        select = columnOverrides.get(overrideKey)!;
        kysely = select;
      } else {
        for (const helper of mapped.uses) used.add(helper);
        if (isTable && mapped.helper) used.add(mapped.helper);
      }
      const orNull = (type: string) => (nullable && type !== 'unknown' ? `${type} | null` : type);
      const comment = column.comment === null ? [] : [`  /** ${docText(column.comment)} */`];
      rowLines.push(...comment, `  ${propertyKey(column.name)}: ${orNull(select)};`);
      if (!isTable) continue;
      const mark = markOf(column, rowid);
      let kyselyType = orNull(kysely);
      if (mark) {
        marksUsed.add(mark);
        kyselyType = `${mark}<${kyselyType}>`;
      }
      if (kyselyType !== orNull(select)) differs = true;
      tableLines.push(...comment, `  ${propertyKey(column.name)}: ${kyselyType};`);
    }
    const what = isTable ? 'table' : (source as View).materialized ? 'materialized view' : 'view';
    const comment = source.comment === null ? '' : ` ${docText(source.comment)}`;
    blocks.push(
      `/** ${what} ${docText(relation.qualified)}: a row as the driver returns it.${comment} */\n` +
        `export interface ${relation.rowName} {\n${rowLines.join('\n')}${rowLines.length ? '\n' : ''}}`,
    );
    if (differs) {
      relation.tableName = names.allocate(`${relation.rowName}Table`, '');
      blocks.push(
        `/** ${what} ${docText(relation.qualified)} for Kysely: Generated<T> may be left out of an insert, GeneratedAlways<T> must be. */\n` +
          `export interface ${relation.tableName} {\n${tableLines.join('\n')}\n}`,
      );
    }
  }

  const unknown = [...columnOverrides.keys()].filter((key) => !usedOverrides.has(key));
  if (unknown.length > 0) {
    throw new StrataError(
      'INVALID_OPTIONS',
      `type override${unknown.length > 1 ? 's' : ''} for ${unknown.join(', ')}: no such column (a key with a dot names table.column or schema.table.column)`,
      { overrides: unknown },
    );
  }

  const enumBlocks = enums.map((type) => {
    const values = type.values.length > 0 ? type.values.map(quote).join(' | ') : 'never';
    return `/** enum ${docText(`${type.schema}.${type.name}`)}${type.comment ? `: ${docText(type.comment)}` : ''} */\nexport type ${enumNames.get(`${type.schema}.${type.name}`)} = ${values};`;
  });
  const db = relations.map((relation) => `  ${propertyKey(relation.key)}: ${relation.tableName ?? relation.rowName};`);

  return `${[
    header(model, options),
    ...(options.imports ?? []).map((line) => line.trimEnd()).filter(Boolean),
    ...helperBlocks(used, marksUsed, options.kysely === true),
    ...enumBlocks,
    ...blocks,
    `/** The database as Kysely takes it: \`new Kysely<DB>(...)\`. */\nexport interface DB {\n${db.join('\n')}${db.length ? '\n' : ''}}`,
  ].join('\n\n')}\n`;
}

function header(model: SchemaModel, options: TypeScriptOptions): string {
  const driver =
    model.dialect === 'sqlite'
      ? `SQLite through better-sqlite3${options.safeIntegers ? ' with safeIntegers (integers are bigint)' : ''}`
      : 'PostgreSQL through pg with its default type parsers (int8 and numeric are strings, timestamps are Date)';
  const rerun = options.command ? `: rerun \`${options.command}\`` : '';
  return (
    `// Generated by strata types from the schema; do not edit${rerun}.\n` +
    `// ${driver}. The mapping is in @strata/core's README ("Types").`
  );
}

function helperBlocks(used: Set<TypeHelperName>, marks: Set<string>, kysely: boolean): string[] {
  const closure = new Set<TypeHelperName>();
  const add = (name: TypeHelperName) => {
    if (closure.has(name)) return;
    closure.add(name);
    for (const dependency of HELPER_DEPENDENCIES[name] ?? []) add(dependency);
  };
  for (const name of used) add(name);
  const blocks: string[] = [];
  const needsColumnType = marks.size > 0 || [...closure].some((name) => TYPE_HELPERS[name].includes('ColumnType'));
  if (needsColumnType) {
    blocks.push(
      kysely
        ? "import type { ColumnType } from 'kysely';"
        : "/** Kysely's ColumnType, declared here so the file needs no import: Kysely matches it by shape. */\n" +
            'export type ColumnType<SelectType, InsertType = SelectType, UpdateType = SelectType> = {\n' +
            '  readonly __select__: SelectType;\n  readonly __insert__: InsertType;\n  readonly __update__: UpdateType;\n};',
    );
  }
  // kysely-codegen's definitions: unlike Kysely's own Generated, they keep a ColumnType's insert side.
  if (marks.has('Generated')) {
    blocks.push(
      'export type Generated<T> = T extends ColumnType<infer S, infer I, infer U>\n' +
        '  ? ColumnType<S, I | undefined, U>\n  : ColumnType<T, T | undefined, T>;',
    );
  }
  if (marks.has('GeneratedAlways')) {
    blocks.push(
      'export type GeneratedAlways<T> = T extends ColumnType<infer S, unknown, unknown>\n' +
        '  ? ColumnType<S, never, never>\n  : ColumnType<T, never, never>;',
    );
  }
  for (const name of Object.keys(TYPE_HELPERS) as TypeHelperName[]) {
    if (closure.has(name)) blocks.push(TYPE_HELPERS[name]);
  }
  return blocks;
}

/** Kysely's key for a relation: `users`, or `audit.entries` outside the default schema (as kysely-codegen spells it). */
function localName(model: SchemaModel, object: { schema: string; name: string }): string {
  return object.schema === model.defaultSchema ? object.name : `${object.schema}.${object.name}`;
}

function markOf(column: Column, rowid: boolean): Mark {
  if (column.generated !== null || column.identity?.generation === 'always') return 'GeneratedAlways';
  if (column.identity !== null || column.default !== null || rowid) return 'Generated';
  return null;
}

/** SQLite's `INTEGER PRIMARY KEY`: the rowid under another name, never null, numbered when left out. */
function isRowidAlias(model: SchemaModel, table: Table, column: Column): boolean {
  return (
    model.dialect === 'sqlite' &&
    !table.options.includes('WITHOUT ROWID') &&
    table.primaryKey?.columns.length === 1 &&
    table.primaryKey.columns[0] === column.name &&
    column.typeRef.name.trim().toUpperCase() === 'INTEGER'
  );
}

function splitOverrides(overrides: Readonly<Record<string, string>>): {
  typeOverrides: Map<string, string>;
  columnOverrides: Map<string, string>;
} {
  const typeOverrides = new Map<string, string>();
  const columnOverrides = new Map<string, string>();
  for (const [key, value] of Object.entries(overrides)) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new StrataError('INVALID_OPTIONS', `type override ${key} must be a TypeScript type, not ${JSON.stringify(value)}`, {
        override: key,
      });
    }
    if (key.includes('.')) columnOverrides.set(key, value.trim());
    else typeOverrides.set(key, value.trim());
  }
  return { typeOverrides, columnOverrides };
}
