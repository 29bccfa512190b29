import { afterEach, describe, expect, it } from 'vitest';
import type { MigrationInput } from '../../src/index.js';
import { checkReversible } from '../../src/schema/index.js';
import { type FreshDatabase, freshDatabase } from './fresh-database.js';

const opened: FreshDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

function m(version: number, name: string, up: string, down?: string): MigrationInput {
  return {
    version,
    description: name,
    up,
    ...(down !== undefined ? { down, downFile: `${version}_${name}.down.sql` } : {}),
    upFile: `${version}_${name}.up.sql`,
  };
}

const USERS = m(1, 'users', 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n', 'DROP TABLE users;\n');

describe.each(['postgres', 'sqlite'] as const)('smoke %s', (kind) => {
  it('runs', async () => {
    const db = await freshDatabase(kind);
    opened.push(db);
    const report = await checkReversible(db.handle, {
      migrations: [
        USERS,
        m(
          2,
          'syntax',
          'CREATE TABLE posts (id INTEGER PRIMARY KEY);\nCREATE INDEX posts_id ON posts (id);\n',
          'DROP INDEX posts_id\nDROP TABLE posts;\n',
        ),
        m(3, 'tags', 'CREATE TABLE tags (name TEXT PRIMARY KEY);\n', '-- nothing\n'),
        m(
          4,
          'bio',
          'ALTER TABLE users ADD COLUMN bio TEXT;\nCREATE INDEX users_name ON users (name);\n',
          'ALTER TABLE users DROP COLUMN bio;\n',
        ),
        m(
          5,
          'rename',
          'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
          'ALTER TABLE users DROP COLUMN full_name;\nALTER TABLE users ADD COLUMN name TEXT;\n',
        ),
      ],
    });
    console.log(JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2));
  });
});
