import type { LexerOptions } from '../../sql/split-statements.js';
import type { Connection } from '../connection.js';
import type { DatabaseFailure, Dialect, HistoryTableName } from '../dialect.js';
import { quoteIdentifier } from '../identifiers.js';
import { foreignKeysSetting } from './foreign-keys.js';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

const LEXER: LexerOptions = {
  nestedBlockComments: false,
  escapeStrings: false,
  dollarQuotes: false,
  bracketIdentifiersAndNamedParameters: true,
  compoundBodies: 'trigger',
};

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  label: 'SQLite',
  // Scripts run in-process: there is no round trip to save by sending bookkeeping with them.
  capabilities: { transactionalDdl: true, pipelinesScripts: false, advisoryLocks: false },
  defaultSchema: undefined,
  lexer: LEXER,
  quoteIdentifier,
  placeholder: () => '?',
  types: { timestamp: 'TIMESTAMP', timestampDefault: 'CURRENT_TIMESTAMP', bytes: 'BLOB' },
  bytesLiteral: (bytes) => `X'${Buffer.from(bytes).toString('hex')}'`,
  textLiteral: (value) => `'${value.replace(/'/g, "''")}'`,
  currentUserSql: undefined,
  async ensureHistoryTable(connection: Connection, _name: HistoryTableName, ddl: string) {
    // In a write transaction: two runners creating it at once must not both try.
    await connection.begin();
    try {
      await connection.exec(ddl);
      await connection.commit();
    } catch (error) {
      await connection.rollback();
      throw error;
    }
  },
  restrictionInTransaction: (statement) => (statement.peek('VACUUM') ? 'VACUUM' : undefined),
  describeFailure(error): DatabaseFailure {
    const code = codeOf(error);
    return {
      code,
      position: undefined,
      detail: undefined,
      hint: undefined,
      table: undefined,
      schema: undefined,
      explanation: code?.startsWith('SQLITE_BUSY')
        ? 'another connection held the database past its busy timeout; stop the process holding it, or raise busy_timeout'
        : undefined,
      batchExplanation: undefined,
    };
  },
  // A file on this host either opens or does not: nothing heals by waiting.
  isTransient: () => false,
  isRefused: () => false,
  isMissingTable: (error) => /no such table/i.test(messageOf(error)),
  isMissingColumn: (error) => /no such column/i.test(messageOf(error)),
  isAlreadyExists: (error) => /already exists|duplicate column name/i.test(messageOf(error)),
  replayLimitSql: () => undefined,
  // The catalog reader loads when a schema is read (dump, types, drift), never with a run.
  readSchema: async (session, options) => (await import('./sqlite-schema-reader.js')).readSqliteSchema(session, options),
  settingOutsideTransaction: (script) => foreignKeysSetting(script, LEXER),
};
