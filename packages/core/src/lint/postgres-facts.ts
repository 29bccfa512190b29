import type { LexerOptions } from '../sql/split-statements.js';
import { readSqlToken, type SqlToken, splitStatements } from '../sql/split-statements.js';
import { byteToCharOffsets } from './byte-offsets.js';
import type { Fact, FactOf } from './facts.js';
import { type PgNode, type PostgresParser, parseErrorPosition } from './postgres-parser.js';

/**
 * Functions whose value differs row by row: a column added with one as its default is filled
 * by rewriting the table. Constant and STABLE defaults (now(), current_timestamp) are evaluated
 * once and stored in the catalog since PostgreSQL 11. A user's own function is not known here.
 */
const PER_ROW_FUNCTIONS = new Set([
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
  'pg_current_xact_id',
]);
const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/** ALTER TABLE forms that take less than ACCESS EXCLUSIVE (the rest take it). */
const WEAKER_ALTER_TABLE = new Set([
  'AT_AddConstraint', // judged by its own rule: FOREIGN KEY takes SHARE ROW EXCLUSIVE
  'AT_ValidateConstraint',
  'AT_SetStatistics',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_SetRelOptions',
  'AT_ResetRelOptions',
  'AT_AttachPartition',
  'AT_DetachPartition',
  'AT_EnableTrig',
  'AT_DisableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
]);
const ACCESS_EXCLUSIVE_LOCK_MODE = 8;

/**
 * The facts of a PostgreSQL script, read by the server's own parser. A script the parser rejects
 * is parsed again statement by statement (split by strata's lexer), so one bad statement is a
 * finding and the rest are still checked.
 */
