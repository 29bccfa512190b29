import { rule } from '../rule.js';

export const dropColumn = rule({
  id: 'drop-column',
  severity: 'warning',
  summary: 'DROP COLUMN of an existing table (breaks the release still running during a rolling deploy)',
  kinds: ['drop-column'],
  check(fact, context) {
    if (context.isNewTable(fact.table)) return undefined;
    return {
      message: `dropping ${fact.table}.${fact.column} breaks every query of the release still serving during the deploy that names it (and SELECT * mappers that expect it)`,
      fix: `stop reading and writing ${fact.column} in one release, drop it in the next; silence with -- strata-lint-ignore drop-column <why> once nothing uses it`,
    };
  },
});
