import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/dialects/dialect.js';
import { DIALECTS } from '../../src/dialects/registry.js';
import { type SqlPiece, splitStatements } from '../../src/sql/split-statements.js';

/** The executable statements, trimmed, as a caller that skips empty pieces would see them. */
function statements(source: string, dialect: DialectName): string[] {
  return splitStatements(source, DIALECTS[dialect].lexer)
    .filter((p) => !p.empty)
    .map((p) => p.text.trim());
}

function expectTiling(source: string, pieces: SqlPiece[]): void {
  expect(pieces.map((p) => p.text).join('')).toBe(source);
  let at = 0;
  for (const p of pieces) {
    expect(p.start).toBe(at);
    expect(p.end).toBeGreaterThan(p.start);
    expect(p.text).toBe(source.slice(p.start, p.end));
    expect(p.tokenStart).toBeGreaterThanOrEqual(p.start);
    expect(p.tokenStart).toBeLessThanOrEqual(p.end);
    at = p.end;
  }
  expect(at).toBe(source.length);
}

const dialects: DialectName[] = ['postgres', 'sqlite'];

describe('splitStatements: pieces', () => {
  it('returns nothing for an empty source', () => {
    expect(splitStatements('', DIALECTS.postgres.lexer)).toEqual([]);
    expect(splitStatements('', DIALECTS.sqlite.lexer)).toEqual([]);
  });

  it('keeps the terminating ; and the leading whitespace in each piece', () => {
    const source = 'SELECT 1;\n  SELECT 2;\n';
    expect(splitStatements(source, DIALECTS.postgres.lexer)).toEqual([
      { text: 'SELECT 1;', start: 0, end: 9, empty: false, tokenStart: 0 },
      { text: '\n  SELECT 2;', start: 9, end: 21, empty: false, tokenStart: 12 },
      { text: '\n', start: 21, end: 22, empty: true, tokenStart: 21 },
    ]);
  });

  it('keeps a final statement without ; and a file without final newline', () => {
    for (const dialect of dialects) {
      const source = 'CREATE TABLE a (id int);\nINSERT INTO a VALUES (1)';
      const pieces = splitStatements(source, DIALECTS[dialect].lexer);
      expect(pieces.map((p) => p.text)).toEqual(['CREATE TABLE a (id int);', '\nINSERT INTO a VALUES (1)']);
      expect(pieces[1]?.empty).toBe(false);
      expect(pieces[1]?.tokenStart).toBe(25);
    }
  });

  it('marks whitespace-, comment- and ;-only pieces empty', () => {
    const source = '-- header\n/* block */ ;;  SELECT 1; -- trailing\n';
    const pieces = splitStatements(source, DIALECTS.postgres.lexer);
    expect(pieces.map((p) => [p.text, p.empty])).toEqual([
      ['-- header\n/* block */ ;', true],
      [';', true],
      ['  SELECT 1;', false],
      [' -- trailing\n', true],
    ]);
    expect(pieces[0]?.tokenStart).toBe(0);
    expect(pieces[2]?.tokenStart).toBe(source.indexOf('SELECT'));
    expectTiling(source, pieces);
  });

  it('points tokenStart past comments to the first real token', () => {
    const source = 'SELECT 1;\n-- why\n/* more */\n  UPDATE t SET x = 1;';
    const pieces = splitStatements(source, DIALECTS.sqlite.lexer);
    expect(pieces[1]?.tokenStart).toBe(source.indexOf('UPDATE'));
    expect(pieces[1]?.start).toBe(9);
  });

  it('treats a leading BOM as whitespace', () => {
    const pieces = splitStatements('\uFEFFSELECT 1;', DIALECTS.postgres.lexer);
    expect(pieces).toHaveLength(1);
    expect(pieces[0]?.tokenStart).toBe(1);
    expect(splitStatements('\uFEFF\n', DIALECTS.sqlite.lexer)[0]?.empty).toBe(true);
  });

  it('handles a comment-only file and an unterminated final comment', () => {
    expect(splitStatements('-- nothing here', DIALECTS.postgres.lexer)).toEqual([
      { text: '-- nothing here', start: 0, end: 15, empty: true, tokenStart: 0 },
    ]);
    expect(statements('SELECT 1; /* unterminated ; SELECT 2;', 'postgres')).toEqual(['SELECT 1;']);
  });
});

