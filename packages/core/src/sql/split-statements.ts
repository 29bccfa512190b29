/**
 * What differs between the SQL lexers of the databases strata knows. Each dialect states its
 * own (see dialects/); nothing here knows a database by name.
 */
export interface LexerOptions {
  /** Block comments nest, and a line comment also ends at a lone CR (PostgreSQL). */
  nestedBlockComments: boolean;
  /** `E'…'` strings with backslash escapes. */
  escapeStrings: boolean;
  /** `$tag$ … $tag$` bodies. */
  dollarQuotes: boolean;
  /** `` `x` `` and `[x]` quote identifiers; `$x`, `@x`, `:x`, `#x` are named parameters (SQLite). */
  bracketIdentifiersAndNamedParameters: boolean;
  /**
   * Which CREATE bodies hold semicolons: SQLite's `CREATE TRIGGER … BEGIN … END` (where BEGIN
   * nests), or PostgreSQL's `BEGIN ATOMIC … END`.
   */
  compoundBodies: 'trigger' | 'begin-atomic' | 'routine-blocks';
  /** `#` starts a line comment, and `--` starts one only before whitespace or a control character (`1--1` is arithmetic). */
  hashComments?: boolean;
  /** Every quoted string, `'…'` and `"…"` alike, takes backslash escapes; `"…"` is a string, not an identifier. */
  backslashEscapes?: boolean;
  /** `` `x` `` quotes an identifier (without SQLite's `[x]` and named parameters). */
  backtickIdentifiers?: boolean;
  /** `/*! … *\/` and `/*M! … *\/` are executable comments: the server runs what they hold, so they are tokens. */
  executableComments?: boolean;
  /**
   * A `DELIMITER x` line at the start of a statement (the mysql client's command, never sent to
   * the server) makes `x` end statements until the next such line; its piece is `empty`, and so is
   * each custom delimiter, so the statement before it is sent without it.
   */
  delimiterCommand?: boolean;
}

/** `text === source.slice(start, end)`; offsets are UTF-16 indices into the source. */
export interface SqlStatement {
  text: string;
  start: number;
  end: number;
}

/**
 * One piece of a split script. Pieces tile the source exactly, so whitespace- or comment-only
 * pieces are returned too, marked `empty`; callers skip those when executing.
 */
export type SqlPiece = SqlStatement & {
  /** No token other than whitespace, comments and the terminating `;`; or a client command (DELIMITER) or custom delimiter, never sent. */
  empty: boolean;
  /** Offset of the first real token, for line/column reports; `start` when `empty`. */
  tokenStart: number;
};

/**
 * Kinds produced by {@link readSqlToken}. `word` covers keywords, bare identifiers and numbers;
 * `string` covers every quoted literal including dollar-quoted bodies; `identifier` is a quoted
 * identifier (`"x"`, and in SQLite `[x]` / `` `x` ``).
 */
export type SqlTokenKind = 'word' | 'string' | 'identifier' | 'parameter' | 'semicolon' | 'punctuation';

/** A reusable cursor, so that lexing a large script allocates nothing per token. */
export interface SqlToken {
  kind: SqlTokenKind;
  start: number;
  end: number;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DQUOTE = 0x22;
const HASH = 0x23;
const DOLLAR = 0x24;
const QUOTE = 0x27;
const LPAREN = 0x28;
const RPAREN = 0x29;
const STAR = 0x2a;
const DASH = 0x2d;
const SLASH = 0x2f;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const AT = 0x40;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const BACKTICK = 0x60;
const BOM = 0xfeff;
const BANG = 0x21;

function isSpace(c: number): boolean {
  // space, \t, \n, \v, \f, \r: the set both PostgreSQL and SQLite skip.
  return c === SPACE || (c >= TAB && c <= CR);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Letters, `_` and anything non-ASCII: both databases accept high characters in identifiers. */
function isWordStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === DOLLAR;
}

/** A dollar-quote tag is an identifier without `$`; it cannot start with a digit. */
function isTagPart(c: number): boolean {
  return isWordStart(c) || isDigit(c);
}

/** Case-insensitive comparison against an upper-case ASCII keyword, without allocating. */
function isKeyword(source: string, start: number, end: number, keyword: string): boolean {
  if (end - start !== keyword.length) return false;
  for (let k = 0; k < keyword.length; k++) {
    // `| 0x20` folds ASCII letters only; no non-letter folds onto a lower-case letter.
    if ((source.charCodeAt(start + k) | 0x20) !== (keyword.charCodeAt(k) | 0x20)) return false;
  }
  return true;
}

export function tokenIsKeyword(source: string, token: SqlToken, keyword: string): boolean {
  return token.kind === 'word' && isKeyword(source, token.start, token.end, keyword);
}

function skipLineComment(source: string, from: number, lexer: LexerOptions): number {
  const n = source.length;
  let i = from;
  if (lexer.nestedBlockComments) {
    // PostgreSQL's comment rule stops at either \n or \r.
    while (i < n) {
      const c = source.charCodeAt(i);
      if (c === LF || c === CR) return i;
      i++;
    }
    return n;
  }
  const nl = source.indexOf('\n', i);
  return nl < 0 ? n : nl;
}

/** `from` points just past the opening slash-star. */
function skipBlockComment(source: string, from: number, lexer: LexerOptions): number {
  const n = source.length;
  if (!lexer.nestedBlockComments) {
    const close = source.indexOf('*/', from);
    return close < 0 ? n : close + 2;
  }
  let depth = 1;
  let i = from;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === SLASH && source.charCodeAt(i + 1) === STAR) {
      depth++;
      i += 2;
    } else if (c === STAR && source.charCodeAt(i + 1) === SLASH) {
      i += 2;
      if (--depth === 0) return i;
    } else {
      i++;
    }
  }
  return n;
}

