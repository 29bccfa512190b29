import type {
  Column,
  DomainType,
  ForeignKey,
  SchemaModel,
  Sequence,
  SequenceOptions,
  Table,
  UserType,
  View,
} from './schema-model.js';

/**
 * The model as reviewable SQL: one statement per object, sections in a fixed order, objects in the
 * model's order (schema, then name), fixed indentation. Deterministic: the same model gives the
 * same bytes. Written for reading and diffing; it follows the database's own spelling of every
 * expression, so it loads back in most cases, but dependency order is not attempted.
 */
export function renderSql(model: SchemaModel): string {
  const names = new Names(model.defaultSchema);
  const sections: [string, string[]][] = [
    [
      'Extensions',
      model.extensions.map(
        (x) => `CREATE EXTENSION IF NOT EXISTS ${ident(x.name)} WITH SCHEMA ${ident(x.schema)}; -- ${x.version}`,
      ),
    ],
    ['Schemas', model.schemas.filter((s) => s.name !== model.defaultSchema).map((s) => `CREATE SCHEMA ${ident(s.name)};`)],
    ['Types', model.types.map((type) => userType(type, names))],
    ['Sequences', model.sequences.map((sequence) => `CREATE SEQUENCE ${names.of(sequence)}${sequenceClauses(sequence)};`)],
    ['Functions and procedures', model.routines.map((routine) => routine.definition)],
    ['Tables', model.tables.map((table) => createTable(table, names))],
    ['Views', model.views.map((view) => createView(view, names))],
    ['Indexes', model.indexes.filter((index) => index.constraint === null).map((index) => index.definition)],
    ['Triggers', model.triggers.map((trigger) => trigger.definition + triggerState(trigger, names))],
    ['Sequence ownership', model.sequences.filter((s) => s.ownedBy).map((s) => ownedBy(s, names))],
    ['Comments', comments(model, names)],
  ];
  const body = sections
    .filter(([, statements]) => statements.length > 0)
    .map(([title, statements]) => `-- ${title}\n\n${statements.join('\n\n')}`)
    .join('\n\n');
  return `-- Schema dump by strata (${model.dialect}). Generated: do not edit; regenerate with \`strata schema dump\`.\n\n${body}\n`;
}

/** Names written in the dump: qualified unless in the default schema. */
class Names {
  constructor(readonly defaultSchema: string) {}
  of(object: { schema: string; name: string }): string {
    return this.qualified(object.schema, object.name);
  }
  qualified(schema: string, name: string): string {
    return schema === this.defaultSchema ? ident(name) : `${ident(schema)}.${ident(name)}`;
  }
}

/** Words that must be quoted as names in PostgreSQL or SQLite (the reserved ones a schema is likely to meet). */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between binary both case cast check collate ' +
    'column constraint create cross current_date current_time current_timestamp current_user default deferrable desc ' +
    'distinct do else end except false fetch for foreign from full grant group having in index initially inner ' +
    'intersect into is join key lateral leading left like limit localtime localtimestamp natural not null offset on ' +
    'only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric table then to trailing true union unique user using values variadic verbose when where window with'
  ).split(' '),
);

