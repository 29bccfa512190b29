import type { Connection } from '../connection.js';
import { isNetworkError } from '../connection-errors.js';
import type { DatabaseFailure, Dialect, HistoryTableName } from '../dialect.js';
import { quoteIdentifier } from '../identifiers.js';
import { postgresRestriction } from './transaction-restrictions.js';

/** SQLSTATEs that mean "not now" rather than "never": the server is starting, full, or went away. */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
/** SQLSTATEs that mean the server answered and refused us: waiting will not change its mind. */
const REFUSED_SQLSTATES = new Set(['28P01', '28000', '3D000']);

/** What a code means in a migration, added to the database's own message. */
const EXPLANATIONS: Record<string, string> = {
  '57014': 'the statement ran longer than statement_timeout (the statementTimeout option, or a SET in the migration)',
  '55P03': 'the statement waited longer than lock_timeout for a lock another session holds',
};

/** The fields of a `pg` DatabaseError strata reads. */
interface PgErrorFields {
  code?: unknown;
  position?: unknown;
  detail?: unknown;
  hint?: unknown;
  table?: unknown;
  schema?: unknown;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as PgErrorFields | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export const postgresDialect: Dialect = {
  name: 'postgres',
  label: 'PostgreSQL',
  capabilities: { transactionalDdl: true, pipelinesScripts: true, advisoryLocks: true },
  defaultSchema: 'public',
  lexer: {
    nestedBlockComments: true,
    escapeStrings: true,
    dollarQuotes: true,
    bracketIdentifiersAndNamedParameters: false,
    compoundBodies: 'begin-atomic',
  },
  quoteIdentifier,
  summarySql: (table) =>
    `SELECT count(*)::int AS count, coalesce(bool_and(success), TRUE) AS clean,
       encode(sha256(coalesce(string_agg(int8send(version) || checksum, ''::bytea ORDER BY version), ''::bytea)), 'hex') AS digest
     FROM ${table}`,
  placeholder: (n) => `$${n}`,
  types: { timestamp: 'TIMESTAMPTZ', timestampDefault: 'now()', bytes: 'BYTEA' },
  bytesLiteral: (bytes) => `decode('${Buffer.from(bytes).toString('hex')}', 'hex')`,
  textLiteral(value) {
    // Dollar-quoted with a tag that cannot occur in the text, so no character of it needs escaping.
    let tag = 'strata';
    for (let n = 0; value.includes(`$${tag}$`); n++) tag = `strata${n}`;
    return `$${tag}$${value}$${tag}$`;
  },
  currentUserSql: 'current_user',
  async ensureHistoryTable(connection: Connection, name: HistoryTableName, ddl: string) {
    if (name.schema) {
      await connection.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(name.schema)}`).catch((error: unknown) => {
        // 42501: no CREATE privilege on the database; fine when the schema already exists.
        if (codeOf(error) !== '42501') throw error;
      });
    }
    await connection.exec(ddl);
  },
  restrictionInTransaction: postgresRestriction,
  describeFailure(error): DatabaseFailure {
    const fields = (error ?? {}) as PgErrorFields;
    const code = codeOf(error);
    const position = Number(fields.position);
    return {
      code,
      position: Number.isInteger(position) && position > 0 ? position : undefined,
      detail: text(fields.detail),
      hint: text(fields.hint),
      table: text(fields.table),
      schema: text(fields.schema),
      explanation: code ? EXPLANATIONS[code] : undefined,
      batchExplanation:
        code === '53200'
          ? 'a single transaction keeps every lock it takes until it commits (each table it creates is one or more):' +
            ' split the deploy with --target-version, or raise max_locks_per_transaction'
          : undefined,
    };
  },
  isTransient: (error) => isNetworkError(error) || TRANSIENT_SQLSTATES.has(codeOf(error) ?? ''),
  isRefused: (error) => REFUSED_SQLSTATES.has(codeOf(error) ?? ''),
  // 42P01: the table does not exist; 3F000: nor does its schema. Both mean "nothing applied yet".
  isMissingTable: (error) => codeOf(error) === '42P01' || codeOf(error) === '3F000',
  isMissingColumn: (error) => codeOf(error) === '42703',
  // duplicate_table, duplicate_object, duplicate_schema, duplicate_column, duplicate_function.
  isAlreadyExists: (error) => ['42P07', '42710', '42P06', '42701', '42723'].includes(codeOf(error) ?? ''),
  replayLimitSql: (ms) => `SET LOCAL statement_timeout = ${Math.ceil(ms)}`,
  // The catalog reader loads when a schema is read (dump, types, drift), never with a run.
  readSchema: async (session, options) => (await import('./postgres-schema-reader.js')).readPostgresSchema(session, options),
  lockTimeout: { sql: (ms) => `SET LOCAL lock_timeout = ${Math.ceil(ms)}`, code: '55P03' },
};
