import { rule } from '../rule.js';

export const createIndexNotConcurrently = rule({
  id: 'create-index-not-concurrently',
  severity: 'error',
  summary: 'CREATE INDEX without CONCURRENTLY on an existing table',
  kinds: ['create-index'],
  check(fact, context) {
    if (fact.concurrent || context.isNewTable(fact.table)) return undefined;
    return {
      message: `CREATE INDEX on ${fact.table} takes a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on ${fact.table} waits until the index is built (minutes on a large table)`,
      fix: `CREATE INDEX CONCURRENTLY ${fact.index ?? '...'} ON ${fact.table} (...), in a migration of its own that starts with -- no-transaction`,
    };
  },
});
