import type { LexerOptions } from '../../sql/split-statements.js';

/**
 * MySQL's and MariaDB's lexical rules, as the mysql client splits a script: `#` and `-- `
 * comments, backslash escapes in `'…'` and `"…"` strings, backtick identifiers, executable
 * `/*! … *\/` comments, `DELIMITER` lines, and routine bodies whose blocks hold `;`.
 */
export const mysqlLexer: LexerOptions = {
  nestedBlockComments: false,
  escapeStrings: false,
  dollarQuotes: false,
  bracketIdentifiersAndNamedParameters: false,
  compoundBodies: 'routine-blocks',
  hashComments: true,
  backslashEscapes: true,
  backtickIdentifiers: true,
  executableComments: true,
  delimiterCommand: true,
};
