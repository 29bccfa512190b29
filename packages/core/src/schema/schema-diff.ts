import { compareText } from './read-options.js';
import type { SchemaModel } from './schema-model.js';

export interface SchemaDifference {
  /** `table`, `view`, `index`, ... */
  kind: string;
  /** Qualified: `public.users`; an index or trigger with its table: `public.users.users_email_idx`. */
  name: string;
  /** `missing`: the migrations make it, the database lacks it. `extra`: the reverse. `changed`: both have it, unlike. */
  change: 'missing' | 'extra' | 'changed';
  /** For `changed`: each differing part, `columns[email].type: "text" -> "character varying(20)"`. */
  details: string[];
}

type Keyed = Map<string, unknown>;

/** Every object of a model by kind and a key unique within its kind. */
function objectsOf(model: SchemaModel): [string, Keyed][] {
  const keyed = <T>(items: readonly T[], key: (item: T) => string): Keyed => new Map(items.map((item) => [key(item), item]));
  const qualified = (item: { schema: string; name: string }) => `${item.schema}.${item.name}`;
  const onTable = (item: { schema: string; table: string; name: string }) => `${item.schema}.${item.table}.${item.name}`;
  return [
    ['schema', keyed(model.schemas, (item) => item.name)],
    ['extension', keyed(model.extensions, (item) => item.name)],
    ['type', keyed(model.types, qualified)],
    ['sequence', keyed(model.sequences, qualified)],
    ['table', keyed(model.tables, qualified)],
    ['view', keyed(model.views, qualified)],
    ['routine', keyed(model.routines, (item) => `${qualified(item)}(${item.arguments})`)],
    ['index', keyed(model.indexes, onTable)],
    ['trigger', keyed(model.triggers, onTable)],
  ];
}

/**
 * What differs between the schema the migrations make (`expected`) and the one a database holds
 * (`actual`), object by object, in a stable order (kind, then name).
 */
export function diffSchemas(expected: SchemaModel, actual: SchemaModel): SchemaDifference[] {
  const found: SchemaDifference[] = [];
  const actualObjects = new Map(objectsOf(actual));
  for (const [kind, wanted] of objectsOf(expected)) {
    const present = actualObjects.get(kind) ?? new Map();
    for (const name of [...new Set([...wanted.keys(), ...present.keys()])].sort(compareText)) {
      if (!present.has(name)) found.push({ kind, name, change: 'missing', details: [] });
      else if (!wanted.has(name)) found.push({ kind, name, change: 'extra', details: [] });
      else {
        const details = differences(wanted.get(name), present.get(name), '');
        if (details.length > 0) found.push({ kind, name, change: 'changed', details });
      }
    }
  }
  return found;
}

/** Paths where two JSON values differ; lists of named things are matched by name. */
function differences(expected: unknown, actual: unknown, path: string): string[] {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  if (Array.isArray(expected) && Array.isArray(actual) && named(expected) && named(actual)) {
    const before = new Map(expected.map((item) => [item.name, item]));
    const after = new Map(actual.map((item) => [item.name, item]));
    const out: string[] = [];
    for (const name of [...new Set([...before.keys(), ...after.keys()])]) {
      const at = `${path}[${name}]`;
      if (!after.has(name)) out.push(`${at}: missing`);
      else if (!before.has(name)) out.push(`${at}: extra`);
      else out.push(...differences(before.get(name), after.get(name), at));
    }
    // Same members, other order (a column added in the middle by a rebuilt table).
    if (out.length === 0) out.push(`${path}: order ${show(expected.map((i) => i.name))} -> ${show(actual.map((i) => i.name))}`);
    return out;
  }
  if (isRecord(expected) && isRecord(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((key) => differences(expected[key], actual[key], path ? `${path}.${key}` : key));
  }
  return [`${path || 'definition'}: ${show(expected)} -> ${show(actual)}`];
}

function named(items: unknown[]): items is { name: string }[] {
  return items.every((item) => isRecord(item) && typeof item.name === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value for a one-line message, cut short. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
