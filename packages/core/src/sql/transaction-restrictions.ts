import { readSqlToken, type SqlDialect, type SqlToken, splitStatements, tokenIsKeyword } from './split-statements.js';

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
export function findStatementsNotAllowedInTransaction(source: string, dialect: SqlDialect): RestrictedStatement[] {
  const found: RestrictedStatement[] = [];
  for (const piece of splitStatements(source, dialect)) {
    if (piece.empty) continue;
    const reader = new StatementReader(source, piece.tokenStart, piece.end, dialect);
    const statement = dialect === 'postgres' ? postgresRestriction(reader) : sqliteRestriction(reader);
    if (statement !== undefined) found.push({ statement, offset: piece.tokenStart });
  }
  return found;
}

/** Walks the tokens of one statement; the terminating `;` reads as the end. */
class StatementReader {
  private readonly token: SqlToken = { kind: 'punctuation', start: 0, end: 0 };
  private pos: number;
  private atEnd = false;

  constructor(
    private readonly source: string,
    from: number,
    private readonly end: number,
    private readonly dialect: SqlDialect,
  ) {
    this.pos = from;
    this.advance();
  }

  /** True when no token of the statement is left. */
  done(): boolean {
    return this.atEnd;
  }

  /** The current token is this keyword (case-insensitive, bare word only). */
  peek(keyword: string): boolean {
    return !this.atEnd && tokenIsKeyword(this.source, this.token, keyword);
  }

  peekPunctuation(char: string): boolean {
    return (
      !this.atEnd &&
      this.token.kind === 'punctuation' &&
      this.token.end - this.token.start === 1 &&
      this.source[this.token.start] === char
    );
  }

  /** Consumes the current token if it is this keyword. */
  accept(keyword: string): boolean {
    if (!this.peek(keyword)) return false;
    this.advance();
    return true;
  }

  /** Consumes a sequence of keywords, all or nothing. */
  acceptAll(...keywords: string[]): boolean {
    const saved = { pos: this.pos, atEnd: this.atEnd, ...this.token };
    for (const keyword of keywords) {
      if (!this.accept(keyword)) {
        this.pos = saved.pos;
        this.atEnd = saved.atEnd;
        this.token.kind = saved.kind;
        this.token.start = saved.start;
        this.token.end = saved.end;
        return false;
      }
    }
    return true;
  }

  /** Consumes a parenthesised group such as REINDEX's `(VERBOSE, TABLESPACE x)`, if present. */
  skipParenthesised(): void {
    if (!this.peekPunctuation('(')) return;
    let depth = 0;
    do {
      if (this.peekPunctuation('(')) depth++;
      else if (this.peekPunctuation(')')) depth--;
      this.advance();
    } while (depth > 0 && !this.atEnd);
  }

  /** Consumes a possibly qualified name: `a`, `"A"`, `s.a`. */
  skipName(): void {
    for (;;) {
      if (this.atEnd || (this.token.kind !== 'word' && this.token.kind !== 'identifier')) return;
      this.advance();
      if (!this.peekPunctuation('.')) return;
      this.advance();
    }
  }

  advance(): void {
    if (this.atEnd) return;
    const found = readSqlToken(this.source, this.pos, this.dialect, this.token);
    if (!found || this.token.start >= this.end || this.token.kind === 'semicolon') {
      this.atEnd = true;
      return;
    }
    this.pos = this.token.end;
  }
}

function sqliteRestriction(r: StatementReader): string | undefined {
  return r.peek('VACUUM') ? 'VACUUM' : undefined;
}

/** Names are PostgreSQL's own, as in "CREATE INDEX CONCURRENTLY cannot run inside a transaction block". */
function postgresRestriction(r: StatementReader): string | undefined {
  if (r.accept('VACUUM')) return 'VACUUM';
  if (r.accept('CREATE')) {
    if (r.acceptAll('INDEX', 'CONCURRENTLY') || r.acceptAll('UNIQUE', 'INDEX', 'CONCURRENTLY')) {
      return 'CREATE INDEX CONCURRENTLY';
    }
    if (r.accept('DATABASE')) return 'CREATE DATABASE';
    if (r.accept('TABLESPACE')) return 'CREATE TABLESPACE';
    return undefined;
  }
  if (r.accept('DROP')) {
    if (r.acceptAll('INDEX', 'CONCURRENTLY')) return 'DROP INDEX CONCURRENTLY';
    if (r.accept('DATABASE')) return 'DROP DATABASE';
    if (r.accept('TABLESPACE')) return 'DROP TABLESPACE';
    return undefined;
  }
  if (r.accept('ALTER')) {
    if (r.accept('SYSTEM')) return 'ALTER SYSTEM';
    if (r.accept('DATABASE')) {
      r.skipName();
      return r.acceptAll('SET', 'TABLESPACE') ? 'ALTER DATABASE SET TABLESPACE' : undefined;
    }
    if (r.accept('TABLE')) return alterTableDetachConcurrently(r);
    return undefined;
  }
  if (r.accept('REINDEX')) {
    r.skipParenthesised();
    for (const kind of ['SCHEMA', 'SYSTEM', 'DATABASE']) {
      if (r.accept(kind)) return r.accept('CONCURRENTLY') ? 'REINDEX CONCURRENTLY' : `REINDEX ${kind}`;
    }
    if (r.accept('INDEX') || r.accept('TABLE')) return r.accept('CONCURRENTLY') ? 'REINDEX CONCURRENTLY' : undefined;
    return undefined;
  }
  if (r.acceptAll('DISCARD', 'ALL')) return 'DISCARD ALL';
  if (r.accept('CLUSTER')) {
    // Only the form without a table (re-cluster everything) is refused.
    if (!r.accept('VERBOSE')) r.skipParenthesised();
    return r.done() ? 'CLUSTER' : undefined;
  }
  return undefined;
}

/** `ALTER TABLE [IF EXISTS] [ONLY] name DETACH PARTITION partition CONCURRENTLY`. */
function alterTableDetachConcurrently(r: StatementReader): string | undefined {
  r.acceptAll('IF', 'EXISTS');
  r.accept('ONLY');
  r.skipName();
  if (!r.acceptAll('DETACH', 'PARTITION')) return undefined;
  r.skipName();
  return r.accept('CONCURRENTLY') ? 'ALTER TABLE ... DETACH CONCURRENTLY' : undefined;
}
