import { type LexerOptions, readSqlToken, type SqlToken, tokenIsKeyword } from './split-statements.js';

/** Walks the tokens of one statement; the terminating `;` reads as the end. */
export class StatementReader {
  private readonly token: SqlToken = { kind: 'punctuation', start: 0, end: 0 };
  private pos: number;
  private atEnd = false;

  constructor(
    private readonly source: string,
    from: number,
    private readonly end: number,
    private readonly lexer: LexerOptions,
  ) {
    this.pos = from;
    this.advance();
  }

  /** The current token's text (undefined at the end), without consuming it. */
  text(): string | undefined {
    return this.atEnd ? undefined : this.source.slice(this.token.start, this.token.end);
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
    const found = readSqlToken(this.source, this.pos, this.lexer, this.token);
    if (!found || this.token.start >= this.end || this.token.kind === 'semicolon') {
      this.atEnd = true;
      return;
    }
    this.pos = this.token.end;
  }
}
