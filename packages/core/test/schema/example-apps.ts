import { fileURLToPath } from 'node:url';
import type { Kind } from './fresh-database.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));

export type Example = 'express-sqlite' | 'bundled' | 'express-postgres' | 'nest-postgres';

/**
 * Each example app's migrations on every database they run on: the app's own, and the other one
 * where the SQL is portable (bundled's and nest-postgres's; express-sqlite uses SQLite's instr(),
 * express-postgres identity columns).
 */
export const EXAMPLE_CASES: [Example, Kind][] = [
  ['express-sqlite', 'sqlite'],
  ['bundled', 'sqlite'],
  ['bundled', 'postgres'],
  ['express-postgres', 'postgres'],
  ['nest-postgres', 'postgres'],
  ['nest-postgres', 'sqlite'],
];

export function exampleMigrations(example: Example): string {
  return `${EXAMPLES}${example}/migrations`;
}

/** Rows an app would write after migrating, portable SQL: at least two per table, nullable columns both null and set. */
export const EXAMPLE_ROWS: Record<Example, string> = {
  'express-sqlite': appRows(),
  'express-postgres': appRows(),
  // Its migrations already wrote user 1 and note 1.
  bundled: `
INSERT INTO users (id, email, name) VALUES (2, 'bob@example.com', 'Bob');
INSERT INTO notes (id, user_id, body) VALUES (2, 2, 'second');`,
  'nest-postgres': `
INSERT INTO users (id, email, name) VALUES ('u1', 'ada@example.com', 'Ada');
INSERT INTO users (id, email, name, role) VALUES ('u2', 'bob@example.com', 'Bob', 'admin');`,
};

function appRows(): string {
  return `
INSERT INTO users (email) VALUES ('ada@example.com');
INSERT INTO users (email, display_name) VALUES ('bob@example.com', 'Bob');
INSERT INTO posts (user_id, title) VALUES (1, 'first');
INSERT INTO posts (user_id, title, body) VALUES (2, 'second', 'text');`;
}
