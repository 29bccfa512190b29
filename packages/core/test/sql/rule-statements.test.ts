import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { Migrator } from '../../src/index.js';
import { openPostgres } from '../support/dialects.js';

type PgTestDatabase = Awaited<ReturnType<typeof openPostgres>>;

const rule = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));';

/** A `;` inside parentheses never ends a statement (PostgreSQL's multi-action rules). */
describe('a CREATE RULE with several actions on PostgreSQL', () => {
  let db: PgTestDatabase;
  let dir: { path: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    db = await openPostgres();
    dir = await tempDir('rule');
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  for (const directive of ['-- no-transaction\n', '']) {
    const mode = directive ? 'a -- no-transaction' : 'a transactional';
    it(`applies in ${mode} file, and the rule fires both actions`, async () => {
      await writeTree(dir.path, {
        '0001_rule.sql': [
          `${directive}CREATE TABLE a (x int);`,
          'CREATE TABLE b (x int);',
          'CREATE TABLE t (x int);',
          rule,
          'INSERT INTO t VALUES (0);',
          '',
        ].join('\n'),
      });
      const report = await new Migrator({ db: db.pool, migrations: dir.path }).run();
      expect(report.applied.map((s) => [s.version, s.transactional])).toEqual([[1n, !directive]]);
      expect(await db.query('SELECT x FROM t')).toEqual([{ x: 0 }]);
      expect(await db.query('SELECT x FROM a')).toEqual([{ x: 1 }]);
      expect(await db.query('SELECT x FROM b')).toEqual([{ x: 2 }]);
      expect(await db.query("SELECT rulename FROM pg_rules WHERE tablename = 't'")).toEqual([{ rulename: 'r' }]);
      expect(await db.query('SELECT version::text, success FROM _strata_migrations')).toEqual([{ version: '1', success: true }]);
    });
  }
});