/** A body closed by `quote` where a doubled quote stands for itself. `from` is past the opener. */
function skipDoubledQuote(source: string, from: number, quote: string): number {
  let i = from;
  for (;;) {
    const q = source.indexOf(quote, i);
    if (q < 0) return source.length;
    if (source.charCodeAt(q + 1) === quote.charCodeAt(0)) {
      i = q + 2;
      continue;
    }
    return q + 1;
  }
}

/** PostgreSQL `E'...'` and MySQL's strings: a backslash escapes the next character, and a doubled quote still works. */
function skipEscapeString(source: string, from: number, quote = QUOTE): number {
  const n = source.length;
  let i = from;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === BACKSLASH) {
      i += 2;
    } else if (c === quote) {
      if (source.charCodeAt(i + 1) !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return n;
}

/** MySQL's `--` comment needs a space or control character (or the end of input) after the dashes. */
function isCommentDashEnd(source: string, at: number): boolean {
  return at >= source.length || source.charCodeAt(at) <= SPACE;
}

/** `/*!…` and MariaDB's `/*M!…`: comments whose text the server runs. */
function isExecutableComment(source: string, at: number): boolean {
  const c = source.charCodeAt(at);
  return c === BANG || ((c | 0x20) === 0x6d && source.charCodeAt(at + 1) === BANG);
}

/**
 * Reads the next token at or after `pos`, skipping whitespace and comments, into `token`.
 * Returns false when only whitespace/comments remain. Never throws: an unterminated quote or
 * comment runs to the end of the input. A UTF-8 BOM at offset 0 counts as whitespace.
 */
export function readSqlToken(source: string, pos: number, lexer: LexerOptions, token: SqlToken): boolean {
  const n = source.length;
  const named = lexer.bracketIdentifiersAndNamedParameters;
  let i = pos;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (isSpace(c) || (c === BOM && i === 0)) {
      i++;
      continue;
    }
    const next = source.charCodeAt(i + 1);
    if (c === DASH && next === DASH && !(lexer.hashComments && !isCommentDashEnd(source, i + 2))) {
      i = skipLineComment(source, i + 2, lexer);
      continue;
    }
    if (c === HASH && lexer.hashComments) {
      i = skipLineComment(source, i + 1, lexer);
      continue;
    }
    if (c === SLASH && next === STAR && !(lexer.executableComments && isExecutableComment(source, i + 2))) {
      i = skipBlockComment(source, i + 2, lexer);
      continue;
    }

    token.start = i;
    if (c === SEMICOLON) {
      token.kind = 'semicolon';
      token.end = i + 1;
    } else if (c === QUOTE) {
      token.kind = 'string';
      token.end = lexer.backslashEscapes ? skipEscapeString(source, i + 1) : skipDoubledQuote(source, i + 1, "'");
    } else if (c === DQUOTE) {
      token.kind = lexer.backslashEscapes ? 'string' : 'identifier';
      token.end = lexer.backslashEscapes ? skipEscapeString(source, i + 1, DQUOTE) : skipDoubledQuote(source, i + 1, '"');
    } else if (c === SLASH && next === STAR) {
      // An executable comment (the only kind that reaches here): its text is part of the statement.
      token.kind = 'string';
      token.end = skipBlockComment(source, i + 2, lexer);
    } else if ((named || lexer.backtickIdentifiers) && c === BACKTICK) {
      token.kind = 'identifier';
      token.end = skipDoubledQuote(source, i + 1, '`');
    } else if (named && c === LBRACKET) {
      const close = source.indexOf(']', i + 1);
      token.kind = 'identifier';
      token.end = close < 0 ? n : close + 1;
    } else if (isWordStart(c) || isDigit(c)) {
      // A number ends before a `$` (PostgreSQL lexes `1$$x$$` as 1 then a dollar quote); an
      // identifier does not (`a$b` is one identifier).
      const part = isDigit(c) ? isTagPart : isWordPart;
      let j = i + 1;
      while (j < n && part(source.charCodeAt(j))) j++;
      // A lone E/e glued to a quote is the escape-string prefix; `xe'..'` is a word then a string.
      if (lexer.escapeStrings && j === i + 1 && (c | 0x20) === 0x65 && next === QUOTE) {
        token.kind = 'string';
        token.end = skipEscapeString(source, i + 2);
      } else {
        token.kind = 'word';
        token.end = j;
      }
    } else if (c === DOLLAR && lexer.dollarQuotes) {
      readPostgresDollar(source, i, token);
    } else if (named && (c === DOLLAR || c === AT || c === COLON || c === HASH) && isWordPart(next)) {
      // SQLite named parameters; consumed whole so that `:end` is not mistaken for END.
      let j = i + 1;
      while (j < n && isWordPart(source.charCodeAt(j))) j++;
      token.kind = 'parameter';
      token.end = j;
    } else {
      token.kind = 'punctuation';
      token.end = i + 1;
    }
    return true;
  }
  token.start = n;
  token.end = n;
  return false;
}

