/**
 * SQLite keeps each table's, index's and view's CREATE statement as written, and its pragmas leave
 * some of it out: CHECK constraints, generated expressions, column collations, index expressions and
 * predicates, a view's query. This reads those parts back out of the stored text: a tokenizer that
 * knows quotes, comments and parentheses, no more. Slices are the text as written, trimmed.
 */

interface Token {
  /** Unquoted for identifiers; as written otherwise. */
  value: string;
  /** Upper-cased bare word, for keyword tests; '' for quoted identifiers, strings and punctuation. */
  word: string;
  start: number;
  end: number;
  /** Parenthesis depth before the token. */
  depth: number;
}

const CLOSERS: Record<string, string> = { '"': '"', '`': '`', '[': ']' };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c in CLOSERS) {
      const close = c === "'" ? "'" : CLOSERS[c]!;
      let j = i + 1;
      while (j < sql.length && !(sql[j] === close && sql[j + 1] !== close)) j += sql[j] === close ? 2 : 1;
      const inner = sql.slice(i + 1, j).replaceAll(close + close, close);
      tokens.push({ value: c === "'" ? sql.slice(i, j + 1) : inner, word: '', start: i, end: j + 1, depth });
      i = j + 1;
    } else if (/[A-Za-z0-9_$]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      const value = sql.slice(i, j);
      tokens.push({ value, word: value.toUpperCase(), start: i, end: j, depth });
      i = j;
    } else {
      if (c === ')') depth--;
      tokens.push({ value: c, word: '', start: i, end: i + 1, depth });
      if (c === '(') depth++;
      i++;
    }
  }
  return tokens;
}

/** One comma-separated item inside the statement's first parenthesized list, as written. */
interface Item {
  text: string;
}

/** The items of the first list at depth 0 (a table's columns and constraints, an index's keys). */
function listItems(sql: string, tokens: Token[], after = 0): { items: Item[]; closeIndex: number } {
  const open = tokens.findIndex((token, index) => index >= after && token.value === '(' && token.depth === 0);
  const items: Item[] = [];
  if (open < 0) return { items, closeIndex: tokens.length };
  let current: Token[] = [];
  let index = open + 1;
  const flush = () => {
    if (current.length === 0) return;
    items.push({ text: sql.slice(current[0]!.start, current.at(-1)!.end).trim() });
    current = [];
  };
  for (; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.depth === 0 && token.value === ')') break;
    if (token.depth === 1 && token.value === ',') flush();
    else current.push(token);
  }
  flush();
  return { items, closeIndex: index };
}

/** The text inside the parentheses that open at `tokens[at]`, and the index after them. */
function group(sql: string, tokens: Token[], at: number): { text: string; next: number } | undefined {
  const open = tokens[at];
  if (open?.value !== '(') return undefined;
  const close = tokens.findIndex((token, index) => index > at && token.value === ')' && token.depth === open.depth);
  if (close < 0) return undefined;
  return { text: sql.slice(open.end, tokens[close]!.start).trim(), next: close + 1 };
}

export interface ColumnText {
  generated: string | null;
  collation: string | null;
}

/** A key constraint as written: its name (CONSTRAINT name) and its columns. */
export interface KeyText {
  name: string | null;
  columns: string[];
}

export interface ForeignKeyText extends KeyText {
  deferrable: boolean;
  initiallyDeferred: boolean;
}

export interface TableText {
  columns: Map<string, ColumnText>;
  checks: { name: string | null; expression: string }[];
  primaryKey: { name: string | null; autoincrement: boolean } | null;
  uniques: KeyText[];
  foreignKeys: ForeignKeyText[];
}

const TABLE_CONSTRAINT_WORDS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

/** Words that start a constraint (of a column or a table): where the clause before ends. */
const CLAUSE_STARTS = new Set([
  'CONSTRAINT',
  'PRIMARY',
  'NOT',
  'NULL',
  'UNIQUE',
  'CHECK',
  'DEFAULT',
  'COLLATE',
  'REFERENCES',
  'FOREIGN',
  'GENERATED',
  'AS',
]);

/**
 * What a CREATE TABLE says that the pragmas do not: checks, generated expressions, collations, the
 * names given with CONSTRAINT, AUTOINCREMENT and a foreign key's DEFERRABLE / INITIALLY DEFERRED.
 */