describe('splitStatements: strings and identifiers', () => {
  it("does not split inside '...' strings, with '' escapes", () => {
    for (const dialect of dialects) {
      expect(statements("INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT 2;", dialect)).toEqual([
        "INSERT INTO t VALUES ('a;b', 'it''s; fine');",
        'SELECT 2;',
      ]);
    }
  });

  it('treats a backslash as ordinary in standard strings', () => {
    // standard_conforming_strings: 'a\' is a complete string.
    expect(statements("SELECT 'a\\'; SELECT 2;", 'postgres')).toEqual(["SELECT 'a\\';", 'SELECT 2;']);
    expect(statements("SELECT 'a\\'; SELECT 2;", 'sqlite')).toEqual(["SELECT 'a\\';", 'SELECT 2;']);
  });

  it("honours backslash escapes in postgres E'...' strings", () => {
    expect(statements("SELECT E'it\\'s;'; SELECT 2;", 'postgres')).toEqual(["SELECT E'it\\'s;';", 'SELECT 2;']);
    expect(statements("SELECT e'a\\\\'; SELECT 2;", 'postgres')).toEqual(["SELECT e'a\\\\';", 'SELECT 2;']);
    expect(statements("SELECT E'x''y;z'; SELECT 2;", 'postgres')).toEqual(["SELECT E'x''y;z';", 'SELECT 2;']);
  });

  it("only treats a lone E as the escape prefix (xe'..' is an identifier then a string)", () => {
    // In `typee'a\'`, the string is standard, so it ends at the second quote and `;` splits.
    expect(statements("SELECT typee'a\\'; SELECT 2;", 'postgres')).toEqual(["SELECT typee'a\\';", 'SELECT 2;']);
    // SQLite has no E-strings.
    expect(statements("SELECT E'a\\'; SELECT 2;", 'sqlite')).toEqual(["SELECT E'a\\';", 'SELECT 2;']);
  });

  it("lexes U&'...' as a standard string", () => {
    expect(statements("SELECT U&'d\\0061t;a'; SELECT 2;", 'postgres')).toEqual(["SELECT U&'d\\0061t;a';", 'SELECT 2;']);
    expect(statements("SELECT U&'a\\'; SELECT 2;", 'postgres')).toEqual(["SELECT U&'a\\';", 'SELECT 2;']);
  });

  it('does not split inside "quoted identifiers", with "" escapes', () => {
    for (const dialect of dialects) {
      expect(statements('CREATE TABLE "a;""b" (x int); SELECT 2;', dialect)).toEqual([
        'CREATE TABLE "a;""b" (x int);',
        'SELECT 2;',
      ]);
    }
  });

  it('knows sqlite [bracket] and `backtick` identifiers, and not in postgres', () => {
    expect(statements('SELECT [a;b], `c;``d` FROM t; SELECT 2;', 'sqlite')).toEqual([
      'SELECT [a;b], `c;``d` FROM t;',
      'SELECT 2;',
    ]);
    expect(statements('SELECT a[1;2]; SELECT 2;', 'postgres')).toEqual(['SELECT a[1;', '2];', 'SELECT 2;']);
  });

  it('gives the rest of the input to the last piece when a quote is unterminated', () => {
    for (const dialect of dialects) {
      const source = "SELECT 1; SELECT 'oops; SELECT 3;";
      const pieces = splitStatements(source, DIALECTS[dialect].lexer);
      expect(pieces.map((p) => p.text)).toEqual(['SELECT 1;', " SELECT 'oops; SELECT 3;"]);
    }
    expect(statements('SELECT "x; SELECT 2;', 'postgres')).toEqual(['SELECT "x; SELECT 2;']);
    expect(statements("SELECT E'x\\'; SELECT 2;", 'postgres')).toEqual(["SELECT E'x\\'; SELECT 2;"]);
    expect(statements('SELECT [x; SELECT 2;', 'sqlite')).toEqual(['SELECT [x; SELECT 2;']);
  });
});

