import { readSqlToken, type SqlToken } from '../../sql/split-statements.js';
import { mysqlLexer } from './mysql-lexer.js';

/**
 * Where in `sql` MySQL located a syntax error. The server gives no offset, only the text from the
 * failing token on (`near 'FROMM t' at line 3`, cut short), so that text is looked for from the
 * start of that line. UTF-16 offset, or undefined when the message says nothing of the kind.
 */
export function syntaxErrorOffset(sql: string, message: string): number | undefined {
  const match = /near '([\s\S]*)' at line (\d+)\s*$/.exec(message);
  if (!match) return undefined;
  const [, near = '', lineText] = match;
  let lineStart = 0;
  for (let line = 1; line < Number(lineText); line++) {
    const next = sql.indexOf('\n', lineStart);
    if (next < 0) return undefined;
    lineStart = next + 1;
  }
  if (near === '') return sql.trimEnd().length;
  // MySQL cuts the text at 80 characters; its start is enough to find it.
  const found = sql.indexOf(near.slice(0, 40), lineStart);
  return found < 0 ? undefined : found;
}

/** What is sent for one statement piece: from its first token, without the `;` that ends it. */
export function sendable(text: string): { sql: string; from: number } {
  const token: SqlToken = { kind: 'punctuation', start: 0, end: 0 };
  const from = readSqlToken(text, 0, mysqlLexer, token) ? token.start : text.length;
  return { sql: text.slice(from).replace(/;\s*$/, ''), from };
}

/** 1-based code-point position of a UTF-16 offset, as Dialect.describeFailure reports positions. */
export function codePointPosition(text: string, offset: number): number {
  let position = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    const pairsWithPrevious = c >= 0xdc00 && c <= 0xdfff && i > 0 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800;
    if (!pairsWithPrevious) position++;
  }
  return position;
}
