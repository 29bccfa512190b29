import { rule } from '../rule.js';

export const transactionControl = rule({
  id: 'transaction-control',
  severity: 'error',
  summary: 'BEGIN, COMMIT, ROLLBACK or END in a transactional file',
  kinds: ['transaction-control'],
  check(fact, context) {
    if (!context.transactional) return undefined;
    return {
      message: `${fact.statement} would end the transaction strata runs this migration in, committing half of it or throwing it away under its history row: strata refuses it before anything runs (TRANSACTION_CONTROL_IN_MIGRATION)`,
      fix: `remove ${fact.statement} (strata opens and commits the transaction), or start the file with -- no-transaction to manage transactions yourself`,
    };
  },
});
