import type { LexerOptions } from '../sql/split-statements.js';
import { splitStatements } from '../sql/split-statements.js';
import { StatementReader } from '../sql/statement-reader.js';
import type { Fact } from './facts.js';

/**
 * The facts of a SQLite script, read with strata's lexer: SQLite has no parser to borrow, and
 * the statements that matter (CREATE TABLE, ALTER TABLE, DROP TABLE, PRAGMA) start with keywords
 * that say enough.
 */
export function sqliteFacts(body: string, lexer: LexerOptions): Fact[] {
  const facts: Fact[] = [];
  for (const piece of splitStatements(body, lexer)) {
    if (piece.empty) continue;
    const r = new StatementReader(body, piece.tokenStart, piece.end, lexer);
    facts.push(...statementFacts(r, piece.tokenStart));
  }
  return facts;
}

function statementFacts(r: StatementReader, offset: number): Fact[] {
  if (r.accept('CREATE')) {
    r.accept('TEMP') || r.accept('TEMPORARY');
    if (!r.accept('TABLE')) return [];
    r.acceptAll('IF', 'NOT', 'EXISTS');
    return [{ kind: 'create-table', offset, table: readName(r) }];
  }
  if (r.acceptAll('DROP', 'TABLE')) {
    r.acceptAll('IF', 'EXISTS');
    return [{ kind: 'drop-table', offset, tables: [readName(r)] }];
  }
  if (r.accept('PRAGMA')) {
    const name = readName(r);
    return name === 'foreign_keys' && r.peekPunctuation('=') ? [{ kind: 'pragma-foreign-keys', offset }] : [];
  }
  if (!r.acceptAll('ALTER', 'TABLE')) return [];
  const table = readName(r);
  if (r.accept('RENAME')) {
    if (r.accept('TO')) return [{ kind: 'rename-table', offset, table, to: readName(r) }];
    r.accept('COLUMN');
    const column = readName(r);
    r.accept('TO');
    return [{ kind: 'rename-column', offset, table, column, to: readName(r) }];
  }
  if (r.accept('DROP')) {
    r.accept('COLUMN');
    return [{ kind: 'drop-column', offset, table, column: readName(r) }];
  }
  if (r.accept('ADD')) {
    r.accept('COLUMN');
    return [addColumn(r, table, offset)];
  }
  return [];
}

/**
 * `ADD COLUMN name type constraints`. Once the table holds a row SQLite refuses a NOT NULL column
 * without a non-NULL default, and a CURRENT_TIME / CURRENT_DATE / CURRENT_TIMESTAMP default.
 */
function addColumn(r: StatementReader, table: string, offset: number): Fact {
  const column = readName(r);
  let notNull = false;
  let hasDefault = false;
  let perRow: string | undefined;
  while (!r.done()) {
    if (r.acceptAll('NOT', 'NULL') || r.acceptAll('PRIMARY', 'KEY')) notNull = true;
    else if (r.accept('DEFAULT')) {
      hasDefault = !r.peek('NULL');
      const value = r.text()?.toUpperCase();
      if (value === 'CURRENT_TIMESTAMP' || value === 'CURRENT_TIME' || value === 'CURRENT_DATE') perRow = `the default ${value}`;
      if (r.peekPunctuation('(')) r.skipParenthesised();
      else r.advance();
    } else if (r.peekPunctuation('(')) r.skipParenthesised();
    else r.advance();
  }
  return { kind: 'add-column', offset, table, column, notNull, hasDefault, perRow };
}

/** A possibly qualified name, as its last part without quotes. */
function readName(r: StatementReader): string {
  let name = '';
  for (;;) {
    const text = r.text();
    if (text === undefined || r.peekPunctuation('(') || r.peekPunctuation(';')) return name;
    name = unquote(text);
    r.advance();
    if (!r.peekPunctuation('.')) return name;
    r.advance();
  }
}

function unquote(text: string): string {
  const first = text[0];
  if ((first === '"' || first === '`') && text.length >= 2) return text.slice(1, -1).replaceAll(first + first, first);
  if (first === '[' && text.endsWith(']')) return text.slice(1, -1);
  return text;
}
