/**
 * Reads back what a file `strata types` wrote declares (interfaces and enum unions) and checks
 * real values against it, so a test proves each declared type is what the driver returned.
 * It understands the vocabulary the generator and the tests' overrides use, and fails on the rest.
 */
export interface DeclaredTypes {
  interfaces: Map<string, Map<string, string>>;
  enums: Map<string, string[]>;
}

export function readDeclaredTypes(source: string): DeclaredTypes {
  const interfaces = new Map<string, Map<string, string>>();
  for (const match of source.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const properties = new Map<string, string>();
    for (const line of match[2]!.split('\n')) {
      const property = /^ {2}("(?:[^"\\]|\\.)*"|[\w$]+)\??: (.*);$/.exec(line);
      if (property) properties.set(property[1]!.startsWith('"') ? JSON.parse(property[1]!) : property[1]!, property[2]!);
    }
    interfaces.set(match[1]!, properties);
  }
  const enums = new Map<string, string[]>();
  for (const match of source.matchAll(/^export type (\w+) = ((?:"(?:[^"\\]|\\.)*"(?: \| )?)+);$/gm)) {
    enums.set(
      match[1]!,
      [...match[2]!.matchAll(/"(?:[^"\\]|\\.)*"/g)].map((literal) => JSON.parse(literal[0]) as string),
    );
  }
  return { interfaces, enums };
}

/** Why `value` is not of `type` as declared, or undefined when it is. */
export function mismatch(value: unknown, type: string, declared: DeclaredTypes): string | undefined {
  const alternatives = splitUnion(type);
  if (alternatives.some((alternative) => conforms(value, alternative, declared))) return undefined;
  return `${describe(value)} is not ${type}`;
}

function conforms(value: unknown, type: string, declared: DeclaredTypes): boolean {
  if (type.endsWith('[]')) {
    const element = type.slice(0, -2).replace(/^\((.*)\)$/, '$1');
    return Array.isArray(value) && value.every((item) => mismatch(item, element, declared) === undefined);
  }
  if (type.startsWith('"')) return value === JSON.parse(type);
  switch (type) {
    case 'null':
      return value === null;
    case 'unknown':
      return true;
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return typeof value === type;
    case 'Date':
      return value instanceof Date && !Number.isNaN(value.getTime());
    case 'Buffer':
      return Buffer.isBuffer(value);
    case 'JsonValue':
      return isJson(value);
    case 'Interval':
      return (
        typeof value === 'object' &&
        value !== null &&
        Object.entries(value).every(
          ([key, part]) =>
            ['years', 'months', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'].includes(key) && typeof part === 'number',
        )
      );
    case 'Point':
      return typeof value === 'object' && value !== null && typeof (value as { x?: unknown }).x === 'number';
  }
  const members = declared.enums.get(type);
  if (members) return typeof value === 'string' && members.includes(value);
  throw new Error(`declared-types: the check does not know the type ${type}`);
}

function isJson(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isJson);
  return (
    typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && Object.values(value as object).every(isJson)
  );
}

function splitUnion(type: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const char = type[i];
    if (char === '(' || char === '<' || char === '{') depth++;
    else if (char === ')' || char === '>' || char === '}') depth--;
    else if (depth === 0 && type.startsWith(' | ', i)) {
      parts.push(type.slice(start, i));
      start = i + 3;
    }
  }
  parts.push(type.slice(start));
  return parts.map((part) => part.trim());
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  if (Buffer.isBuffer(value)) return 'Buffer';
  return `${typeof value} ${JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? `${inner}n` : inner))}`;
}

/** Every column of every row conforms, and each row has exactly the declared columns. */
export function rowMismatches(
  rows: readonly Record<string, unknown>[],
  interfaceName: string,
  declared: DeclaredTypes,
): string[] {
  const columns = declared.interfaces.get(interfaceName);
  if (!columns) throw new Error(`declared-types: no interface ${interfaceName}`);
  const problems: string[] = [];
  for (const [index, row] of rows.entries()) {
    const extra = Object.keys(row).filter((key) => !columns.has(key));
    if (extra.length > 0) problems.push(`row ${index}: undeclared ${extra.join(', ')}`);
    for (const [column, type] of columns) {
      if (!(column in row)) problems.push(`row ${index}: ${column} missing`);
      const why = mismatch(row[column], type, declared);
      if (why) problems.push(`row ${index}: ${interfaceName}.${column}: ${why}`);
    }
  }
  return problems;
}