/**
 * A `$` that starts a token (a `$` inside a word such as `a$b` was consumed with the word):
 * `$1` is a parameter, `$$` / `$tag$` opens a dollar quote, anything else is a lone `$`
 * (PostgreSQL then lexes what follows afresh, which the next call does).
 */
function readPostgresDollar(source: string, i: number, token: SqlToken): void {
  const n = source.length;
  const next = source.charCodeAt(i + 1);
  if (isDigit(next)) {
    let j = i + 2;
    while (j < n && isDigit(source.charCodeAt(j))) j++;
    token.kind = 'parameter';
    token.end = j;
    return;
  }
  let tagEnd = -1;
  if (next === DOLLAR) {
    tagEnd = i + 2;
  } else if (isWordStart(next)) {
    let j = i + 2;
    while (j < n && isTagPart(source.charCodeAt(j))) j++;
    if (source.charCodeAt(j) === DOLLAR) tagEnd = j + 1;
  }
  if (tagEnd < 0) {
    token.kind = 'punctuation';
    token.end = i + 1;
    return;
  }
  const delimiter = source.slice(i, tagEnd);
  const close = source.indexOf(delimiter, tagEnd);
  token.kind = 'string';
  token.end = close < 0 ? n : close + delimiter.length;
}

/** Where a statement stands with respect to a block body whose `;`s must not split it. */
const HEAD = 0; // still reading the leading keywords
const SQLITE_CREATE = 1; // sqlite: saw CREATE
const SQLITE_CREATE_TEMP = 2; // sqlite: saw CREATE TEMP|TEMPORARY
const SQLITE_TRIGGER = 3; // sqlite: CREATE [TEMP] TRIGGER, waiting for BEGIN
const PG_CREATE = 4; // postgres: a CREATE statement, watching for BEGIN ATOMIC
const PG_CREATE_BEGIN = 5; // postgres: saw BEGIN, ATOMIC must follow
const IN_BODY = 6; // inside the body; `depth` counts open BEGIN/CASE
const PLAIN = 7; // keywords no longer matter for this statement
const ROUTINE_CREATE = 8; // routine blocks: saw CREATE, reading what it creates
const ROUTINE_HEAD = 9; // routine blocks: a procedure, function, trigger or event before its body
const ROUTINE_BODY = 10; // routine blocks: inside a compound body; `depth` counts open blocks

/** What CREATE makes when its body may hold compound statements. */
const ROUTINES = ['PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT'];
/** What CREATE makes when it cannot (the statement is plain from there on). */
const NOT_ROUTINES = [
  'TABLE',
  'VIEW',
  'INDEX',
  'UNIQUE',
  'FULLTEXT',
  'SPATIAL',
  'DATABASE',
  'SCHEMA',
  'USER',
  'ROLE',
  'SEQUENCE',
  'TEMPORARY',
  'SERVER',
  'TABLESPACE',
];
/** Blocks closed by `END <keyword>`; IF and REPEAT are also functions, so they open only where a statement starts. */
const BLOCKS = ['IF', 'LOOP', 'WHILE', 'REPEAT', 'CASE'];
/** Words after which a statement starts inside a routine (and `;`, and a label's `:`). */
const STATEMENT_STARTS = ['BEGIN', 'THEN', 'ELSE', 'DO', 'LOOP', 'REPEAT', 'ROW'];

