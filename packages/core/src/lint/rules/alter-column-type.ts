import { rule } from '../rule.js';

export const alterColumnType = rule({
  id: 'alter-column-type',
  severity: 'error',
  summary: 'ALTER COLUMN ... TYPE on an existing table (rewrites it unless the change is binary-coercible)',
  kinds: ['alter-column-type'],
  check(fact, context) {
    if (context.isNewTable(fact.table)) return undefined;
    return {
      message: `ALTER COLUMN ${fact.column} TYPE ${fact.type} rewrites ${fact.table} and rebuilds its indexes under an ACCESS EXCLUSIVE lock (only binary-coercible changes such as varchar(n) to text or a wider varchar skip it): reads and writes of ${fact.table} wait throughout`,
      fix: `add a new column of type ${fact.type}, write both from the application, backfill in batches, then switch reads and drop the old column in a later release; if this change is binary-coercible, silence the rule with -- strata-lint-ignore alter-column-type <why>`,
    };
  },
});
