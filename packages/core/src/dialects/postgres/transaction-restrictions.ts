import type { StatementReader } from '../../sql/statement-reader.js';

/** Names are PostgreSQL's own, as in "CREATE INDEX CONCURRENTLY cannot run inside a transaction block". */
export function postgresRestriction(r: StatementReader): string | undefined {
  if (r.accept('VACUUM')) return 'VACUUM';
  if (r.accept('CREATE')) {
    if (r.acceptAll('INDEX', 'CONCURRENTLY') || r.acceptAll('UNIQUE', 'INDEX', 'CONCURRENTLY')) {
      return 'CREATE INDEX CONCURRENTLY';
    }
    if (r.accept('DATABASE')) return 'CREATE DATABASE';
    if (r.accept('TABLESPACE')) return 'CREATE TABLESPACE';
    return undefined;
  }
  if (r.accept('DROP')) {
    if (r.acceptAll('INDEX', 'CONCURRENTLY')) return 'DROP INDEX CONCURRENTLY';
    if (r.accept('DATABASE')) return 'DROP DATABASE';
    if (r.accept('TABLESPACE')) return 'DROP TABLESPACE';
    return undefined;
  }
  if (r.accept('ALTER')) {
    if (r.accept('SYSTEM')) return 'ALTER SYSTEM';
    if (r.accept('DATABASE')) {
      r.skipName();
      return r.acceptAll('SET', 'TABLESPACE') ? 'ALTER DATABASE SET TABLESPACE' : undefined;
    }
    if (r.accept('TABLE')) return alterTableDetachConcurrently(r);
    return undefined;
  }
  if (r.accept('REINDEX')) {
    r.skipParenthesised();
    for (const kind of ['SCHEMA', 'SYSTEM', 'DATABASE']) {
      if (r.accept(kind)) return r.accept('CONCURRENTLY') ? 'REINDEX CONCURRENTLY' : `REINDEX ${kind}`;
    }
    if (r.accept('INDEX') || r.accept('TABLE')) return r.accept('CONCURRENTLY') ? 'REINDEX CONCURRENTLY' : undefined;
    return undefined;
  }
  if (r.acceptAll('DISCARD', 'ALL')) return 'DISCARD ALL';
  if (r.accept('CLUSTER')) {
    // Only the form without a table (re-cluster everything) is refused.
    if (!r.accept('VERBOSE')) r.skipParenthesised();
    return r.done() ? 'CLUSTER' : undefined;
  }
  return undefined;
}

/** `ALTER TABLE [IF EXISTS] [ONLY] name DETACH PARTITION partition CONCURRENTLY`. */
function alterTableDetachConcurrently(r: StatementReader): string | undefined {
  r.acceptAll('IF', 'EXISTS');
  r.accept('ONLY');
  r.skipName();
  if (!r.acceptAll('DETACH', 'PARTITION')) return undefined;
  r.skipName();
  return r.accept('CONCURRENTLY') ? 'ALTER TABLE ... DETACH CONCURRENTLY' : undefined;
}
