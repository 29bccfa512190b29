import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../src/dialects/registry.js';
import { findStatementsNotAllowedInTransaction } from '../../src/sql/transaction-restrictions.js';

function names(source: string, dialect: 'postgres' | 'sqlite' = 'postgres'): string[] {
  return findStatementsNotAllowedInTransaction(source, DIALECTS[dialect]).map((r) => r.statement);
}

describe('findStatementsNotAllowedInTransaction: postgres', () => {
  it('finds each CREATE INDEX CONCURRENTLY with the offset of its first token', () => {
    const source = 'CREATE INDEX CONCURRENTLY a ON t (x);\n  -- b next\n  create unique index concurrently b ON t (y);';
    expect(findStatementsNotAllowedInTransaction(source, DIALECTS.postgres)).toEqual([
      { statement: 'CREATE INDEX CONCURRENTLY', offset: 0 },
      { statement: 'CREATE INDEX CONCURRENTLY', offset: source.indexOf('create unique') },
    ]);
  });

  it('ignores index statements that are not concurrent', () => {
    expect(
      names('CREATE INDEX a ON t (x); CREATE UNIQUE INDEX b ON t (y); DROP INDEX a; CREATE INDEX concurrently_idx ON t (z);'),
    ).toEqual([]);
    expect(names('CREATE INDEX IF NOT EXISTS concurrently ON t (x);')).toEqual([]);
  });

  it('finds DROP INDEX CONCURRENTLY', () => {
    expect(names('DROP INDEX CONCURRENTLY IF EXISTS a;')).toEqual(['DROP INDEX CONCURRENTLY']);
  });

  it('finds REINDEX ... CONCURRENTLY with or without options', () => {
    expect(names('REINDEX INDEX CONCURRENTLY a;')).toEqual(['REINDEX CONCURRENTLY']);
    expect(names('REINDEX TABLE CONCURRENTLY t;')).toEqual(['REINDEX CONCURRENTLY']);
    expect(names('REINDEX (VERBOSE, TABLESPACE fast) TABLE CONCURRENTLY t;')).toEqual(['REINDEX CONCURRENTLY']);
    expect(names('reindex (verbose) schema concurrently s;')).toEqual(['REINDEX CONCURRENTLY']);
    expect(names('REINDEX DATABASE CONCURRENTLY;')).toEqual(['REINDEX CONCURRENTLY']);
    expect(names('REINDEX INDEX a; REINDEX (VERBOSE) TABLE t;')).toEqual([]);
  });

  it('finds REINDEX SCHEMA / DATABASE / SYSTEM, which PostgreSQL always refuses in a block', () => {
    expect(names('REINDEX SCHEMA public; REINDEX DATABASE; REINDEX (VERBOSE) SYSTEM app;')).toEqual([
      'REINDEX SCHEMA',
      'REINDEX DATABASE',
      'REINDEX SYSTEM',
    ]);
  });

  it('finds VACUUM in every form, but not ANALYZE', () => {
    expect(names('VACUUM; VACUUM FULL t; vacuum (analyze) t; ANALYZE t;')).toEqual(['VACUUM', 'VACUUM', 'VACUUM']);
  });

  it('finds database, tablespace and system commands', () => {
    expect(
      names(
        [
          'CREATE DATABASE app;',
          'DROP DATABASE IF EXISTS old;',
          "ALTER SYSTEM SET work_mem = '64MB';",
          "CREATE TABLESPACE fast LOCATION '/ssd';",
          'DROP TABLESPACE fast;',
          'ALTER DATABASE app SET TABLESPACE fast;',
          'DISCARD ALL;',
          'CLUSTER;',
          'CLUSTER VERBOSE;',
        ].join('\n'),
      ),
    ).toEqual([
      'CREATE DATABASE',
      'DROP DATABASE',
      'ALTER SYSTEM',
      'CREATE TABLESPACE',
      'DROP TABLESPACE',
      'ALTER DATABASE SET TABLESPACE',
      'DISCARD ALL',
      'CLUSTER',
      'CLUSTER',
    ]);
  });

  it('leaves the transaction-safe neighbours alone', () => {
    expect(
      names(
        [
          "ALTER DATABASE app SET work_mem = '64MB';",
          "ALTER TYPE mood ADD VALUE 'meh';",
          'CLUSTER t USING t_idx;',
          'CLUSTER VERBOSE t;',
          'DISCARD PLANS;',
          'REFRESH MATERIALIZED VIEW CONCURRENTLY mv;',
          'ALTER TABLE t DETACH PARTITION p;',
          'ALTER TABLE t DETACH PARTITION p FINALIZE;',
          'CREATE TABLE database (x int);',
          'ANALYZE;',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('finds ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY', () => {
    expect(names('ALTER TABLE IF EXISTS ONLY app."Events" DETACH PARTITION app.events_2024 CONCURRENTLY;')).toEqual([
      'ALTER TABLE ... DETACH CONCURRENTLY',
    ]);
    expect(names('alter table t detach partition "p;q" concurrently;')).toEqual(['ALTER TABLE ... DETACH CONCURRENTLY']);
  });

  it('matches only leading keywords, after comments and whitespace', () => {
    const source = '/* why */ -- because\n  VACUUM t;\nSELECT 1; -- VACUUM;\nSELECT $$ VACUUM $$;';
    expect(findStatementsNotAllowedInTransaction(source, DIALECTS.postgres)).toEqual([
      { statement: 'VACUUM', offset: source.indexOf('VACUUM t') },
    ]);
  });

  it('never matches inside strings, comments or dollar bodies', () => {
    const source = [
      'DO $$',
      'BEGIN',
      "  EXECUTE 'VACUUM';",
      "  EXECUTE 'CREATE INDEX CONCURRENTLY i ON t (x)';",
      '  COMMIT;',
      'END',
      '$$;',
      "SELECT 'DROP DATABASE x';",
      '/* CREATE DATABASE y; */',
      "INSERT INTO t VALUES ('; VACUUM');",
      'CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC SELECT 1; END;',
      "ALTER TABLE t ADD COLUMN c text DEFAULT 'DETACH PARTITION p CONCURRENTLY';",
    ].join('\n');
    expect(names(source)).toEqual([]);
  });

  it('finds statements after a DO block and in a script without a final ;', () => {
    const source = 'DO $$ BEGIN PERFORM 1; END $$;\nCREATE INDEX CONCURRENTLY i ON t (x)';
    expect(findStatementsNotAllowedInTransaction(source, DIALECTS.postgres)).toEqual([
      { statement: 'CREATE INDEX CONCURRENTLY', offset: source.indexOf('CREATE') },
    ]);
  });

  it('treats a quoted "VACUUM" as an identifier, not a keyword', () => {
    expect(names('"VACUUM";')).toEqual([]);
    expect(names('CREATE "INDEX" CONCURRENTLY;')).toEqual([]);
  });
});

describe('findStatementsNotAllowedInTransaction: sqlite', () => {
  it('finds VACUUM and nothing else', () => {
    const source = "PRAGMA foreign_keys = ON;\nvacuum;\nVACUUM main INTO 'backup.db';\nCREATE INDEX i ON t (x);";
    expect(findStatementsNotAllowedInTransaction(source, DIALECTS.sqlite)).toEqual([
      { statement: 'VACUUM', offset: source.indexOf('vacuum') },
      { statement: 'VACUUM', offset: source.indexOf('VACUUM main') },
    ]);
    expect(names('CREATE INDEX CONCURRENTLY i ON t (x); CREATE DATABASE x;', 'sqlite')).toEqual([]);
  });

  it('does not match VACUUM inside a trigger body, string, identifier or comment', () => {
    const source = [
      "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 'x'; VACUUM; END;",
      "SELECT 'VACUUM';",
      'SELECT [vacuum] FROM `vacuum`;',
      '-- VACUUM;',
    ].join('\n');
    expect(names(source, 'sqlite')).toEqual([]);
  });
});

describe('findStatementsNotAllowedInTransaction: properties', () => {
  it('never throws and reports offsets at statement starts', () => {
    const fragment = fc.constantFrom(
      'VACUUM',
      'CREATE INDEX CONCURRENTLY',
      'REINDEX (',
      ')',
      'ALTER TABLE',
      'DETACH PARTITION',
      'CLUSTER',
      "'",
      '$$',
      '--',
      '/*',
      '*/',
      ';',
      '\n',
      ' ',
      '"',
    );
    fc.assert(
      fc.property(
        fc.array(fragment, { maxLength: 30 }),
        fc.constantFrom('postgres' as const, 'sqlite' as const),
        (parts, dialect) => {
          const source = parts.join(' ');
          for (const found of findStatementsNotAllowedInTransaction(source, DIALECTS[dialect])) {
            expect(found.offset).toBeGreaterThanOrEqual(0);
            expect(found.offset).toBeLessThan(source.length);
            expect(source.slice(found.offset, found.offset + found.statement.split(' ')[0]!.length).toUpperCase()).toBe(
              found.statement.split(' ')[0],
            );
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
