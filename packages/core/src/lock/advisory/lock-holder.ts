import type { PgQueryable } from '../../dialects/postgres/pg-handles.js';
import type { LockHolder } from '../run-lock.js';

/**
 * Names the session holding the advisory lock. A bigint key is stored in pg_locks as
 * classid (high 32 bits) + objid (low 32 bits) with objsubid 1.
 */
export async function findLockHolder(connection: PgQueryable, key: bigint): Promise<LockHolder | undefined> {
  const unsigned = BigInt.asUintN(64, key);
  const high = String(unsigned >> 32n);
  const low = String(unsigned & 0xffffffffn);
  const { rows } = await connection.query(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr,
            coalesce(a.xact_start, a.state_change, a.backend_start) AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid::text = $1 AND l.objid::text = $2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      LIMIT 1`,
    [high, low],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    pid: Number(row.pid),
    applicationName: (row.application_name as string | null) ?? '',
    ...(row.client_addr ? { clientAddress: String(row.client_addr) } : {}),
    ...(row.since instanceof Date ? { since: row.since } : {}),
  };
}
