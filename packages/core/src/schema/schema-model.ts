/**
 * The schema a database holds, as plain JSON-able data: what `strata schema dump --json` prints,
 * what drift detection compares and what `strata types` reads.
 *
 * Rules that make two fresh databases migrated from the same files produce equal models:
 * - no OIDs, no timestamps, no sizes or statistics: only what the migrations decide;
 * - every list is sorted (by schema, then name; columns and enum values keep their declared order);
 * - absent values are `null`, never a missing key, so the JSON shape is the same for every object;
 * - expressions are the database's own rendering (`pg_get_expr`, `pg_get_indexdef`, ...; SQLite:
 *   the text as written in the migration), so they compare as text.
 *
 * Names are unquoted. On SQLite `schema` is `main` and `TypeRef.schema` is null.
 */

/** Bump when a field changes meaning or is removed (adding a field does not bump it). */
export const SCHEMA_MODEL_VERSION = 1;

export interface SchemaModel {
  /** SCHEMA_MODEL_VERSION of the code that produced it. */
  formatVersion: number;
  /** Which database produced it: `postgres` | `sqlite` (a DialectName). */
  dialect: string;
  /** Where unqualified names resolve (`public`; SQLite `main`): the SQL dump leaves it out of names and does not create it. */
  defaultSchema: string;
  schemas: SchemaInfo[];
  extensions: Extension[];
  /** Enums, domains, composite and range types (not the types tables and views imply). */
  types: UserType[];
  /** Stand-alone and serial sequences; a column's identity sequence is part of that column. */
  sequences: Sequence[];
  tables: Table[];
  /** Views and materialized views. */
  views: View[];
  /** Functions and procedures (not aggregates, not those an extension owns). */
  routines: Routine[];
  /** Indexes on tables and materialized views, including those that implement a constraint. */
  indexes: Index[];
  triggers: Trigger[];
}

export interface SchemaInfo {
  name: string;
  comment: string | null;
}

export interface Extension {
  name: string;
  /** The schema its objects live in. */
  schema: string;
  version: string;
}

/**
 * The type of a column, a domain or an attribute, as data. PostgreSQL: the element type of an
 * array, by `pg_type.typname` (`int4`, `varchar`, `timestamptz`, `mood`) in its schema
 * (`pg_catalog` for built-ins). SQLite: the declared type as written (`INTEGER`, `varchar(20)`,
 * '' when none), kind `base`.
 */
export interface TypeRef {
  schema: string | null;
  name: string;
  kind: 'base' | 'enum' | 'domain' | 'composite' | 'range' | 'multirange' | 'pseudo';
  /** 0 for a scalar, 1 for `int4[]`, 2 for `int4[][]`. */
  arrayDimensions: number;
}

export interface Column {
  name: string;
  /** The type as the database prints it: `character varying(20)`, `integer[]`, `public.mood`; SQLite: as declared. */
  type: string;
  typeRef: TypeRef;
  nullable: boolean;
  /** The default expression, as the database renders it; null when none (an identity column has none). */
  default: string | null;
  /** `GENERATED ALWAYS AS (expression)`: stored, or computed on read (SQLite's VIRTUAL). */
  generated: { expression: string; stored: boolean } | null;
  identity: Identity | null;
  /** A collation other than the type's default. */
  collation: string | null;
  comment: string | null;
}

export interface Identity {
  generation: 'always' | 'by default';
  /** The sequence behind it; its name is left out, the database chooses it. */
  sequence: SequenceOptions;
}

/** Bounds and steps as decimal strings: they are 64-bit. */
export interface SequenceOptions {
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}

export interface Sequence extends SequenceOptions {
  schema: string;
  name: string;
  /** The column that owns it (`serial`, `OWNED BY`). */
  ownedBy: { schema: string; table: string; column: string } | null;
  comment: string | null;
}

export interface PrimaryKey {
  /** SQLite: null unless the table says CONSTRAINT name (so for its other constraints). */
  name: string | null;
  columns: string[];
  /** SQLite's AUTOINCREMENT (a rowid is never reused); PostgreSQL: false (identity is the column's). */
  autoincrement: boolean;
}

export interface UniqueConstraint {
  name: string | null;
  columns: string[];
  /** PostgreSQL 15+: `NULLS NOT DISTINCT`. */
  nullsNotDistinct: boolean;
}

