import { bySchemaAndName, compareText, type ReadSchemaOptions, withoutExcluded } from '../../schema/read-options.js';
import {
  type CheckConstraint,
  type Column,
  type ForeignKey,
  type Index,
  type IndexKey,
  type ReferentialAction,
  SCHEMA_MODEL_VERSION,
  type SchemaModel,
  type SequenceOptions,
  type Table,
  type TypeRef,
  type UserType,
  type View,
} from '../../schema/schema-model.js';
import type { Session } from '../connection.js';
import { PostgresConnection } from './postgres-connection.js';
import {
  COLUMNS_SQL,
  CONSTRAINTS_SQL,
  EXTENSIONS_SQL,
  INDEXES_SQL,
  RELATIONS_SQL,
  ROUTINES_SQL,
  SCHEMAS_SQL,
  SEQUENCES_SQL,
  TRIGGERS_SQL,
  TYPES_SQL,
} from './postgres-schema-queries.js';

type Row = Record<string, unknown>;

const TYPE_KINDS: Record<string, TypeRef['kind']> = {
  b: 'base',
  e: 'enum',
  d: 'domain',
  c: 'composite',
  r: 'range',
  m: 'multirange',
  p: 'pseudo',
};

const ACTIONS: Record<string, ReferentialAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

const MATCH: Record<string, string> = { f: 'full', p: 'partial', s: 'simple' };

/**
 * Reads the schema from the catalogs in one read-only, repeatable-read transaction (one snapshot,
 * so a migration running meanwhile cannot tear the picture), with `search_path = pg_catalog` so the
 * server qualifies every name it renders. Rolled back, so the session goes back as it came. JIT is
 * off: the correlated subqueries' row estimates make the planner compile each query, which costs
 * ten times what the query does on a catalog.
 */
export async function readPostgresSchema(session: Session, options: ReadSchemaOptions): Promise<SchemaModel> {
  await session.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = pg_catalog; SET LOCAL jit = off');
  try {
    const [schemas, extensions, relations, columns, constraints, indexes, routines, triggers, types, sequences] = (await readAll(
      session,
      [
        SCHEMAS_SQL,
        EXTENSIONS_SQL,
        RELATIONS_SQL,
        COLUMNS_SQL,
        CONSTRAINTS_SQL,
        INDEXES_SQL,
        ROUTINES_SQL,
        TRIGGERS_SQL,
        TYPES_SQL,
        SEQUENCES_SQL,
      ],
    )) as [Row[], Row[], Row[], Row[], Row[], Row[], Row[], Row[], Row[], Row[]];
    const { tables, views } = relationsOf(relations, columns, constraints);
    const model: SchemaModel = {
      formatVersion: SCHEMA_MODEL_VERSION,
      dialect: 'postgres',
      defaultSchema: 'public',
      schemas: schemas.map((row) => ({ name: text(row.name), comment: maybe(row.comment) })),
      extensions: extensions.map((row) => ({ name: text(row.name), schema: text(row.schema), version: text(row.version) })),
      types: bySchemaAndName(types.map(userType)),
      sequences: bySchemaAndName(
        sequences.map((row) => ({
          schema: text(row.schema),
          name: text(row.name),
          ...sequenceOptions(row.options),
          ownedBy: (row.owned_by as { schema: string; table: string; column: string } | null) ?? null,
          comment: maybe(row.comment),
        })),
      ),
      tables,
      views,
      routines: routines
        .map((row) => ({
          schema: text(row.schema),
          name: text(row.name),
          kind: row.kind === 'p' ? ('procedure' as const) : ('function' as const),
          arguments: text(row.arguments),
          returns: maybe(row.returns),
          language: text(row.language),
          definition: `${text(row.definition).trim()};`,
          comment: maybe(row.comment),
        }))
        .sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name) || compareText(a.arguments, b.arguments)),
      indexes: indexes.map(indexOf).sort(byTableThenName),
      triggers: triggers
        .map((row) => ({
          schema: text(row.schema),
          table: text(row.table),
          name: text(row.name),
          definition: `${text(row.definition)};`,
          enabled: text(row.enabled),
          comment: maybe(row.comment),
        }))
        .sort(byTableThenName),
    };
    return withoutExcluded(model, options.exclude);
  } finally {
    await session.rollback();
  }
}

/**
 * The catalog queries in one message on a pg session: one round trip instead of ten, which
 * `validate --reversible` pays twice per migration. Another session kind reads them one by one.
 */
async function readAll(session: Session, statements: readonly string[]): Promise<Row[][]> {
  if (session instanceof PostgresConnection) return session.queryAll(statements);
  const rows: Row[][] = [];
  // One after the other on one session: a transaction's queries cannot overlap.
  for (const sql of statements) rows.push((await session.query(sql)).rows);
  return rows;
}

function relationsOf(relations: Row[], columnRows: Row[], constraints: Row[]): { tables: Table[]; views: View[] } {
  const byTable = byRelation(constraints);
  const columnsOf = byRelation(columnRows);
  const tables: Table[] = [];
  const views: View[] = [];
  for (const row of relations) {
    const schema = text(row.schema);
    const name = text(row.name);
    const columns = (columnsOf.get(`${schema}.${name}`) ?? []).map(column);
    const comment = maybe(row.comment);
    if (row.kind === 'v' || row.kind === 'm') {
      const definition = text(row.definition).trim().replace(/;$/, '');
      views.push({ schema, name, materialized: row.kind === 'm', definition, columns, comment });
      continue;
    }
    tables.push({
      schema,
      name,
      columns,
      ...constraintsOf(byTable.get(`${schema}.${name}`) ?? []),
      partitionBy: maybe(row.partition_by),
      partitionOf: (row.partition_of as Table['partitionOf']) ?? null,
      options: row.persistence === 'u' ? ['UNLOGGED'] : [],
      comment,
    });
  }
  return { tables: bySchemaAndName(tables), views: bySchemaAndName(views) };
}