/**
 * Splits a script on top-level `;` in one linear pass. The pieces tile the source:
 * `pieces.map(p => p.text).join('') === source`, each piece ending with its `;` (the last one
 * may have none). A `;` inside a string, quoted identifier, comment, dollar quote, parentheses,
 * SQLite `CREATE TRIGGER ... BEGIN ... END` body, PostgreSQL `BEGIN ATOMIC ... END` body or
 * MySQL routine body (`BEGIN … END`, `IF … END IF`, `LOOP`, `WHILE`, `REPEAT`, `CASE`) does not
 * split; after a `DELIMITER x` line only `x` does (see LexerOptions.delimiterCommand).
 *
 * Parentheses follow psql: PostgreSQL's `CREATE RULE … DO ALSO (stmt; stmt)` holds `;`s, a stray
 * `)` never takes the depth below zero, and an unclosed `(` keeps the rest of the input in one
 * piece (as an unterminated quote does), for the database to report.
 */
export function splitStatements(source: string, lexer: LexerOptions): SqlPiece[] {
  const pieces: SqlPiece[] = [];
  const n = source.length;
  const token: SqlToken = { kind: 'punctuation', start: 0, end: 0 };
  const ahead: SqlToken = { kind: 'punctuation', start: 0, end: 0 };
  const atomic = lexer.compoundBodies === 'begin-atomic';
  const routines = lexer.compoundBodies === 'routine-blocks';

  let start = 0;
  let tokenStart = -1;
  let state = HEAD;
  let depth = 0;
  let parens = 0;
  let pos = 0;
  let delimiter = ';';
  /** Routine blocks: the previous token ended a statement or opened a body, so IF / LOOP / … here opens a block. */
  let statementStart = false;
  const is = (keyword: string): boolean => tokenIsKeyword(source, token, keyword);
  const isAny = (keywords: readonly string[]): boolean => token.kind === 'word' && keywords.some(is);
  const cut = (end: number, first: number) => {
    pieces.push(piece(source, start, end, first));
    start = end;
    tokenStart = -1;
    state = HEAD;
    depth = 0;
    parens = 0;
  };

  while (readSqlToken(source, pos, lexer, token)) {
    pos = token.end;
    if (lexer.delimiterCommand) {
      if (tokenStart < 0 && is('DELIMITER')) {
        const command = delimiterCommand(source, token.end);
        if (command) {
          pieces.push({ text: source.slice(start, command.end), start, end: command.end, empty: true, tokenStart: start });
          start = pos = command.end;
          delimiter = command.delimiter;
          continue;
        }
      }
      const at = delimiter === ';' ? -1 : delimiterIn(source, token, delimiter);
      if (at >= 0) {
        if (at > start) cut(at, tokenStart >= 0 ? tokenStart : at > token.start ? token.start : -1);
        pieces.push({ text: delimiter, start: at, end: at + delimiter.length, empty: true, tokenStart: at });
        start = pos = at + delimiter.length;
        continue;
      }
      if (delimiter !== ';') {
        // Only the custom delimiter ends a statement: no body needs tracking.
        if (tokenStart < 0) tokenStart = token.start;
        continue;
      }
    }
    if (token.kind === 'semicolon') {
      if (state !== IN_BODY && state !== ROUTINE_BODY && parens === 0) {
        cut(pos, tokenStart);
        continue;
      }
    } else if (token.kind === 'punctuation') {
      const c = source.charCodeAt(token.start);
      if (c === LPAREN) parens++;
      else if (c === RPAREN && parens > 0) parens--;
    }
    if (tokenStart < 0) tokenStart = token.start;
    if (state === PLAIN) continue;

    switch (state) {
      case HEAD:
        if (routines) {
          // MariaDB's anonymous block, `BEGIN NOT ATOMIC … END`, at the top level.
          state = is('CREATE') ? ROUTINE_CREATE : is('BEGIN') && nextIs(source, pos, lexer, ahead, 'NOT') ? ROUTINE_BODY : PLAIN;
          depth = state === ROUTINE_BODY ? 1 : 0;
        } else {
          state = is('CREATE') ? (atomic ? PG_CREATE : SQLITE_CREATE) : PLAIN;
        }
        break;
      case SQLITE_CREATE:
        state = is('TRIGGER') ? SQLITE_TRIGGER : is('TEMP') || is('TEMPORARY') ? SQLITE_CREATE_TEMP : PLAIN;
        break;
      case SQLITE_CREATE_TEMP:
        state = is('TRIGGER') ? SQLITE_TRIGGER : PLAIN;
        break;
      case SQLITE_TRIGGER:
        if (is('BEGIN')) {
          state = IN_BODY;
          depth = 1;
        }
        break;
      case PG_CREATE:
        if (is('BEGIN')) state = PG_CREATE_BEGIN;
        break;
      case PG_CREATE_BEGIN:
        if (is('ATOMIC')) {
          state = IN_BODY;
          depth = 1;
        } else if (!is('BEGIN')) {
          state = PG_CREATE;
        }
        break;
      case IN_BODY:
        if (token.kind !== 'word') break;
        // SQLite trigger bodies are BEGIN ... END; a PostgreSQL SQL-standard body cannot nest
        // another BEGIN ATOMIC, and BEGIN is not reserved there, so only CASE opens.
        if (is('CASE') || (!atomic && is('BEGIN'))) {
          depth++;
        } else if (is('END') && --depth === 0) {
          state = PLAIN;
        }
        break;
      case ROUTINE_CREATE:
        if (parens === 0 && isAny(ROUTINES)) state = ROUTINE_HEAD;
        else if (parens === 0 && isAny(NOT_ROUTINES)) state = PLAIN;
        statementStart = false;
        break;
      case ROUTINE_HEAD:
        // A trigger's `FOR EACH ROW` or an event's `DO` may be followed by one block without BEGIN.
        if (parens === 0 && (is('BEGIN') || (statementStart && isAny(BLOCKS)))) {
          state = ROUTINE_BODY;
          depth = 1;
          statementStart = is('BEGIN');
        } else {
          statementStart = is('ROW') || is('DO');
        }
        break;
      case ROUTINE_BODY:
        if (is('END')) {
          // `END IF`, `END LOOP`, …: the keyword closes the block, it opens none.
          if (readSqlToken(source, pos, lexer, ahead) && BLOCKS.some((k) => tokenIsKeyword(source, ahead, k))) pos = ahead.end;
          if (--depth === 0) state = PLAIN;
          statementStart = false;
        } else if (is('BEGIN') || is('CASE') || (statementStart && isAny(BLOCKS))) {
          depth++;
          statementStart = is('BEGIN') || is('LOOP') || is('REPEAT');
        } else {
          statementStart =
            token.kind === 'semicolon' ||
            (token.kind === 'punctuation' && source.charCodeAt(token.start) === COLON) ||
            isAny(STATEMENT_STARTS);
        }
        break;
    }
  }
  if (start < n) pieces.push(piece(source, start, n, tokenStart));
  return pieces;
}