/** A name, double-quoted unless it is a plain lower-case word that is not reserved. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function userType(type: UserType, names: Names): string {
  const name = names.of(type);
  switch (type.kind) {
    case 'enum':
      return `CREATE TYPE ${name} AS ENUM (${type.values.map((value) => `\n  ${literal(value)}`).join(',')}\n);`;
    case 'range':
      return `CREATE TYPE ${name} AS RANGE (SUBTYPE = ${type.subtype});`;
    case 'composite': {
      const attributes = type.attributes.map(
        (a) => `\n  ${ident(a.name)} ${a.type}${a.collation ? ` COLLATE ${ident(a.collation)}` : ''}`,
      );
      return `CREATE TYPE ${name} AS (${attributes.join(',')}\n);`;
    }
    case 'domain':
      return createDomain(type, name);
  }
}

function createDomain(domain: DomainType, name: string): string {
  const clauses = [
    domain.collation ? `COLLATE ${ident(domain.collation)}` : '',
    domain.default !== null ? `DEFAULT ${domain.default}` : '',
    domain.nullable ? '' : 'NOT NULL',
    ...domain.checks.map((check) => `${check.name ? `CONSTRAINT ${ident(check.name)} ` : ''}CHECK ${check.expression}`),
  ].filter(Boolean);
  return `CREATE DOMAIN ${name} AS ${domain.type}${clauses.map((clause) => `\n  ${clause}`).join('')};`;
}

function sequenceClauses(options: SequenceOptions): string {
  return (
    ` AS ${options.type} START WITH ${options.start} INCREMENT BY ${options.increment}` +
    ` MINVALUE ${options.min} MAXVALUE ${options.max} CACHE ${options.cache}${options.cycle ? ' CYCLE' : ''}`
  );
}

function ownedBy(sequence: Sequence, names: Names): string {
  const owner = sequence.ownedBy!;
  return `ALTER SEQUENCE ${names.of(sequence)} OWNED BY ${names.qualified(owner.schema, owner.table)}.${ident(owner.column)};`;
}

function createTable(table: Table, names: Names): string {
  const unlogged = table.options.includes('UNLOGGED') ? 'UNLOGGED ' : '';
  const head = `CREATE ${unlogged}TABLE ${names.of(table)}`;
  if (table.partitionOf) {
    const parent = names.qualified(table.partitionOf.schema, table.partitionOf.table);
    return `${head} PARTITION OF ${parent} ${table.partitionOf.bound};`;
  }
  const lines = [
    ...table.columns.map(columnLine),
    ...(table.primaryKey
      ? [
          `${constraintName(table.primaryKey.name)}PRIMARY KEY (${list(table.primaryKey.columns)}${table.primaryKey.autoincrement ? ' AUTOINCREMENT' : ''})`,
        ]
      : []),
    ...table.uniques.map(
      (u) => `${constraintName(u.name)}UNIQUE${u.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''} (${list(u.columns)})`,
    ),
    ...table.checks.map((check) => `${constraintName(check.name)}CHECK ${check.expression}`),
    ...table.foreignKeys.map((key) => foreignKeyLine(key, names)),
    ...table.otherConstraints.map((other) => `${constraintName(other.name)}${other.definition}`),
  ];
  const trailer = [
    table.partitionBy ? ` PARTITION BY ${table.partitionBy}` : '',
    table.options.filter((option) => option !== 'UNLOGGED').join(', '),
  ].filter(Boolean);
  return `${head} (\n${lines.map((line) => `  ${line}`).join(',\n')}\n)${trailer.length > 0 ? ` ${trailer.join(' ').trim()}` : ''};`;
}

function columnLine(column: Column): string {
  const parts = [ident(column.name), column.type];
  if (column.collation) parts.push(`COLLATE ${ident(column.collation)}`);
  if (column.generated)
    parts.push(`GENERATED ALWAYS AS (${column.generated.expression}) ${column.generated.stored ? 'STORED' : 'VIRTUAL'}`);
  if (column.identity) {
    parts.push(
      `GENERATED ${column.identity.generation.toUpperCase()} AS IDENTITY (${sequenceClauses(column.identity.sequence).trim()})`,
    );
  }
  if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  if (!column.nullable) parts.push('NOT NULL');
  return parts.filter(Boolean).join(' ');
}

function foreignKeyLine(key: ForeignKey, names: Names): string {
  const target = names.qualified(key.references.schema, key.references.table);
  const clauses = [
    `FOREIGN KEY (${list(key.columns)}) REFERENCES ${target} (${list(key.references.columns)})`,
    key.match !== 'simple' ? `MATCH ${key.match.toUpperCase()}` : '',
    key.onUpdate !== 'no action' ? `ON UPDATE ${key.onUpdate.toUpperCase()}` : '',
    key.onDelete !== 'no action' ? `ON DELETE ${key.onDelete.toUpperCase()}` : '',
    key.deferrable ? `DEFERRABLE${key.initiallyDeferred ? ' INITIALLY DEFERRED' : ''}` : '',
  ];
  return constraintName(key.name) + clauses.filter(Boolean).join(' ');
}

function constraintName(name: string | null): string {
  return name ? `CONSTRAINT ${ident(name)} ` : '';
}

function list(columns: readonly string[]): string {
  return columns.map(ident).join(', ');
}

function createView(view: View, names: Names): string {
  return `CREATE ${view.materialized ? 'MATERIALIZED ' : ''}VIEW ${names.of(view)} AS\n${view.definition};`;
}

function triggerState(trigger: SchemaModel['triggers'][number], names: Names): string {
  const state = { O: '', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[trigger.enabled] ?? '';
  return state ? `\nALTER TABLE ${names.qualified(trigger.schema, trigger.table)} ${state} TRIGGER ${ident(trigger.name)};` : '';
}

/** COMMENT ON statements, in the order of the sections above. */
function comments(model: SchemaModel, names: Names): string[] {
  const out: string[] = [];
  const add = (what: string, comment: string | null) => {
    if (comment !== null) out.push(`COMMENT ON ${what} IS ${literal(comment)};`);
  };
  for (const schema of model.schemas) add(`SCHEMA ${ident(schema.name)}`, schema.comment);
  for (const type of model.types) add(`${type.kind === 'domain' ? 'DOMAIN' : 'TYPE'} ${names.of(type)}`, type.comment);
  for (const sequence of model.sequences) add(`SEQUENCE ${names.of(sequence)}`, sequence.comment);
  for (const routine of model.routines) {
    add(`${routine.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION'} ${names.of(routine)}(${routine.arguments})`, routine.comment);
  }
  for (const relation of [...model.tables, ...model.views]) {
    const kind = 'materialized' in relation ? (relation.materialized ? 'MATERIALIZED VIEW' : 'VIEW') : 'TABLE';
    add(`${kind} ${names.of(relation)}`, relation.comment);
    for (const column of relation.columns) add(`COLUMN ${names.of(relation)}.${ident(column.name)}`, column.comment);
  }
  for (const index of model.indexes) add(`INDEX ${names.qualified(index.schema, index.name)}`, index.comment);
  for (const trigger of model.triggers) {
    add(`TRIGGER ${ident(trigger.name)} ON ${names.qualified(trigger.schema, trigger.table)}`, trigger.comment);
  }
  return out;
}