describe('splitStatements: comments', () => {
  it('does not split inside -- line comments', () => {
    for (const dialect of dialects) {
      expect(statements('SELECT 1 -- a; b\n; SELECT 2;', dialect)).toEqual(['SELECT 1 -- a; b\n;', 'SELECT 2;']);
    }
  });

  it('ends a postgres line comment at \\r as well as \\n; sqlite only at \\n', () => {
    expect(statements('SELECT 1 -- x\r; SELECT 2;', 'postgres')).toEqual(['SELECT 1 -- x\r;', 'SELECT 2;']);
    expect(statements('SELECT 1 -- x\r; SELECT 2;', 'sqlite')).toEqual(['SELECT 1 -- x\r; SELECT 2;']);
  });

  it('nests /* */ in postgres', () => {
    const source = 'SELECT 1 /* outer /* inner */ ; still comment */; SELECT 2;';
    expect(statements(source, 'postgres')).toEqual(['SELECT 1 /* outer /* inner */ ; still comment */;', 'SELECT 2;']);
  });

  it('does not nest /* */ in sqlite', () => {
    const source = 'SELECT 1 /* outer /* inner */ ; SELECT 2;';
    expect(statements(source, 'sqlite')).toEqual(['SELECT 1 /* outer /* inner */ ;', 'SELECT 2;']);
  });

  it('does not close a block comment on /*/', () => {
    for (const dialect of dialects) {
      expect(statements('SELECT 1 /*/ ; */; SELECT 2;', dialect)).toEqual(['SELECT 1 /*/ ; */;', 'SELECT 2;']);
    }
  });

  it('ignores quotes inside comments and comment markers inside strings', () => {
    for (const dialect of dialects) {
      expect(statements("SELECT 1 -- it's\n; SELECT '--;/*'; SELECT 3;", dialect)).toEqual([
        "SELECT 1 -- it's\n;",
        "SELECT '--;/*';",
        'SELECT 3;',
      ]);
    }
  });
});

describe('splitStatements: postgres dollar quotes', () => {
  it('keeps a DO $$ ... COMMIT; ... $$ block as one statement', () => {
    const source = [
      'DO $$',
      'BEGIN',
      '  INSERT INTO t VALUES (1);',
      '  COMMIT;',
      '  RAISE NOTICE $q$done;$q$;',
      'END',
      '$$;',
      'SELECT 2;',
    ].join('\n');
    const result = statements(source, 'postgres');
    expect(result).toHaveLength(2);
    expect(result[0]).toMatch(/^DO \$\$[\s\S]*END\n\$\$;$/);
    expect(result[1]).toBe('SELECT 2;');
  });

  it('matches tags exactly: an inner tag does not close the outer quote', () => {
    const source = 'CREATE FUNCTION f() RETURNS text AS $outer$ SELECT $inner$ ; $inner$ ; $outer$ LANGUAGE sql; SELECT 2;';
    expect(statements(source, 'postgres')).toEqual([
      'CREATE FUNCTION f() RETURNS text AS $outer$ SELECT $inner$ ; $inner$ ; $outer$ LANGUAGE sql;',
      'SELECT 2;',
    ]);
  });

  it('closes $$ only with $$, and a tagged quote only with the same tag', () => {
    expect(statements('SELECT $a$ $$ ; $A$ ; $a$; SELECT 2;', 'postgres')).toEqual(['SELECT $a$ $$ ; $A$ ; $a$;', 'SELECT 2;']);
    expect(statements('SELECT $_x1$;$_x1$; SELECT 2;', 'postgres')).toEqual(['SELECT $_x1$;$_x1$;', 'SELECT 2;']);
  });

  it('treats $1 as a parameter, not a quote', () => {
    expect(statements('SELECT $1; SELECT $2;', 'postgres')).toEqual(['SELECT $1;', 'SELECT $2;']);
    // $1$ is not a tag either (a tag cannot start with a digit).
    expect(statements('SELECT $1$; SELECT 2;', 'postgres')).toEqual(['SELECT $1$;', 'SELECT 2;']);
    // After a parameter or a number, a $$ does open a quote, as in PostgreSQL's lexer.
    expect(statements('SELECT $1$$;$$; SELECT 2;', 'postgres')).toEqual(['SELECT $1$$;$$;', 'SELECT 2;']);
    expect(statements('SELECT 1$$;$$; SELECT 2;', 'postgres')).toEqual(['SELECT 1$$;$$;', 'SELECT 2;']);
  });

  it('does not start a quote at a $ inside an identifier', () => {
    expect(statements('SELECT a$b; SELECT c$$; SELECT 3;', 'postgres')).toEqual(['SELECT a$b;', 'SELECT c$$;', 'SELECT 3;']);
  });

  it('treats a $ that opens no tag as a lone character', () => {
    expect(statements('SELECT $abc; SELECT 2;', 'postgres')).toEqual(['SELECT $abc;', 'SELECT 2;']);
    expect(statements('SELECT $ ; SELECT 2;', 'postgres')).toEqual(['SELECT $ ;', 'SELECT 2;']);
  });

  it('gives the rest of the input to the last piece when a dollar quote is unterminated', () => {
    expect(statements('SELECT 1; DO $body$ BEGIN; END; $$; SELECT 3;', 'postgres')).toEqual([
      'SELECT 1;',
      'DO $body$ BEGIN; END; $$; SELECT 3;',
    ]);
  });

  it('has no dollar quotes in sqlite', () => {
    expect(statements('SELECT $$; SELECT $$;', 'sqlite')).toEqual(['SELECT $$;', 'SELECT $$;']);
  });
});