export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface ForeignKey {
  name: string | null;
  columns: string[];
  references: { schema: string; table: string; columns: string[] };
  onUpdate: ReferentialAction;
  onDelete: ReferentialAction;
  /** `full` | `simple` | `partial`, as SQL spells it. */
  match: string;
  deferrable: boolean;
  initiallyDeferred: boolean;
}

export interface CheckConstraint {
  name: string | null;
  /** The condition without `CHECK`: `(price > 0)`. */
  expression: string;
}

/** Constraints that are none of the above (PostgreSQL's EXCLUDE): the database's own definition. */
export interface OtherConstraint {
  name: string;
  kind: 'exclude';
  definition: string;
}

export interface Table {
  schema: string;
  name: string;
  columns: Column[];
  primaryKey: PrimaryKey | null;
  uniques: UniqueConstraint[];
  foreignKeys: ForeignKey[];
  checks: CheckConstraint[];
  otherConstraints: OtherConstraint[];
  /** PostgreSQL: `RANGE (created_at)` for a partitioned table. */
  partitionBy: string | null;
  /** PostgreSQL: a partition's parent and bound (`FOR VALUES FROM (...) TO (...)`). */
  partitionOf: { schema: string; table: string; bound: string } | null;
  /** Storage options that change behaviour: `UNLOGGED`; SQLite `WITHOUT ROWID`, `STRICT`. Sorted. */
  options: string[];
  comment: string | null;
}

export interface View {
  schema: string;
  name: string;
  materialized: boolean;
  /** The query, as the database renders it (PostgreSQL: `pg_get_viewdef`; SQLite: the text after AS). */
  definition: string;
  /** The result's columns, for types; nullability is what the database can tell (usually nullable). */
  columns: Column[];
  comment: string | null;
}

export interface IndexKey {
  /** A plain column, or null when the key is an expression. */
  column: string | null;
  expression: string | null;
  descending: boolean;
  /** `first` | `last` when not the default for the direction. */
  nulls: 'first' | 'last' | null;
  /** An operator class or collation other than the default, as written in the definition. */
  opclass: string | null;
  collation: string | null;
}

export interface Index {
  schema: string;
  /** The table or materialized view it indexes. */
  table: string;
  name: string;
  unique: boolean;
  /** `btree`, `gin`, `gist`, ...; SQLite: `btree`. */
  method: string;
  keys: IndexKey[];
  /** INCLUDE columns (PostgreSQL). */
  include: string[];
  /** The WHERE of a partial index, without `WHERE`. */
  predicate: string | null;
  /** The constraint this index implements (primary key, unique, exclusion); it is rendered with the table. */
  constraint: string | null;
  /** The full CREATE INDEX statement as the database renders it. */
  definition: string;
  comment: string | null;
}

export interface Routine {
  schema: string;
  name: string;
  kind: 'function' | 'procedure';
  /** The identity arguments (`a integer, b text`): overloads differ here. */
  arguments: string;
  /** The result type; null for a procedure. */
  returns: string | null;
  language: string;
  /** The full CREATE OR REPLACE statement as the database renders it. */
  definition: string;
  comment: string | null;
}

export interface Trigger {
  schema: string;
  table: string;
  name: string;
  /** The full CREATE TRIGGER statement as the database renders it. */
  definition: string;
  /** PostgreSQL: `O` (origin, the default), `D` (disabled), `R` (replica), `A` (always). */
  enabled: string;
  comment: string | null;
}

export type UserType = EnumType | DomainType | CompositeType | RangeType;

interface UserTypeBase {
  schema: string;
  name: string;
  comment: string | null;
}

export interface EnumType extends UserTypeBase {
  kind: 'enum';
  /** In their declared sort order. */
  values: string[];
}

export interface DomainType extends UserTypeBase {
  kind: 'domain';
  /** The underlying type as the database prints it, and as data. */
  type: string;
  typeRef: TypeRef;
  nullable: boolean;
  default: string | null;
  collation: string | null;
  checks: CheckConstraint[];
}

export interface CompositeType extends UserTypeBase {
  kind: 'composite';
  attributes: { name: string; type: string; typeRef: TypeRef; collation: string | null }[];
}

export interface RangeType extends UserTypeBase {
  kind: 'range';
  subtype: string;
}