/** True when the next token after `pos` is this keyword. */
function nextIs(source: string, pos: number, lexer: LexerOptions, ahead: SqlToken, keyword: string): boolean {
  return readSqlToken(source, pos, lexer, ahead) && tokenIsKeyword(source, ahead, keyword);
}

/**
 * A `DELIMITER x` client command whose word ends at `from`: the new delimiter (the first run of
 * non-blank characters on the rest of the line) and where the command's line ends; undefined
 * when the line has no argument (then DELIMITER is an ordinary word).
 */
function delimiterCommand(source: string, from: number): { delimiter: string; end: number } | undefined {
  const newline = source.indexOf('\n', from);
  const lineEnd = newline < 0 ? source.length : newline;
  if (from < lineEnd && !isSpace(source.charCodeAt(from))) return undefined;
  const argument = /\S+/.exec(source.slice(from, lineEnd))?.[0];
  if (!argument) return undefined;
  return { delimiter: argument, end: newline < 0 ? source.length : newline + 1 };
}

/** Where a custom delimiter starts inside this token (never inside a string or quoted identifier), or -1. */
function delimiterIn(source: string, token: SqlToken, delimiter: string): number {
  if (token.kind === 'string' || token.kind === 'identifier') return -1;
  for (let at = token.start; at < token.end; at++) if (source.startsWith(delimiter, at)) return at;
  return -1;
}

function piece(source: string, start: number, end: number, tokenStart: number): SqlPiece {
  const empty = tokenStart < 0;
  return { text: source.slice(start, end), start, end, empty, tokenStart: empty ? start : tokenStart };
}
