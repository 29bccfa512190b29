import { rule } from '../rule.js';

export const refusedInTransaction = rule({
  id: 'refused-in-transaction',
  severity: 'error',
  summary:
    'a statement the database refuses inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, ...) in a transactional file',
  kinds: ['refused-in-transaction'],
  check(fact, context) {
    if (!context.transactional) return undefined;
    return {
      message: `${fact.statement} cannot run inside a transaction block, and this migration runs in one: strata refuses it before anything runs (STATEMENT_NOT_ALLOWED_IN_TRANSACTION)`,
      fix: `move ${fact.statement} into a migration of its own whose first line is -- no-transaction`,
    };
  },
});