export function parseCreateTable(sql: string): TableText {
  const tokens = tokenize(sql);
  const { items } = listItems(sql, tokens);
  const table: TableText = { columns: new Map(), checks: [], primaryKey: null, uniques: [], foreignKeys: [] };
  for (const item of items) {
    const itemTokens = retokenized(item);
    const isColumn = !TABLE_CONSTRAINT_WORDS.has(itemTokens[0]!.word);
    const own = isColumn ? [itemTokens[0]!.value] : null;
    const column: ColumnText = { generated: null, collation: null };
    // A CONSTRAINT name belongs to the constraint right after it.
    let name: string | null = null;
    for (let i = isColumn ? 1 : 0; i < itemTokens.length; i++) {
      const token = itemTokens[i]!;
      if (token.depth !== 0) continue;
      if (token.word === 'CONSTRAINT') {
        name = itemTokens[i + 1]?.value ?? null;
        i++;
        continue;
      }
      if (token.word === 'CHECK') {
        const inner = group(item.text, itemTokens, i + 1);
        if (inner) table.checks.push({ name, expression: `(${inner.text})` });
      } else if (token.word === 'PRIMARY') {
        const end = clauseEnd(itemTokens, i + 2);
        const keys = own ? [] : keyColumns(item, itemTokens, i);
        const autoincrement =
          itemTokens.slice(i, end).some((t) => t.word === 'AUTOINCREMENT') || keys.some((key) => key.autoincrement);
        table.primaryKey = { name, autoincrement };
        i = end - 1;
      } else if (token.word === 'UNIQUE') {
        table.uniques.push({ name, columns: own ?? keyColumns(item, itemTokens, i).map((key) => key.column) });
      } else if (token.word === 'FOREIGN' || token.word === 'REFERENCES') {
        const columns = own ?? keyColumns(item, itemTokens, i).map((key) => key.column);
        const references = token.word === 'REFERENCES' ? i : itemTokens.findIndex((t, at) => at > i && t.word === 'REFERENCES');
        const { deferrable, initiallyDeferred, end } = referencesClause(itemTokens, references + 1);
        table.foreignKeys.push({ name, columns, deferrable, initiallyDeferred });
        i = end - 1;
      } else if (isColumn && token.word === 'AS' && itemTokens[i + 1]?.value === '(') {
        column.generated = group(item.text, itemTokens, i + 1)?.text ?? null;
      } else if (isColumn && token.word === 'COLLATE') {
        column.collation = itemTokens[i + 1]?.value ?? null;
      }
      if (CLAUSE_STARTS.has(token.word)) name = null;
    }
    if (own) table.columns.set(own[0]!, column);
  }
  return table;
}

/** Where the clause that goes on from `from` ends: the next word that starts a constraint. */
function clauseEnd(tokens: Token[], from: number): number {
  let at = from;
  while (at < tokens.length && !(tokens[at]!.depth === 0 && CLAUSE_STARTS.has(tokens[at]!.word))) at++;
  return at;
}

/** A table constraint's key list (`PRIMARY KEY (a, b AUTOINCREMENT)`, `UNIQUE (a)`): each key's column name. */
function keyColumns(item: Item, tokens: Token[], from: number): { column: string; autoincrement: boolean }[] {
  return listItems(item.text, tokens, from).items.map((key) => {
    const keyTokens = retokenized(key);
    return { column: keyTokens[0]?.value ?? '', autoincrement: keyTokens.some((t) => t.word === 'AUTOINCREMENT') };
  });
}

/** `REFERENCES t (c) ON DELETE SET NULL MATCH x NOT DEFERRABLE INITIALLY DEFERRED`, read from after REFERENCES. */
function referencesClause(tokens: Token[], from: number): { deferrable: boolean; initiallyDeferred: boolean; end: number } {
  let deferrable = false;
  let initiallyDeferred = false;
  let at = from;
  for (; at < tokens.length; at++) {
    const token = tokens[at]!;
    if (token.depth !== 0) continue;
    const next = tokens[at + 1]?.word;
    if (token.word === 'SET' || token.word === 'MATCH') at++;
    else if (token.word === 'NOT' && next === 'DEFERRABLE') at++;
    else if (token.word === 'DEFERRABLE') deferrable = true;
    else if (token.word === 'INITIALLY') {
      initiallyDeferred = next === 'DEFERRED';
      at++;
    } else if (CLAUSE_STARTS.has(token.word)) break;
  }
  return { deferrable, initiallyDeferred, end: at };
}

/** The item's tokens again, relative to its own text (depths from 0). */
function retokenized(item: Item): Token[] {
  return tokenize(item.text);
}

export interface IndexText {
  /** Each key as written (a column name, or an expression), with any COLLATE / ASC / DESC after it removed. */
  keys: string[];
  predicate: string | null;
}

export function parseCreateIndex(sql: string): IndexText {
  const tokens = tokenize(sql);
  const on = tokens.findIndex((token) => token.word === 'ON' && token.depth === 0);
  const { items, closeIndex } = listItems(sql, tokens, Math.max(on, 0));
  const where = tokens.findIndex((token, index) => index > closeIndex && token.word === 'WHERE' && token.depth === 0);
  return {
    keys: items.map((item) => keyText(item)),
    predicate: where < 0 ? null : sql.slice(tokens[where]!.end).trim(),
  };
}

function keyText(item: Item): string {
  const tokens = retokenized(item);
  let end = tokens.length;
  while (end > 0 && ['ASC', 'DESC'].includes(tokens[end - 1]!.word)) end--;
  const collate = tokens.findIndex((token, index) => index < end && token.word === 'COLLATE' && token.depth === 0);
  if (collate >= 0) end = collate;
  const last = tokens[end - 1];
  return last ? item.text.slice(0, last.end).trim() : item.text;
}

/** A view's query: what follows the first AS outside parentheses. */
export function viewQuery(sql: string): string {
  const as = tokenize(sql).find((token) => token.word === 'AS' && token.depth === 0);
  return as ? sql.slice(as.end).trim() : sql;
}
