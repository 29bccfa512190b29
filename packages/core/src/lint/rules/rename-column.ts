import { rule } from '../rule.js';

export const renameColumn = rule({
  id: 'rename-column',
  severity: 'warning',
  summary: 'RENAME of a column (breaks the release still running during a rolling deploy)',
  kinds: ['rename-column'],
  check(fact, context) {
    if (context.isNewTable(fact.table)) return undefined;
    return {
      message: `renaming ${fact.table}.${fact.column} to ${fact.to} breaks every query of the release still serving during the deploy, which reads and writes ${fact.column}`,
      fix: `add ${fact.to}, write both columns from the application, backfill, switch reads, and drop ${fact.column} in a later release`,
    };
  },
});
