import { rule } from '../rule.js';

export const missingLockTimeout = rule({
  id: 'missing-lock-timeout',
  severity: 'warning',
  summary: 'a transactional migration takes an ACCESS EXCLUSIVE lock with no lock_timeout set',
  kinds: ['access-exclusive'],
  check(fact, context) {
    if (!context.transactional || context.lockTimeoutSet || context.isNewTable(fact.table)) return undefined;
    return {
      message: `${fact.statement} needs an ACCESS EXCLUSIVE lock on ${fact.table} and waits for it behind any running query or open transaction on ${fact.table}; while it waits, every new query on ${fact.table} queues behind it and the application stalls`,
      fix: `SET LOCAL lock_timeout = '3s'; at the top of the migration, or run with strata's lock guard (lockGuard option, strata run --lock-guard SECONDS), which sets it for every step and retries on timeout`,
    };
  },
});
