import { rule } from '../rule.js';

export const renameTable = rule({
  id: 'rename-table',
  severity: 'warning',
  summary: 'RENAME of a table (breaks the release still running during a rolling deploy)',
  kinds: ['rename-table'],
  check(fact, context) {
    if (context.isNewTable(fact.table)) return undefined;
    return {
      message: `renaming ${fact.table} to ${fact.to} breaks every query of the release still serving during the deploy, which knows it as ${fact.table}`,
      fix: `expand and contract: create ${fact.to} (or a view named ${fact.to}), move the application over, and drop ${fact.table} in a later release`,
    };
  },
});