/** Rows by `schema.table`, in their order. */
function byRelation(rows: Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = `${text(row.schema)}.${text(row.table)}`;
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

function constraintsOf(rows: Row[]): Pick<Table, 'primaryKey' | 'uniques' | 'foreignKeys' | 'checks' | 'otherConstraints'> {
  const parts: ReturnType<typeof constraintsOf> = {
    primaryKey: null,
    uniques: [],
    foreignKeys: [],
    checks: [],
    otherConstraints: [],
  };
  for (const row of rows) {
    const name = text(row.name);
    const columns = row.columns as string[];
    if (row.kind === 'p') parts.primaryKey = { name, columns, autoincrement: false };
    else if (row.kind === 'u') parts.uniques.push({ name, columns, nullsNotDistinct: row.nulls_not_distinct === true });
    else if (row.kind === 'c') parts.checks.push({ name, expression: text(row.expression) });
    else if (row.kind === 'x') parts.otherConstraints.push({ name, kind: 'exclude', definition: text(row.definition) });
    else parts.foreignKeys.push(foreignKey(row));
  }
  for (const list of [parts.uniques, parts.foreignKeys, parts.checks, parts.otherConstraints]) {
    list.sort((a, b) => compareText(a.name ?? '', b.name ?? ''));
  }
  return parts;
}

function foreignKey(row: Row): ForeignKey {
  return {
    name: text(row.name),
    columns: row.columns as string[],
    references: { schema: text(row.ref_schema), table: text(row.ref_table), columns: row.ref_columns as string[] },
    onUpdate: ACTIONS[text(row.on_update)] ?? 'no action',
    onDelete: ACTIONS[text(row.on_delete)] ?? 'no action',
    match: MATCH[text(row.match)] ?? 'simple',
    deferrable: row.deferrable === true,
    initiallyDeferred: row.deferred === true,
  };
}

function column(raw: Row): Column {
  const generated = maybe(raw.generated);
  const identity = text(raw.identity);
  return {
    name: text(raw.name),
    type: text(raw.type),
    typeRef: typeRef({
      schema: raw.type_schema,
      name: raw.type_name,
      kind: raw.type_kind,
      arrayDimensions: Number(raw.array_dimensions),
    }),
    nullable: raw.nullable === true,
    default: maybe(raw.default),
    generated: generated === null ? null : { expression: generated, stored: raw.generated_kind === 's' },
    identity:
      identity === ''
        ? null
        : { generation: identity === 'a' ? 'always' : 'by default', sequence: sequenceOptions(raw.identity_sequence) },
    collation: maybe(raw.collation),
    comment: maybe(raw.comment),
  };
}

function typeRef(raw: unknown): TypeRef {
  const ref = raw as { schema: string; name: string; kind: string; arrayDimensions: number };
  return { schema: ref.schema, name: ref.name, kind: TYPE_KINDS[ref.kind] ?? 'base', arrayDimensions: ref.arrayDimensions };
}

function sequenceOptions(raw: unknown): SequenceOptions {
  const options = raw as SequenceOptions;
  return {
    type: options.type,
    start: options.start,
    increment: options.increment,
    min: options.min,
    max: options.max,
    cache: options.cache,
    cycle: options.cycle,
  };
}

function indexOf(row: Row): Index {
  const keys = (row.keys as Row[]).map(
    (key): IndexKey => ({
      column: maybe(key.column),
      expression: maybe(key.expression),
      descending: key.descending === true,
      // The default is NULLS LAST ascending and NULLS FIRST descending: only the other way round is said.
      nulls: key.nullsFirst === key.descending ? null : key.nullsFirst ? 'first' : 'last',
      opclass: maybe(key.opclass),
      collation: maybe(key.collation),
    }),
  );
  return {
    schema: text(row.schema),
    table: text(row.table),
    name: text(row.name),
    unique: row.unique === true,
    method: text(row.method),
    keys,
    include: row.include as string[],
    predicate: maybe(row.predicate),
    constraint: maybe(row.constraint),
    definition: `${text(row.definition)};`,
    comment: maybe(row.comment),
  };
}

function userType(row: Row): UserType {
  const base = { schema: text(row.schema), name: text(row.name), comment: maybe(row.comment) };
  if (row.kind === 'e') return { ...base, kind: 'enum', values: row.values as string[] };
  if (row.kind === 'r') return { ...base, kind: 'range', subtype: text(row.subtype) };
  if (row.kind === 'c') {
    const attributes = (row.attributes as Row[]).map((a) => ({
      name: text(a.name),
      type: text(a.type),
      typeRef: typeRef(a.typeRef),
      collation: maybe(a.collation),
    }));
    return { ...base, kind: 'composite', attributes };
  }
  return {
    ...base,
    kind: 'domain',
    type: text(row.base_type),
    typeRef: typeRef(row.base_ref),
    nullable: row.not_null !== true,
    default: maybe(row.default),
    collation: maybe(row.collation),
    checks: row.checks as CheckConstraint[],
  };
}

function byTableThenName(a: { schema: string; table: string; name: string }, b: typeof a): number {
  return compareText(a.schema, b.schema) || compareText(a.table, b.table) || compareText(a.name, b.name);
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function maybe(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
