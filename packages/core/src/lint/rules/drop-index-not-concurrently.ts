import { rule } from '../rule.js';

export const dropIndexNotConcurrently = rule({
  id: 'drop-index-not-concurrently',
  severity: 'warning',
  summary: 'DROP INDEX without CONCURRENTLY (of an index not created in this batch)',
  kinds: ['drop-index'],
  check(fact, context) {
    if (fact.concurrent || fact.indexes.every((index) => context.isNewIndex(index))) return undefined;
    const names = fact.indexes.join(', ');
    return {
      message: `DROP INDEX ${names} takes an ACCESS EXCLUSIVE lock on its table: it queues behind every running query on the table, and every query queues behind it`,
      fix: `DROP INDEX CONCURRENTLY ${names}, in a migration of its own that starts with -- no-transaction`,
    };
  },
});
