/**
 * Every rule fires on the statement it is about and stays silent on its safe rewrite and on a
 * table no traffic reaches yet (created earlier in the same migration, or by an earlier
 * migration still pending). Scripts before the last one are applied unless a case says pending.
 */
import { describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/dialects/dialect.js';
import { RULES } from '../../src/lint/rules/index.js';
import { lintLast, rulesOf } from './lint-helpers.js';

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint);';
const ORGS = 'CREATE TABLE orgs (id bigint PRIMARY KEY);';

interface Case {
  rule: string;
  database?: DialectName;
  /** Scripts; the last is linted. */
  fires: string[];
  silent: { why: string; scripts: string[]; pending?: boolean }[];
}

const CASES: Case[] = [
  {
    rule: 'create-index-not-concurrently',
    fires: [USERS, 'CREATE INDEX users_email ON users (email);'],
    silent: [
      {
        why: 'CONCURRENTLY, outside a transaction',
        scripts: [USERS, '-- no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);'],
      },
      { why: 'a table created earlier in the same migration', scripts: [`${USERS}\nCREATE INDEX users_email ON users (email);`] },
      {
        why: 'a table created by an earlier pending migration',
        scripts: [USERS, 'CREATE INDEX users_email ON users (email);'],
        pending: true,
      },
    ],
  },
  {
    rule: 'drop-index-not-concurrently',
    fires: [USERS, 'CREATE INDEX CONCURRENTLY users_email ON users (email);', 'DROP INDEX users_email;'],
    silent: [
      { why: 'CONCURRENTLY', scripts: [USERS, '-- no-transaction\nDROP INDEX CONCURRENTLY users_email;'] },
      {
        why: 'an index created in the same migration',
        scripts: [`${USERS}\nCREATE INDEX users_email ON users (email);\nDROP INDEX users_email;`],
      },
    ],
  },
  {
    rule: 'refused-in-transaction',
    fires: [USERS, 'CREATE INDEX CONCURRENTLY users_email ON users (email);'],
    silent: [
      {
        why: 'in a -- no-transaction file',
        scripts: [USERS, '-- no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);'],
      },
    ],
  },
  {
    rule: 'refused-in-transaction',
    database: 'sqlite',
    fires: ['VACUUM;'],
    silent: [{ why: 'in a -- no-transaction file', scripts: ['-- no-transaction\nVACUUM;'] }],
  },
  {
    rule: 'add-column-volatile-default',
    fires: [USERS, 'ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();'],
    silent: [
      {
        why: 'a STABLE default (now()) is stored once',
        scripts: [USERS, 'ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();'],
      },
      {
        why: 'a table created earlier in the same migration',
        scripts: [`${USERS}\nALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();`],
      },
      {
        why: 'a table created by an earlier pending migration',
        scripts: [USERS, 'ALTER TABLE users ADD COLUMN n bigserial;'],
        pending: true,
      },
    ],
  },
  {
    rule: 'add-column-volatile-default',
    database: 'sqlite',
    fires: [
      'CREATE TABLE users (id INTEGER PRIMARY KEY);',
      'ALTER TABLE users ADD COLUMN created_at TEXT DEFAULT CURRENT_TIMESTAMP;',
    ],
    silent: [
      {
        why: 'a constant default',
        scripts: [
          'CREATE TABLE users (id INTEGER PRIMARY KEY);',
          "ALTER TABLE users ADD COLUMN created_at TEXT DEFAULT '1970-01-01';",
        ],
      },
      {
        why: 'a new table',
        scripts: [
          'CREATE TABLE users (id INTEGER PRIMARY KEY);\nALTER TABLE users ADD COLUMN created_at TEXT DEFAULT CURRENT_TIMESTAMP;',
        ],
      },
    ],
  },
  {
    rule: 'add-column-not-null-without-default',
    fires: [USERS, 'ALTER TABLE users ADD COLUMN name text NOT NULL;'],
    silent: [
      { why: 'with a constant default', scripts: [USERS, "ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT '';"] },
      { why: 'nullable', scripts: [USERS, 'ALTER TABLE users ADD COLUMN name text;'] },
      {
        why: 'a table created by an earlier pending migration',
        scripts: [USERS, 'ALTER TABLE users ADD COLUMN name text NOT NULL;'],
        pending: true,
      },
    ],
  },
  {
    rule: 'add-column-not-null-without-default',
    database: 'sqlite',
    fires: ['CREATE TABLE users (id INTEGER PRIMARY KEY);', 'ALTER TABLE users ADD COLUMN name TEXT NOT NULL;'],
    silent: [
      {
        why: 'with a default',
        scripts: ['CREATE TABLE users (id INTEGER PRIMARY KEY);', "ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT 'x';"],
      },
      {
        why: 'a new table',
        scripts: ['CREATE TABLE users (id INTEGER PRIMARY KEY);\nALTER TABLE users ADD COLUMN name TEXT NOT NULL;'],
      },
    ],
  },
  {
    rule: 'alter-column-type',
    fires: [USERS, 'ALTER TABLE users ALTER COLUMN org_id TYPE int;'],
    silent: [
      {
        why: 'a table created earlier in the same migration',
        scripts: [`${USERS}\nALTER TABLE users ALTER COLUMN org_id TYPE int;`],
      },
    ],
  },
  {
    rule: 'set-not-null',
    fires: [USERS, 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;'],
    silent: [
      {
        why: 'after a CHECK validated in an earlier migration',
        scripts: [
          USERS,
          'ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;',
          'ALTER TABLE users VALIDATE CONSTRAINT email_nn;',
          'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
        ],
      },
      {
        why: 'a table created earlier in the same migration',
        scripts: [`${USERS}\nALTER TABLE users ALTER COLUMN email SET NOT NULL;`],
      },
    ],
  },
  {
    rule: 'add-constraint-without-not-valid',
    fires: [USERS, ORGS, 'ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org_id) REFERENCES orgs (id);'],
    silent: [
      {
        why: 'NOT VALID',
        scripts: [USERS, ORGS, 'ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;'],
      },
      {
        why: 'a table created earlier in the same migration',
        scripts: [ORGS, `${USERS}\nALTER TABLE users ADD CONSTRAINT email_set CHECK (email <> '');`],
      },
    ],
  },
  {
    rule: 'validate-in-same-transaction',
    fires: [
      USERS,
      "ALTER TABLE users ADD CONSTRAINT email_set CHECK (email <> '') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_set;",
    ],
    silent: [
      {
        why: 'in a later migration',
        scripts: [
          USERS,
          "ALTER TABLE users ADD CONSTRAINT email_set CHECK (email <> '') NOT VALID;",
          'ALTER TABLE users VALIDATE CONSTRAINT email_set;',
        ],
      },
      {
        why: 'in a -- no-transaction file, where each statement commits',
        scripts: [
          USERS,
          "-- no-transaction\nALTER TABLE users ADD CONSTRAINT email_set CHECK (email <> '') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_set;",
        ],
      },
    ],
  },
  {
    rule: 'rename-table',
    fires: [USERS, 'ALTER TABLE users RENAME TO accounts;'],
    silent: [
      {
        why: 'a table created by an earlier pending migration',
        scripts: [USERS, 'ALTER TABLE users RENAME TO accounts;'],
        pending: true,
      },
    ],
  },
  {
    rule: 'rename-table',
    database: 'sqlite',
    fires: ['CREATE TABLE users (id INTEGER);', 'ALTER TABLE users RENAME TO accounts;'],
    silent: [{ why: 'a new table', scripts: ['CREATE TABLE users (id INTEGER);\nALTER TABLE users RENAME TO accounts;'] }],
  },
  {
    rule: 'rename-column',
    fires: [USERS, 'ALTER TABLE users RENAME COLUMN email TO mail;'],
    silent: [
      {
        why: 'a table created earlier in the same migration',
        scripts: [`${USERS}\nALTER TABLE users RENAME COLUMN email TO mail;`],
      },
    ],
  },
  {
    rule: 'rename-column',
    database: 'sqlite',
    fires: ['CREATE TABLE users (id INTEGER, email TEXT);', 'ALTER TABLE users RENAME COLUMN email TO mail;'],
    silent: [
      { why: 'a new table', scripts: ['CREATE TABLE users (id INTEGER, email TEXT);\nALTER TABLE users RENAME email TO mail;'] },
    ],
  },
  {
    rule: 'drop-table',
    fires: [USERS, 'DROP TABLE users;'],
    silent: [{ why: 'a table created by an earlier pending migration', scripts: [USERS, 'DROP TABLE users;'], pending: true }],
  },
  {
    rule: 'drop-table',
    database: 'sqlite',
    fires: ['CREATE TABLE users (id INTEGER);', 'DROP TABLE IF EXISTS users;'],
    silent: [{ why: 'a new table', scripts: ['CREATE TABLE users (id INTEGER);\nDROP TABLE users;'] }],
  },
  {
    rule: 'drop-column',
    fires: [USERS, 'ALTER TABLE users DROP COLUMN email;'],
    silent: [
      { why: 'a table created earlier in the same migration', scripts: [`${USERS}\nALTER TABLE users DROP COLUMN email;`] },
    ],
  },
  {
    rule: 'drop-column',
    database: 'sqlite',
    fires: ['CREATE TABLE users (id INTEGER, email TEXT);', 'ALTER TABLE users DROP COLUMN email;'],
    silent: [
      { why: 'a new table', scripts: ['CREATE TABLE users (id INTEGER, email TEXT);\nALTER TABLE users DROP COLUMN email;'] },
    ],
  },
  {
    rule: 'missing-lock-timeout',
    fires: [USERS, 'ALTER TABLE users ADD COLUMN name text;'],
    silent: [
      {
        why: 'lock_timeout set first',
        scripts: [USERS, "SET LOCAL lock_timeout = '3s';\nALTER TABLE users ADD COLUMN name text;"],
      },
      { why: 'a table created earlier in the same migration', scripts: [`${USERS}\nALTER TABLE users ADD COLUMN name text;`] },
      { why: 'a weaker lock (VALIDATE CONSTRAINT)', scripts: [USERS, 'ALTER TABLE users VALIDATE CONSTRAINT c;'] },
    ],
  },
  {
    rule: 'transaction-control',
    fires: [USERS, 'BEGIN;\nALTER TABLE users ADD COLUMN name text;\nCOMMIT;'],
    silent: [
      {
        why: 'in a -- no-transaction file',
        scripts: [USERS, '-- no-transaction\nBEGIN;\nALTER TABLE users ADD COLUMN name text;\nCOMMIT;'],
      },
    ],
  },
  {
    rule: 'transaction-control',
    database: 'sqlite',
    fires: ['COMMIT;'],
    silent: [{ why: 'a savepoint stays inside the transaction', scripts: ['SAVEPOINT a;\nRELEASE SAVEPOINT a;'] }],
  },
  {
    rule: 'pragma-foreign-keys-in-transaction',
    database: 'sqlite',
    fires: ['PRAGMA foreign_keys = OFF;\nCREATE TABLE t (id INTEGER);'],
    silent: [
      { why: 'in a -- no-transaction file', scripts: ['-- no-transaction\nPRAGMA foreign_keys = OFF;'] },
      { why: 'reading it', scripts: ['PRAGMA foreign_keys;'] },
    ],
  },
  {
    rule: 'syntax-error',
    fires: [USERS, 'ALTER TABLE users ADD COLUMN name text;\nALTER TABLEE users DROP COLUMN email;'],
    silent: [{ why: 'valid SQL', scripts: [USERS, 'ALTER TABLE users DROP COLUMN email;'] }],
  },
];

describe('lint rules', () => {
  it('every rule has a case', () => {
    expect(new Set(CASES.map((c) => c.rule))).toEqual(new Set(RULES.map((rule) => rule.id)));
  });

  for (const c of CASES) {
    const database = c.database ?? 'postgres';
    describe(`${c.rule} (${database})`, () => {
      it('fires', async () => {
        const findings = await lintLast(database, c.fires);
        expect(rulesOf(findings)).toContain(c.rule);
        const finding = findings.find((f) => f.rule === c.rule)!;
        expect(finding.version).toBe(String(c.fires.length));
        expect(finding.file).toBe(`000${c.fires.length}_m${c.fires.length}.sql`);
        expect(finding.message.length).toBeGreaterThan(20);
        // Every name the message and the fix quote was read from the statement.
        expect(`${finding.message} ${finding.fix}`).not.toMatch(/ {2}| ,/);
        if (
          c.fires.at(-1)!.includes('users') &&
          !['syntax-error', 'transaction-control', 'refused-in-transaction'].includes(c.rule)
        ) {
          expect(finding.message).toMatch(/users/);
        }
        expect(finding.fix.length).toBeGreaterThan(10);
      });
      for (const s of c.silent) {
        it(`stays silent: ${s.why}`, async () => {
          const findings = await lintLast(database, s.scripts, s.pending ? { pending: () => true } : {});
          expect(rulesOf(findings)).not.toContain(c.rule);
        });
      }
    });
  }
});
