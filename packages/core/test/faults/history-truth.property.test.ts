/**
 * A property of every run, on real databases: generated migrations mix ordinary statements with
 * transaction control, savepoints, DO blocks, pragmas and failures, in and out of transactions.
 * Whatever happens, a history row says applied exactly when every effect of its script is
 * committed, nothing is left inside a transaction, and the lock is free afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStrataError, type MigrationInput, Migrator } from '../../src/index.js';
import { dialectsWithMysql, type TestDatabase } from '../support/dialects.js';

type Item =
  | { kind: 'insert' }
  | { kind: 'savepoint-undone' }
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  | { kind: 'fail' }
  | { kind: 'do-insert' }
  | { kind: 'do-commit' }
  | { kind: 'pragma' };

interface Script {
  noTransaction: boolean;
  items: Item[];
}

const item = (dialect: TestDatabase['dialect']): fc.Arbitrary<Item> =>
  fc.oneof(
    { arbitrary: fc.constant<Item>({ kind: 'insert' }), weight: 6 },
    { arbitrary: fc.constant<Item>({ kind: 'savepoint-undone' }), weight: 1 },
    { arbitrary: fc.constant<Item>({ kind: 'begin' }), weight: 1 },
    { arbitrary: fc.constant<Item>({ kind: 'commit' }), weight: 1 },
    { arbitrary: fc.constant<Item>({ kind: 'rollback' }), weight: 1 },
    { arbitrary: fc.constant<Item>({ kind: 'fail' }), weight: 1 },
    ...(dialect === 'postgres'
      ? [
          { arbitrary: fc.constant<Item>({ kind: 'do-insert' }), weight: 1 },
          { arbitrary: fc.constant<Item>({ kind: 'do-commit' }), weight: 1 },
        ]
      : dialect === 'sqlite'
        ? [{ arbitrary: fc.constant<Item>({ kind: 'pragma' }), weight: 1 }]
        : []),
  );

const script = (dialect: TestDatabase['dialect']): fc.Arbitrary<Script> =>
  fc.record({ noTransaction: fc.boolean(), items: fc.array(item(dialect), { maxLength: 6 }) });

/** The SQL of one migration; every insert writes (migration, n), and the last statement is always the marker insert. */
function sqlOf(script: Script, version: number, effects: string): string {
  const lines: string[] = script.noTransaction ? ['-- no-transaction'] : [];
  let n = 0;
  const insert = () => `INSERT INTO ${effects} (migration, n) VALUES (${version}, ${++n});`;
  for (const entry of script.items) {
    switch (entry.kind) {
      case 'insert':
        lines.push(insert());
        break;
      case 'savepoint-undone':
        lines.push('SAVEPOINT s;', insert(), 'ROLLBACK TO SAVEPOINT s;', 'RELEASE SAVEPOINT s;');
        break;
      case 'begin':
        lines.push('BEGIN;');
        break;
      case 'commit':
        lines.push('COMMIT;');
        break;
      case 'rollback':
        lines.push('ROLLBACK;');
        break;
      case 'fail':
        lines.push(`INSERT INTO ${effects} (migration, n) VALUES (NULL, 0);`);
        break;
      case 'do-insert':
        lines.push(`DO $$ BEGIN ${insert()} END $$;`);
        break;
      case 'do-commit':
        lines.push(`DO $$ BEGIN ${insert()} COMMIT; END $$;`);
        break;
      case 'pragma':
        lines.push('PRAGMA foreign_keys = OFF;', insert(), 'PRAGMA foreign_keys = ON;');
        break;
    }
  }
  lines.push(insert());
  return `${lines.join('\n')}\n`;
}

/**
 * The effects a script leaves when it runs to the end without an error: the inserts no rollback
 * undid. On MySQL a BEGIN inside a transaction commits it (PostgreSQL warns, and goes on in it).
 */
function effectsOnSuccess(script: Script, dialect: TestDatabase['dialect']): number[] {
  const committed: number[] = [];
  let pending: number[] | undefined;
  let n = 0;
  const add = (value: number) => (pending ? pending.push(value) : committed.push(value));
  for (const entry of script.items) {
    if (entry.kind === 'insert' || entry.kind === 'do-insert' || entry.kind === 'do-commit' || entry.kind === 'pragma') add(++n);
    else if (entry.kind === 'savepoint-undone') ++n;
    else if (script.noTransaction && entry.kind === 'begin') {
      if (dialect === 'mysql') committed.push(...(pending ?? []));
      pending = dialect === 'mysql' ? [] : (pending ?? []);
    } else if (script.noTransaction && entry.kind === 'commit') {
      committed.push(...(pending ?? []));
      pending = undefined;
    } else if (script.noTransaction && entry.kind === 'rollback') pending = undefined;
  }
  add(++n);
  return [...committed, ...(pending ?? [])].sort((a, b) => a - b);
}

describe.each(dialectsWithMysql)('history truth, a property on %s', (dialect, open) => {
  let db: TestDatabase;
  let round = 0;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('applied exactly when every effect is committed; nothing left in a transaction; the lock free', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(script(dialect), { minLength: 1, maxLength: 4 }), async (scripts) => {
        round++;
        const effects = `effects_${round}`;
        const table = `history_${round}`;
        await db.query(`CREATE TABLE ${effects} (migration int NOT NULL, n int NOT NULL)`);
        const migrations: MigrationInput[] = scripts.map((s, i) => ({
          version: i + 1,
          description: `m${i + 1}`,
          up: sqlOf(s, i + 1, effects),
        }));
        const outcome = await new Migrator({ db: db.handle, migrations, table }).run().then(
          () => undefined,
          (error: unknown) => error,
        );
        // Whatever went wrong is a typed error, never a raw driver error.
        if (outcome !== undefined) expect(isStrataError(outcome), String(outcome)).toBe(true);

        const history = await db.query(`SELECT version, success FROM ${table}`).catch(() => []);
        const applied = new Set(
          history.filter((row) => row.success === true || Number(row.success) === 1).map((row) => Number(row.version)),
        );
        const rows = await db.query(`SELECT migration, n FROM ${effects}`);
        for (const [i, s] of scripts.entries()) {
          const version = i + 1;
          const found = rows
            .filter((row) => Number(row.migration) === version)
            .map((row) => Number(row.n))
            .sort((a, b) => a - b);
          const last =
            s.items.reduce((n, entry) => n + (['begin', 'commit', 'rollback', 'fail'].includes(entry.kind) ? 0 : 1), 0) + 1;
          const markerCommitted = found.includes(last);
          // Applied exactly when the script's final effect is committed, and then all of them are.
          expect(applied.has(version), `migration ${version}:\n${migrations[i]!.up}\nfound ${found}`).toBe(markerCommitted);
          if (applied.has(version)) expect(found).toEqual(effectsOnSuccess(s, dialect));
        }
        // Nothing left open on the handle, no run lock held in this database.
        expect(await db.leftOpen()).toEqual({ locks: 0, transactions: 0 });
      }),
      { seed: 20261202, numRuns: 100, endOnFailure: true },
    );
  }, 180_000); // 100 generated cases, each a real migration run: a loaded 2-core machine takes over a minute.
});
