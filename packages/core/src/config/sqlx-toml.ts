/**
 * SQLx 0.9's `sqlx.toml`, the `[migrate]` keys strata shares with a Rust service: `migrations-dir`,
 * `table-name` (maybe schema-qualified) and `ignored-chars`. Only what those keys need of TOML is
 * read (strings, arrays of strings, `[migrate]` or dotted `migrate.` keys); everything else in the
 * file belongs to SQLx and is passed over.
 */
export interface SqlxMigrateConfig {
  migrationsDir?: string;
  tableName?: string;
  ignoredChars?: string[];
}

const KEYS: Record<string, keyof SqlxMigrateConfig> = {
  'migrations-dir': 'migrationsDir',
  'table-name': 'tableName',
  'ignored-chars': 'ignoredChars',
};

export function parseSqlxToml(text: string): SqlxMigrateConfig {
  const found: SqlxMigrateConfig = {};
  let table = '';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]!).trim();
    if (line === '') continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      table = header[1]!.replace(/\s+/g, '');
      continue;
    }
    const pair = /^([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (!pair) continue;
    const fullKey = table === '' ? pair[1]! : `${table}.${pair[1]!}`;
    if (!fullKey.startsWith('migrate.')) continue;
    const field = KEYS[fullKey.slice('migrate.'.length)];
    let value = pair[2]!;
    // An array may span lines: gather until its closing bracket.
    while (value.startsWith('[') && !closesArray(value) && i + 1 < lines.length) value += `\n${stripComment(lines[++i]!)}`;
    if (!field) continue;
    const parsed = field === 'ignoredChars' ? parseStringArray(value) : parseString(value.trim());
    if (parsed !== undefined) (found as Record<string, unknown>)[field] = parsed;
  }
  return found;
}

function closesArray(value: string): boolean {
  return parseStringArray(value) !== undefined;
}

function parseStringArray(value: string): string[] | undefined {
  const inner = /^\[([\s\S]*)\]\s*$/.exec(value.trim())?.[1];
  if (inner === undefined) return undefined;
  const items: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|'[^']*')\s*(,|$)/gy;
  let consumed = 0;
  while (consumed < inner.length) {
    const match = pattern.exec(inner);
    if (match === null) break;
    const item = parseString(match[1]!);
    if (item === undefined) return undefined;
    items.push(item);
    consumed = pattern.lastIndex;
  }
  return inner.slice(consumed).trim() === '' ? items : undefined;
}

function parseString(value: string): string | undefined {
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) return value.slice(1, -1);
  if (!(value.startsWith('"') && value.endsWith('"') && value.length >= 2)) return undefined;
  return value.slice(1, -1).replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_all, code: string) => {
    if (code.length > 1) return String.fromCodePoint(Number.parseInt(code.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\' } as Record<string, string>)[code] ?? code;
  });
}

/** A `#` outside a string starts a comment. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#') return line.slice(0, i);
  }
  return line;
}
