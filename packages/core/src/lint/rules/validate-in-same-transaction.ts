import { rule } from '../rule.js';

export const validateInSameTransaction = rule({
  id: 'validate-in-same-transaction',
  severity: 'warning',
  summary: 'VALIDATE CONSTRAINT in the same transaction as its NOT VALID add',
  kinds: ['validate-constraint'],
  check(fact, context) {
    if (!context.transactional || !context.addedNotValidHere(fact.name) || context.isNewTable(fact.table)) return undefined;
    return {
      message: `VALIDATE CONSTRAINT ${fact.name} runs in the transaction that added it NOT VALID, which still holds the ADD's lock on ${fact.table}: the scan happens under it, as if NOT VALID had not been written`,
      fix: `move VALIDATE CONSTRAINT ${fact.name} to a later migration (or give this one -- no-transaction, so each statement commits on its own)`,
    };
  },
});
