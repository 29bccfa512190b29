import { rule } from '../rule.js';

export const setNotNull = rule({
  id: 'set-not-null',
  severity: 'error',
  summary: 'ALTER COLUMN ... SET NOT NULL without a validated CHECK (column IS NOT NULL) first',
  kinds: ['set-not-null'],
  check(fact, context) {
    if (context.isNewTable(fact.table) || context.hasValidatedNotNull(fact.table, fact.column)) return undefined;
    return {
      message: `SET NOT NULL on ${fact.table}.${fact.column} scans the whole table under an ACCESS EXCLUSIVE lock: reads and writes of ${fact.table} wait for the scan`,
      fix: `first ADD CONSTRAINT ${fact.column}_not_null CHECK (${fact.column} IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT in a later migration (it takes a lock that lets writes through); PostgreSQL 12+ then sets NOT NULL without a scan, and the CHECK can be dropped`,
    };
  },
});
