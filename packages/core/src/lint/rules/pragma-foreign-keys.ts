import { rule } from '../rule.js';

export const pragmaForeignKeys = rule({
  id: 'pragma-foreign-keys-in-transaction',
  severity: 'warning',
  summary: 'PRAGMA foreign_keys in a transactional SQLite file',
  kinds: ['pragma-foreign-keys'],
  check(_fact, context) {
    if (!context.transactional) return undefined;
    return {
      message:
        'SQLite ignores PRAGMA foreign_keys inside a transaction: strata applies the first one before BEGIN (not where it is written), runs PRAGMA foreign_key_check before COMMIT and restores the previous value after; a run with --single-transaction refuses this migration',
      fix: 'keep it as the first statement so the file reads as it runs, or start the file with -- no-transaction to run each statement where it stands',
    };
  },
});
