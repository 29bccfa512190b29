import { hostname } from 'node:os';

/** PostgreSQL keeps the first NAMEDATALEN - 1 bytes of application_name. */
const MAX_BYTES = 63;

/**
 * What strata's own sessions are called in pg_stat_activity: `strata <host>:<pid>`, the Node
 * process, so a person reading "waiting for the migration lock, held by ..." can tell which replica
 * holds it (the backend pid alone names a server process, not a machine).
 */
export function strataApplicationName(): string {
  const name = `strata ${hostname()}:${process.pid}`;
  const bytes = Buffer.from(name);
  return bytes.length <= MAX_BYTES
    ? name
    : bytes
        .subarray(0, MAX_BYTES)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
}
