import { type LexerOptions, splitStatements } from '../../sql/split-statements.js';
import { StatementReader } from '../../sql/statement-reader.js';
import type { SettingOutsideTransaction } from '../dialect.js';

/**
 * SQLite ignores `PRAGMA foreign_keys` inside a transaction, so the table-rebuild recipe of
 * sqlite.org/lang_altertable.html (foreign keys off, new table, copy, drop, rename, check, on)
 * would run with foreign keys still on inside strata's transaction, and its DROP TABLE would
 * cascade into the child tables. A step whose script sets it therefore has the first value it
 * sets applied before BEGIN, `PRAGMA foreign_key_check` run before COMMIT, and the previous value
 * restored after.
 */
export function foreignKeysSetting(script: string, lexer: LexerOptions): SettingOutsideTransaction | undefined {
  // Every step asks: most scripts never name the pragma, and need no lexing to say so.
  if (!/foreign_keys/i.test(script)) return undefined;
  const value = firstForeignKeysValue(script, lexer);
  if (value === undefined) return undefined;
  const on = ['on', 'true', 'yes', '1'].includes(value.toLowerCase().replace(/^['"]|['"]$/g, ''));
  return {
    name: 'PRAGMA foreign_keys',
    read: 'PRAGMA foreign_keys',
    apply: `PRAGMA foreign_keys = ${on ? 'ON' : 'OFF'}`,
    check: 'PRAGMA foreign_key_check',
    restore: (previous) => `PRAGMA foreign_keys = ${Number(previous) ? 'ON' : 'OFF'}`,
  };
}

/** The value of the first `PRAGMA [schema.]foreign_keys = value` statement, read through the lexer (never inside a string or comment). */
function firstForeignKeysValue(script: string, lexer: LexerOptions): string | undefined {
  for (const piece of splitStatements(script, lexer)) {
    if (piece.empty) continue;
    const reader = new StatementReader(script, piece.tokenStart, piece.end, lexer);
    if (!reader.accept('PRAGMA')) continue;
    if (!reader.accept('foreign_keys')) {
      reader.advance();
      if (!reader.peekPunctuation('.')) continue;
      reader.advance();
      if (!reader.accept('foreign_keys')) continue;
    }
    if (!reader.peekPunctuation('=')) continue;
    reader.advance();
    return reader.text();
  }
  return undefined;
}
