import { rule } from '../rule.js';

export const addColumnNotNullWithoutDefault = rule({
  id: 'add-column-not-null-without-default',
  severity: 'error',
  summary: 'ADD COLUMN ... NOT NULL without a DEFAULT on an existing table',
  kinds: ['add-column'],
  check(fact, context) {
    if (!fact.notNull || fact.hasDefault || fact.perRow !== undefined || context.isNewTable(fact.table)) return undefined;
    return {
      message: `ADD COLUMN ${fact.column} NOT NULL without a DEFAULT fails as soon as ${fact.table} holds a row (every existing row would be NULL), and the running release, which does not know the column, cannot insert into ${fact.table} any more`,
      fix: `ADD COLUMN ${fact.column} ... NOT NULL DEFAULT <constant> (stored once, no rewrite), or add it nullable, backfill, then SET NOT NULL behind a validated CHECK`,
    };
  },
});