describe('splitStatements: block bodies', () => {
  it('keeps a sqlite trigger body, with CASE ... END inside, as one statement', () => {
    const source = [
      'CREATE TRIGGER audit AFTER UPDATE ON accounts',
      'BEGIN',
      "  INSERT INTO log VALUES (CASE WHEN new.balance < 0 THEN 'neg;' ELSE 'pos' END);",
      '  UPDATE stats SET n = n + 1;',
      'END;',
      'INSERT INTO accounts VALUES (1);',
    ].join('\n');
    const result = statements(source, 'sqlite');
    expect(result).toHaveLength(2);
    expect(result[0]?.startsWith('CREATE TRIGGER audit')).toBe(true);
    expect(result[0]?.endsWith('UPDATE stats SET n = n + 1;\nEND;')).toBe(true);
    expect(result[1]).toBe('INSERT INTO accounts VALUES (1);');
  });

  it('recognises TEMP / TEMPORARY / IF NOT EXISTS triggers, in any case', () => {
    for (const head of ['create temp trigger', 'Create Temporary Trigger', 'CREATE TRIGGER IF NOT EXISTS']) {
      const source = `${head} t AFTER INSERT ON a BEGIN DELETE FROM b; DELETE FROM c; end; SELECT 1;`;
      expect(statements(source, 'sqlite')).toEqual([
        `${head} t AFTER INSERT ON a BEGIN DELETE FROM b; DELETE FROM c; end;`,
        'SELECT 1;',
      ]);
    }
  });

  it('ignores CASE ... END in the trigger header and BEGIN/END/CASE in strings, comments and identifiers', () => {
    const source = [
      'CREATE TRIGGER t BEFORE INSERT ON a WHEN CASE WHEN new.x THEN 1 END',
      "BEGIN SELECT 'end;'; -- end;",
      '  SELECT "end", [case], :end; /* END; */',
      'END;',
      'SELECT 2;',
    ].join('\n');
    const result = statements(source, 'sqlite');
    expect(result).toHaveLength(2);
    expect(result[1]).toBe('SELECT 2;');
  });

  it('keeps an unterminated trigger body in the last piece', () => {
    expect(statements('CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2;', 'sqlite')).toEqual([
      'CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2;',
    ]);
  });

  it('keeps a postgres BEGIN ATOMIC ... END body, with CASE ... END inside, as one statement', () => {
    const source = [
      'CREATE OR REPLACE FUNCTION sign_of(x int) RETURNS text',
      'LANGUAGE sql',
      'BEGIN ATOMIC',
      "  SELECT CASE WHEN x < 0 THEN 'neg;' ELSE 'pos' END;",
      '  SELECT 1;',
      'END;',
      'CREATE PROCEDURE p() BEGIN /* x */ atomic INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END;',
      'SELECT 3;',
    ].join('\n');
    const result = statements(source, 'postgres');
    expect(result).toHaveLength(3);
    expect(result[0]?.endsWith('SELECT 1;\nEND;')).toBe(true);
    expect(result[1]?.startsWith('CREATE PROCEDURE p()')).toBe(true);
    expect(result[2]).toBe('SELECT 3;');
  });

  it('lets keywords outside bodies never affect splitting', () => {
    expect(statements('BEGIN; CREATE TABLE t (x int); END; BEGIN; CASE; COMMIT;', 'postgres')).toEqual([
      'BEGIN;',
      'CREATE TABLE t (x int);',
      'END;',
      'BEGIN;',
      'CASE;',
      'COMMIT;',
    ]);
    expect(statements('BEGIN; SELECT 1; END; BEGIN TRANSACTION; COMMIT;', 'sqlite')).toEqual([
      'BEGIN;',
      'SELECT 1;',
      'END;',
      'BEGIN TRANSACTION;',
      'COMMIT;',
    ]);
    // BEGIN ATOMIC outside a CREATE statement, and a plain CREATE TRIGGER in postgres, are not bodies.
    expect(statements('BEGIN ATOMIC; SELECT 1;', 'postgres')).toEqual(['BEGIN ATOMIC;', 'SELECT 1;']);
    expect(statements('CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f(); SELECT 1;', 'postgres')).toEqual([
      'CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f();',
      'SELECT 1;',
    ]);
    // A sqlite CREATE TABLE whose column is named begin is not a trigger.
    expect(statements('CREATE TABLE t (begin int); SELECT 1;', 'sqlite')).toEqual(['CREATE TABLE t (begin int);', 'SELECT 1;']);
  });

  it('does not mistake a sqlite :end parameter or a postgres BEGIN in a dollar body for keywords', () => {
    expect(statements('CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT :end, $end, @end; END; SELECT 2;', 'sqlite')).toEqual([
      'CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT :end, $end, @end; END;',
      'SELECT 2;',
    ]);
    expect(
      statements('CREATE FUNCTION f() RETURNS void AS $$ BEGIN ATOMIC; END; $$ LANGUAGE sql; SELECT 2;', 'postgres'),
    ).toEqual(['CREATE FUNCTION f() RETURNS void AS $$ BEGIN ATOMIC; END; $$ LANGUAGE sql;', 'SELECT 2;']);
  });
});

