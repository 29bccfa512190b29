import type { Connection } from '../connection.js';
import type { DatabaseFailure, Dialect, HistoryTableName } from '../dialect.js';
import { mysqlImplicitCommit } from './implicit-commit.js';
import { failurePositions } from './mysql-connection.js';
import { EXPLANATIONS, errnoOf, isMysqlRefused, isMysqlTransient } from './mysql-errors.js';
import type { MysqlError } from './mysql-handles.js';
import { mysqlLexer } from './mysql-lexer.js';

/** Backticks, a backtick doubled inside. */
export function quoteMysqlIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export const mysqlDialect: Dialect = {
  name: 'mysql',
  label: 'MySQL',
  // DDL commits implicitly; statements go one per round trip (multipleStatements stays off).
  capabilities: { transactionalDdl: false, pipelinesScripts: false, advisoryLocks: true },
  // The connection's current database: the run pins it by name (see MysqlDatabase.pinHistoryTable).
  defaultSchema: undefined,
  lexer: mysqlLexer,
  quoteIdentifier: quoteMysqlIdentifier,
  // No summarySql: a GROUP_CONCAT of the history is cut at group_concat_max_len (1024 bytes by
  // default on MySQL, about 18 rows); the engine folds the rows it reads instead.
  placeholder: () => '?',
  // SQLx's sqlx-mysql table, column for column.
  types: { timestamp: 'TIMESTAMP', timestampDefault: 'CURRENT_TIMESTAMP', bytes: 'BLOB' },
  bytesLiteral: (bytes) => `X'${Buffer.from(bytes).toString('hex')}'`,
  // Hex, converted: right whatever sql_mode says of backslashes (NO_BACKSLASH_ESCAPES).
  textLiteral: (value) => `CONVERT(X'${Buffer.from(value, 'utf8').toString('hex')}' USING utf8mb4)`,
  currentUserSql: 'CURRENT_USER()',
  async ensureHistoryTable(connection: Connection, name: HistoryTableName, ddl: string) {
    if (name.schema) {
      await connection.exec(`CREATE DATABASE IF NOT EXISTS ${quoteMysqlIdentifier(name.schema)}`).catch((error: unknown) => {
        // 1044: no CREATE privilege; fine when the database already exists.
        if (errnoOf(error) !== 1044) throw error;
      });
    }
    await connection.exec(ddl);
  },
  // MySQL refuses no statement inside a transaction: it commits the DDL ones instead (implicitCommit).
  restrictionInTransaction: () => undefined,
  implicitCommit: mysqlImplicitCommit,
  describeFailure(error): DatabaseFailure {
    const fields = (error ?? {}) as MysqlError;
    const errno = errnoOf(error);
    const position = typeof error === 'object' && error !== null ? failurePositions.get(error) : undefined;
    return {
      code: errno === undefined ? fields.code : String(errno),
      position,
      detail:
        errno !== undefined && fields.code
          ? `${fields.code}${fields.sqlState ? ` (SQLSTATE ${fields.sqlState})` : ''}`
          : undefined,
      hint: undefined,
      table: undefined,
      schema: undefined,
      explanation: errno === undefined ? undefined : EXPLANATIONS[errno],
      batchExplanation: undefined,
    };
  },
  isTransient: isMysqlTransient,
  isRefused: isMysqlRefused,
  // 1146: no such table; 1049: no such database (a history `schema` not created yet).
  isMissingTable: (error) => errnoOf(error) === 1146 || errnoOf(error) === 1049,
  isMissingColumn: (error) => errnoOf(error) === 1054,
  // Table, key, column, database, procedure/function, trigger, event, sequence already there.
  isAlreadyExists: (error) => [1050, 1061, 1060, 1007, 1304, 1359, 1537, 4085].includes(errnoOf(error) ?? 0),
  // The replay that locates a failing statement is never used here (it would commit): exec says where.
  replayLimitSql: () => undefined,
};
