import type { StatementReader } from '../../sql/statement-reader.js';

/** What CREATE, ALTER and DROP name; the word after them, past modifiers such as DEFINER = x or OR REPLACE. */
const OBJECTS = [
  'TABLE',
  'INDEX',
  'VIEW',
  'PROCEDURE',
  'FUNCTION',
  'TRIGGER',
  'EVENT',
  'DATABASE',
  'SCHEMA',
  'USER',
  'ROLE',
  'SERVER',
  'TABLESPACE',
  'SEQUENCE',
  'LOGFILE',
];
/** Statements MySQL and MariaDB commit implicitly by their first words (dev.mysql.com/doc/refman/8.0/en/implicit-commit.html). */
const COMMITTING: readonly (readonly string[])[] = [
  ['RENAME', 'TABLE'],
  ['RENAME', 'USER'],
  ['TRUNCATE'],
  ['GRANT'],
  ['REVOKE'],
  ['SET', 'PASSWORD'],
  ['LOCK', 'TABLES'],
  ['LOCK', 'TABLE'],
  ['UNLOCK', 'TABLES'],
  ['ANALYZE', 'TABLE'],
  ['CHECK', 'TABLE'],
  ['OPTIMIZE', 'TABLE'],
  ['REPAIR', 'TABLE'],
  ['CACHE', 'INDEX'],
  ['LOAD', 'INDEX'],
  ['FLUSH'],
  ['RESET'],
  ['INSTALL'],
  ['UNINSTALL'],
];
/** Modifiers a CREATE / ALTER / DROP may carry before what it names; more than this many words is not a head. */
const MAX_HEAD_WORDS = 12;

/**
 * The name of a statement MySQL commits implicitly (its DDL: the transaction before it is
 * committed and the statement itself cannot be rolled back), or undefined. CREATE / DROP
 * TEMPORARY TABLE do not commit.
 */
export function mysqlImplicitCommit(r: StatementReader): string | undefined {
  for (const verb of ['CREATE', 'ALTER', 'DROP']) {
    if (!r.accept(verb)) continue;
    for (let words = 0; words < MAX_HEAD_WORDS && !r.done(); words++) {
      if (r.peek('TEMPORARY')) return undefined;
      const object = OBJECTS.find((name) => r.peek(name));
      if (object) return `${verb} ${object}`;
      r.advance();
    }
    return verb;
  }
  for (const words of COMMITTING) {
    if (r.acceptAll(...words)) return words.join(' ');
  }
  return undefined;
}
