import { rule } from '../rule.js';

export const dropTable = rule({
  id: 'drop-table',
  severity: 'warning',
  summary: 'DROP TABLE of an existing table (breaks the release still running during a rolling deploy)',
  kinds: ['drop-table'],
  check(fact, context) {
    const existing = fact.tables.filter((table) => !context.isNewTable(table));
    if (existing.length === 0) return undefined;
    return {
      message: `dropping ${existing.join(', ')} breaks the release still serving during the deploy if it uses ${existing.length === 1 ? 'it' : 'them'}, and the data is gone for good`,
      fix: `stop using ${existing.join(', ')} in one release and drop ${existing.length === 1 ? 'it' : 'them'} in the next; silence with -- strata-lint-ignore drop-table <why> once nothing reads ${existing.length === 1 ? 'it' : 'them'}`,
    };
  },
});