describe('splitStatements: parentheses', () => {
  it('keeps a postgres CREATE RULE ... DO ALSO (stmt; stmt) whole', () => {
    const rule = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));';
    expect(statements(`${rule}\nINSERT INTO t VALUES (1);`, 'postgres')).toEqual([rule, 'INSERT INTO t VALUES (1);']);
    const nested = 'CREATE RULE r AS ON UPDATE TO t DO INSTEAD (UPDATE a SET x = (SELECT max(x) FROM b); NOTIFY t;);';
    expect(statements(`${nested} SELECT 2;`, 'postgres')).toEqual([nested, 'SELECT 2;']);
  });

  it('does not split on a ; at any depth, and splits again once the depth is back to zero', () => {
    for (const dialect of dialects) {
      expect(statements('SELECT ((1; 2); 3); SELECT (4);', dialect)).toEqual(['SELECT ((1; 2); 3);', 'SELECT (4);']);
    }
  });

  it('ignores parentheses in strings, quoted identifiers, comments and dollar quotes', () => {
    expect(statements(`SELECT '(', "(", $$($$ /* ( */; -- (\nSELECT ')';`, 'postgres')).toEqual([
      `SELECT '(', "(", $$($$ /* ( */;`,
      `-- (\nSELECT ')';`,
    ]);
    expect(statements('SELECT [(], `(` /* ( */; SELECT 2;', 'sqlite')).toEqual(['SELECT [(], `(` /* ( */;', 'SELECT 2;']);
  });

  it('never lets an unbalanced ) make the depth negative', () => {
    for (const dialect of dialects) {
      expect(statements('SELECT 1)); SELECT (2; 3); SELECT 4;', dialect)).toEqual(['SELECT 1));', 'SELECT (2; 3);', 'SELECT 4;']);
    }
  });

  it('gives the rest of the input to the last piece when a ( is unclosed', () => {
    for (const dialect of dialects) {
      const source = 'SELECT 1; INSERT INTO t VALUES (1; SELECT 3; SELECT 4;';
      expect(splitStatements(source, DIALECTS[dialect].lexer).map((p) => p.text)).toEqual([
        'SELECT 1;',
        ' INSERT INTO t VALUES (1; SELECT 3; SELECT 4;',
      ]);
    }
  });
});

describe('splitStatements: unicode', () => {
  it('keeps UTF-16 offsets with emoji and non-Latin identifiers', () => {
    const source = "INSERT INTO café VALUES ('😀;🎉');\nSELECT 名前 FROM 表;";
    const pieces = splitStatements(source, DIALECTS.postgres.lexer);
    expect(pieces.map((p) => p.text)).toEqual(["INSERT INTO café VALUES ('😀;🎉');", '\nSELECT 名前 FROM 表;']);
    expect(pieces[1]?.start).toBe(source.indexOf('\nSELECT'));
    expect(pieces[1]?.tokenStart).toBe(source.indexOf('SELECT'));
    expectTiling(source, pieces);
  });

  it('treats non-ASCII letters as identifier characters next to $', () => {
    // `é$$` is one identifier, so no dollar quote opens.
    expect(statements('SELECT é$$; SELECT 2;', 'postgres')).toEqual(['SELECT é$$;', 'SELECT 2;']);
    // A non-ASCII tag is allowed.
    expect(statements('SELECT $ü$ ; $ü$; SELECT 2;', 'postgres')).toEqual(['SELECT $ü$ ; $ü$;', 'SELECT 2;']);
  });
});

