import type { Dialect } from '../dialects/dialect.js';
import { splitStatements } from './split-statements.js';
import { StatementReader } from './statement-reader.js';

export interface RestrictedStatement {
  /** The command as PostgreSQL / SQLite names it in its refusal, e.g. `CREATE INDEX CONCURRENTLY`. */
  statement: string;
  /** UTF-16 index in the source of the statement's first token. */
  offset: number;
}

/**
 * Statements the database refuses inside a transaction block, so a script holding one must run
 * with `-- no-transaction`. Matches the leading keywords of each statement only, through the
 * same lexer that splits the script, so words inside strings, comments or dollar-quoted bodies
 * never match.
 */
/** The first statement the database commits implicitly (see Dialect.implicitCommit), or undefined. */
export function findImplicitCommit(
  source: string,
  dialect: Pick<Dialect, 'lexer' | 'implicitCommit'>,
): RestrictedStatement | undefined {
  const commits = dialect.implicitCommit;
  if (!commits) return undefined;
  for (const piece of splitStatements(source, dialect.lexer)) {
    if (piece.empty) continue;
    const statement = commits(new StatementReader(source, piece.tokenStart, piece.end, dialect.lexer));
    if (statement !== undefined) return { statement, offset: piece.tokenStart };
  }
  return undefined;
}

export function findStatementsNotAllowedInTransaction(
  source: string,
  dialect: Pick<Dialect, 'lexer' | 'restrictionInTransaction'>,
): RestrictedStatement[] {
  const found: RestrictedStatement[] = [];
  for (const piece of splitStatements(source, dialect.lexer)) {
    if (piece.empty) continue;
    const reader = new StatementReader(source, piece.tokenStart, piece.end, dialect.lexer);
    const statement = dialect.restrictionInTransaction(reader);
    if (statement !== undefined) found.push({ statement, offset: piece.tokenStart });
  }
  return found;
}
