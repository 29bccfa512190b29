import { type LexerOptions, type SqlPiece, splitStatements } from '../sql/split-statements.js';
import { positionAt, type TextPosition } from '../sql/text-position.js';

/** A table or column a down script drops although its up did not create it: reverting loses its data. */
export interface DroppedData {
  table: string;
  /** Undefined when the whole table is dropped. */
  column?: string;
  /** Where the dropping statement starts in the down script. */
  at: TextPosition;
}

// One identifier, optionally schema-qualified; quoted parts keep their case, bare ones fold to lower.
const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?`;
const DROP_TABLE = new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?((?:${NAME})(?:\s*,\s*${NAME})*)`, 'i');
const ALTER_TABLE = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${NAME})\s+([\s\S]*)$`, 'i');
const DROP_COLUMN = new RegExp(String.raw`(?:^|,)\s*DROP\s+(?:COLUMN\s+)?(?!CONSTRAINT\b)(?:IF\s+EXISTS\s+)?(${NAME})`, 'gi');
const CREATE_TABLE = new RegExp(
  String.raw`^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${NAME})`,
  'i',
);
const ADD_COLUMN = new RegExp(
  String.raw`(?:^|,)\s*ADD\s+(?:COLUMN\s+)?(?!CONSTRAINT\b|PRIMARY\b|UNIQUE\b|FOREIGN\b|CHECK\b|EXCLUDE\b)(?:IF\s+NOT\s+EXISTS\s+)?(${NAME})`,
  'gi',
);
const RENAME_TABLE = new RegExp(String.raw`^RENAME\s+TO\s+(${NAME})`, 'i');

/**
 * The shadow database is empty, so a down that throws data away passes every schema comparison:
 * this reads the scripts instead. A `DROP TABLE` or `DROP COLUMN` in the down is reported when the
 * up neither creates that table (CREATE TABLE, or a RENAME TO that ends on its name) nor adds that
 * column: typically a rename undone by drop-and-recreate. A heuristic on the statements' text
 * (names compared without their schema); a table the down first copies out of (`INSERT ... SELECT
 * ... FROM t`, SQLite's table rebuild) is not reported.
 */
export function droppedData(up: string, down: string, lexer: LexerOptions): DroppedData[] {
  const created = createdByUp(statementsOf(up, lexer));
  const found: DroppedData[] = [];
  const copiedFrom = new Set<string>();
  for (const piece of statementsOf(down, lexer)) {
    const text = statementText(piece);
    const at = positionAt(down, piece.tokenStart);
    const copy =
      /^INSERT\b[\s\S]*\bFROM\s+((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?)/i.exec(text);
    if (copy?.[1]) copiedFrom.add(baseName(copy[1]));
    const dropTable = DROP_TABLE.exec(text);
    if (dropTable?.[1]) {
      for (const name of splitNames(dropTable[1])) {
        const table = baseName(name);
        if (!created.tables.has(table) && !copiedFrom.has(table)) found.push({ table, at });
      }
      continue;
    }
    const alter = ALTER_TABLE.exec(text);
    if (!alter?.[1] || alter[2] === undefined) continue;
    const table = baseName(alter[1]);
    if (created.tables.has(table)) continue;
    for (const match of alter[2].matchAll(DROP_COLUMN)) {
      const column = baseName(match[1] ?? '');
      if (!created.columns.has(`${table}.${column}`)) found.push({ table, column, at });
    }
  }
  return found;
}

function createdByUp(statements: SqlPiece[]): { tables: Set<string>; columns: Set<string> } {
  const tables = new Set<string>();
  const columns = new Set<string>();
  for (const piece of statements) {
    const text = statementText(piece);
    const create = CREATE_TABLE.exec(text);
    if (create?.[1]) {
      tables.add(baseName(create[1]));
      continue;
    }
    const alter = ALTER_TABLE.exec(text);
    if (!alter?.[1] || alter[2] === undefined) continue;
    const table = baseName(alter[1]);
    const renamed = RENAME_TABLE.exec(alter[2].trim());
    if (renamed?.[1]) tables.add(baseName(renamed[1]));
    for (const match of alter[2].matchAll(ADD_COLUMN)) columns.add(`${table}.${baseName(match[1] ?? '')}`);
    // RENAME COLUMN a TO b makes b: dropping b in the down loses a's data, so it is not "created".
  }
  return { tables, columns };
}

function statementsOf(script: string, lexer: LexerOptions): SqlPiece[] {
  return splitStatements(script, lexer).filter((piece) => !piece.empty);
}

/** The statement from its first token, comments inside it blanked, without its `;`. */
function statementText(piece: SqlPiece): string {
  const text = piece.text.slice(piece.tokenStart - piece.start);
  return text
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/;\s*$/, '')
    .trim();
}

function splitNames(list: string): string[] {
  return list.match(new RegExp(NAME, 'g')) ?? [];
}

/** The last part of a possibly qualified name, unquoted; a bare name folds to lower case as the databases fold it. */
function baseName(name: string): string {
  const parts = name.match(/"(?:[^"]|"")+"|[A-Za-z_][\w$]*/g) ?? [name];
  const last = parts[parts.length - 1] ?? name;
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}