describe('splitStatements: scale', () => {
  it('splits a ~5 MB script into the expected number of pieces', () => {
    const statement = "INSERT INTO t (a, b) VALUES ('x;y', $$z;$$); -- c;\n";
    const count = Math.ceil(5_000_000 / statement.length);
    const source = statement.repeat(count);
    const pieces = splitStatements(source, DIALECTS.postgres.lexer);
    // Each statement's trailing comment and newline open the next piece; the last is a leftover.
    expect(pieces).toHaveLength(count + 1);
    expect(pieces.filter((p) => !p.empty)).toHaveLength(count);
    expect(pieces.at(-1)?.end).toBe(source.length);
  });

  it('copes with a ~5 MB unterminated string or comment', () => {
    const body = 'x; '.repeat(1_700_000);
    expect(splitStatements(`SELECT '${body}`, DIALECTS.sqlite.lexer)).toHaveLength(1);
    expect(splitStatements(`SELECT 1; /* ${body}`, DIALECTS.postgres.lexer)).toHaveLength(2);
    expect(splitStatements(`SELECT $a$ ${body}`, DIALECTS.postgres.lexer)).toHaveLength(1);
  });

  it('copes with a ~5 MB script of parenthesised statements, and a ~5 MB unclosed (', () => {
    const statement = 'INSERT INTO t (a, b) VALUES ((1), (2));\n';
    const count = Math.ceil(5_000_000 / statement.length);
    const started = performance.now();
    const pieces = splitStatements(statement.repeat(count), DIALECTS.postgres.lexer);
    expect(pieces.filter((p) => !p.empty)).toHaveLength(count);
    expect(splitStatements(`SELECT 1; SELECT (${'x; '.repeat(1_700_000)}`, DIALECTS.sqlite.lexer)).toHaveLength(2);
    // Linear: a quadratic pass over 5 MB would take minutes, not seconds.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

const fragments = [
  "'",
  "''",
  '(',
  ')',
  '"',
  '$$',
  '$tag$',
  '$1',
  '$',
  '--',
  '/*',
  '*/',
  ';',
  "E'",
  "e'",
  "U&'",
  '\\',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '[',
  ']',
  '`',
  'BEGIN',
  'begin atomic',
  'END',
  'CASE',
  'CREATE TRIGGER t ',
  'CREATE FUNCTION f() ',
  'SELECT 1',
  'a$b',
  'é',
  '😀',
  '\uFEFF',
  '\uD800',
];

const sqlish = fc
  .array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 4 })), { maxLength: 40 })
  .map((parts) => parts.join(''));

describe('splitStatements: properties', () => {
  // MySQL's lexer (backslash escapes, `#` comments, DELIMITER lines) must tile its input as well.
  for (const dialect of [...dialects, 'mysql'] as const) {
    it(`re-joins to the input and tiles it, for arbitrary strings (${dialect})`, () => {
      const anyCodeUnit = fc.nat(0xffff).map((c) => String.fromCharCode(c));
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: anyCodeUnit, maxLength: 200 })),
          (source) => {
            expectTiling(source, splitStatements(source, DIALECTS[dialect].lexer));
          },
        ),
        { numRuns: 500 },
      );
    });

    it(`re-joins to the input and tiles it, for SQL-like fragments (${dialect})`, () => {
      fc.assert(
        fc.property(sqlish, (source) => {
          const pieces = splitStatements(source, DIALECTS[dialect].lexer);
          expectTiling(source, pieces);
          for (const [k, p] of pieces.entries()) {
            // Every piece but the last ends with its ;.
            if (k < pieces.length - 1) expect(p.text.endsWith(';')).toBe(true);
            if (p.empty) expect(p.tokenStart).toBe(p.start);
            else expect(source[p.tokenStart]).toMatch(/^[^ \t\n\v\f\r;]/);
          }
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('splits independent statements the same way however they are joined', () => {
    const simple = fc.constantFrom(
      'SELECT 1',
      "SELECT 'a;b'",
      'SELECT $$;$$',
      "SELECT E'\\';'",
      'SELECT "x;"',
      'SELECT 2 /* ; */',
    );
    fc.assert(
      fc.property(fc.array(simple, { minLength: 1, maxLength: 10 }), (list) => {
        const source = list.map((s) => `${s};\n`).join('');
        expect(statements(source, 'postgres')).toEqual(list.map((s) => `${s};`));
      }),
    );
  });
});
