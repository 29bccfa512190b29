import { rule } from '../rule.js';

export const addColumnPerRowDefault = rule({
  id: 'add-column-volatile-default',
  severity: 'error',
  summary:
    'ADD COLUMN whose default is computed per row (random(), gen_random_uuid(), clock_timestamp(), serial, identity; SQLite: CURRENT_TIMESTAMP) on an existing table',
  kinds: ['add-column'],
  check(fact, context) {
    if (fact.perRow === undefined || context.isNewTable(fact.table)) return undefined;
    if (context.database === 'sqlite') {
      return {
        message: `SQLite refuses ADD COLUMN ${fact.column} with ${fact.perRow} once ${fact.table} holds a row (Cannot add a column with non-constant default): the migration fails in production though it passed on an empty database`,
        fix: `add ${fact.column} with a constant default (or none) and fill it with an UPDATE, or rebuild ${fact.table} (create the new table, copy, drop, rename)`,
      };
    }
    return {
      message: `ADD COLUMN ${fact.column} with ${fact.perRow} rewrites every row of ${fact.table} under an ACCESS EXCLUSIVE lock: reads and writes of ${fact.table} wait for the whole rewrite (a constant or now() default is stored once, without a rewrite)`,
      fix: `add the column without the default (or with a constant one), set the default with ALTER COLUMN ${fact.column} SET DEFAULT ..., and backfill existing rows in batches`,
    };
  },
});
