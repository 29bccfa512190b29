import { rule } from '../rule.js';

export const syntaxError = rule({
  id: 'syntax-error',
  severity: 'error',
  summary: "a statement PostgreSQL's parser rejects",
  kinds: ['syntax-error'],
  check(fact) {
    return {
      message: `PostgreSQL cannot parse this statement: ${fact.message}; the migration would fail here`,
      fix: 'correct the statement (lint checks nothing else in it)',
    };
  },
});