export function postgresFacts(body: string, parser: PostgresParser, lexer: LexerOptions): Fact[] {
  try {
    return statementFacts(body, 0, parser.parse(body), lexer);
  } catch (error) {
    if (parseErrorPosition(error) === undefined && !(error instanceof Error)) throw error;
  }
  const facts: Fact[] = [];
  for (const piece of splitStatements(body, lexer)) {
    if (piece.empty) continue;
    try {
      facts.push(...statementFacts(body, piece.start, parser.parse(piece.text), lexer));
    } catch (error) {
      const position = parseErrorPosition(error);
      const offset = position === undefined ? piece.tokenStart : piece.start + byteToCharOffsets(piece.text)(position);
      facts.push({ kind: 'syntax-error', offset, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return facts;
}

function statementFacts(body: string, base: number, result: ReturnType<PostgresParser['parse']>, lexer: LexerOptions): Fact[] {
  const text = base === 0 ? body : body.slice(base);
  const toChar = byteToCharOffsets(text);
  const token: SqlToken = { kind: 'punctuation', start: 0, end: 0 };
  const facts: Fact[] = [];
  for (const { stmt, stmt_location } of result.stmts ?? []) {
    if (!stmt) continue;
    const from = base + toChar(stmt_location ?? 0);
    // The parser's statement starts after the previous `;`: point at its first word instead.
    const offset = readSqlToken(body, from, lexer, token) ? token.start : from;
    facts.push(...factsOf(stmt, offset));
  }
  return facts;
}

function factsOf(stmt: PgNode, offset: number): Fact[] {
  const [type, node] = only(stmt);
  switch (type) {
    case 'CreateStmt':
      return [{ kind: 'create-table', offset, table: relationName(node.relation) }];
    case 'CreateTableAsStmt':
      return [{ kind: 'create-table', offset, table: relationName(field(node.into).rel) }];
    case 'IndexStmt':
      return [
        {
          kind: 'create-index',
          offset,
          table: relationName(node.relation),
          index: typeof node.idxname === 'string' ? node.idxname : undefined,
          concurrent: node.concurrent === true,
        },
      ];
    case 'DropStmt':
      return dropFacts(node, offset);
    case 'AlterTableStmt':
      return node.objtype === 'OBJECT_TABLE' ? alterTableFacts(node, offset) : [];
    case 'RenameStmt':
      return renameFacts(node, offset);
    case 'TruncateStmt':
      return list(node.relations).map((relation) => ({
        kind: 'access-exclusive',
        offset,
        table: relationName(relation),
        statement: 'TRUNCATE',
      }));
    case 'LockStmt':
      if (node.mode !== ACCESS_EXCLUSIVE_LOCK_MODE) return [];
      return list(node.relations).map((relation) => ({
        kind: 'access-exclusive',
        offset,
        table: relationName(relation),
        statement: 'LOCK TABLE',
      }));
    case 'VariableSetStmt':
      return node.name === 'lock_timeout' && node.kind === 'VAR_SET_VALUE' ? [{ kind: 'set-lock-timeout', offset }] : [];
    default:
      return [];
  }
}

function dropFacts(node: PgNode, offset: number): Fact[] {
  const names = list(node.objects).map((object) => qualifiedName(list(field(object, 'List').items)));
  if (node.removeType === 'OBJECT_INDEX')
    return [{ kind: 'drop-index', offset, indexes: names, concurrent: node.concurrent === true }];
  if (node.removeType !== 'OBJECT_TABLE') return [];
  return [
    { kind: 'drop-table', offset, tables: names },
    ...names.map((table): Fact => ({ kind: 'access-exclusive', offset, table, statement: 'DROP TABLE' })),
  ];
}

function renameFacts(node: PgNode, offset: number): Fact[] {
  if (node.relation === undefined) return [];
  const table = relationName(node.relation);
  const to = String(node.newname ?? '');
  let fact: Fact;
  if (node.renameType === 'OBJECT_TABLE') fact = { kind: 'rename-table', offset, table, to };
  else if (node.renameType === 'OBJECT_COLUMN' && node.relationType === 'OBJECT_TABLE') {
    fact = { kind: 'rename-column', offset, table, column: String(node.subname ?? ''), to };
  } else return [];
  return [fact, { kind: 'access-exclusive', offset, table, statement: `ALTER TABLE ... RENAME` }];
}

function alterTableFacts(node: PgNode, offset: number): Fact[] {
  const table = relationName(node.relation);
  const facts: Fact[] = [];
  let exclusive = false;
  for (const item of list(node.cmds)) {
    const cmd = field(item, 'AlterTableCmd');
    const subtype = String(cmd.subtype);
    const column = String(cmd.name ?? '');
    if (!WEAKER_ALTER_TABLE.has(subtype)) exclusive = true;
    switch (subtype) {
      case 'AT_AddColumn':
        facts.push(addColumnFact(table, field(cmd.def, 'ColumnDef'), offset));
        break;
      case 'AT_AlterColumnType':
        facts.push({ kind: 'alter-column-type', offset, table, column, type: typeName(field(cmd.def, 'ColumnDef').typeName) });
        break;
      case 'AT_SetNotNull':
        facts.push({ kind: 'set-not-null', offset, table, column });
        break;
      case 'AT_DropColumn':
        facts.push({ kind: 'drop-column', offset, table, column });
        break;
      case 'AT_ValidateConstraint':
        facts.push({ kind: 'validate-constraint', offset, table, name: column });
        break;
      case 'AT_AddConstraint': {
        const fact = constraintFact(table, field(cmd.def, 'Constraint'), offset);
        if (fact) facts.push(fact);
        // A CHECK is checked under ACCESS EXCLUSIVE; a FOREIGN KEY under SHARE ROW EXCLUSIVE.
        if (fact?.constraint !== 'FOREIGN KEY') exclusive = true;
        break;
      }
    }
  }
  if (exclusive) facts.push({ kind: 'access-exclusive', offset, table, statement: 'ALTER TABLE' });
  return facts;
}

function addColumnFact(table: string, def: PgNode, offset: number): Fact {
  const constraints = list(def.constraints).map((c) => field(c, 'Constraint'));
  const types = list(field(def.typeName).names).map((n) => String(field(n, 'String').sval));
  const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
  let perRow: string | undefined;
  if (SERIAL_TYPES.has(types.at(-1) ?? '')) perRow = `type ${types.at(-1)} (a nextval() default)`;
  else if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY')) perRow = 'an identity';
  else if (constraints.some((c) => c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'ATTRIBUTE_GENERATED_VIRTUAL')) {
    perRow = 'a stored generated value';
  } else {
    const call = perRowCall(defaultExpr);
    if (call) perRow = `the default ${call}()`;
  }
  return {
    kind: 'add-column',
    offset,
    table,
    column: String(def.colname ?? ''),
    notNull: constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY'),
    hasDefault: defaultExpr !== undefined,
    perRow,
  };
}

function constraintFact(table: string, constraint: PgNode, offset: number): FactOf<'add-constraint'> | undefined {
  const kind =
    constraint.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : constraint.contype === 'CONSTR_CHECK' ? 'CHECK' : undefined;
  if (!kind) return undefined;
  return {
    kind: 'add-constraint',
    offset,
    table,
    name: typeof constraint.conname === 'string' ? constraint.conname : undefined,
    constraint: kind,
    notValid: constraint.skip_validation === true,
    provesNotNull: kind === 'CHECK' ? notNullColumn(constraint.raw_expr) : undefined,
  };
}

/** `column IS NOT NULL`: the column. */
function notNullColumn(expr: unknown): string | undefined {
  const test = field(expr, 'NullTest');
  if (test.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = list(field(test.arg, 'ColumnRef').fields);
  return fields.length === 1 ? (field(fields[0], 'String').sval as string | undefined) : undefined;
}

/** The first call in an expression to a function whose value differs row by row. */
function perRowCall(expr: unknown): string | undefined {
  if (expr === null || typeof expr !== 'object') return undefined;
  if (Array.isArray(expr)) {
    for (const item of expr) {
      const found = perRowCall(item);
      if (found) return found;
    }
    return undefined;
  }
  const call = (expr as PgNode).FuncCall as PgNode | undefined;
  if (call) {
    const name = list(call.funcname).at(-1);
    const sval = name ? String(field(name, 'String').sval) : '';
    if (PER_ROW_FUNCTIONS.has(sval)) return sval;
  }
  for (const value of Object.values(expr)) {
    const found = perRowCall(value);
    if (found) return found;
  }
  return undefined;
}

function typeName(node: unknown): string {
  const names = list(field(node).names).map((n) => String(field(n, 'String').sval));
  return names.filter((name) => name !== 'pg_catalog').join('.');
}

/** A RangeVar (bare, or wrapped as `{RangeVar: ...}` in lists) as written: `schema.table` or `table`. */
function relationName(node: unknown): string {
  const range = field(node, 'RangeVar');
  const relname = String(range.relname ?? '');
  return typeof range.schemaname === 'string' ? `${range.schemaname}.${relname}` : relname;
}

function qualifiedName(items: unknown[]): string {
  return items.map((item) => String(field(item, 'String').sval)).join('.');
}

/** The node's one key and its value: `{IndexStmt: {...}}` → ['IndexStmt', {...}]. */
function only(node: PgNode): [string, PgNode] {
  const [entry] = Object.entries(node);
  return entry ? [entry[0], (entry[1] ?? {}) as PgNode] : ['', {}];
}

/** An object field, unwrapped from `{Type: ...}` when it is wrapped; `{}` when absent. */
function field(value: unknown, wrapper?: string): PgNode {
  if (value === null || typeof value !== 'object') return {};
  const node = value as PgNode;
  if (wrapper && typeof node[wrapper] === 'object' && node[wrapper] !== null) return node[wrapper] as PgNode;
  return node;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
