import { rule } from '../rule.js';

export const addConstraintWithoutNotValid = rule({
  id: 'add-constraint-without-not-valid',
  severity: 'error',
  summary: 'ADD CONSTRAINT ... FOREIGN KEY / CHECK without NOT VALID on an existing table',
  kinds: ['add-constraint'],
  check(fact, context) {
    if (fact.notValid || context.isNewTable(fact.table)) return undefined;
    const lock =
      fact.constraint === 'FOREIGN KEY'
        ? `a SHARE ROW EXCLUSIVE lock on ${fact.table} and on the table it references`
        : `an ACCESS EXCLUSIVE lock on ${fact.table}`;
    return {
      message: `ADD ${fact.constraint} checks every existing row of ${fact.table} while holding ${lock}: writes (for a CHECK, reads too) wait for the whole scan`,
      fix: `ADD CONSTRAINT ${fact.name ?? '...'} ... NOT VALID (instant; new rows are checked), then VALIDATE CONSTRAINT ${fact.name ?? '...'} in a later migration, which scans without blocking writes`,
    };
  },
});
