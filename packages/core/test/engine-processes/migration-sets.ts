/** Migration directories the multi-process tests write, for both dialects. */

export type Dialect = 'postgres' | 'sqlite';

export const CONCURRENT_COUNT = 20;
/** The one `-- no-transaction` migration among them. */
export const NO_TRANSACTION_VERSION = 10;
export const BULK_ROWS = 20_000;
/** How long the no-transaction migration takes by default (see slowStatement). */
export const NO_TRANSACTION_PAUSE_MS = 500;

const pad = (n: number) => String(n).padStart(4, '0');
const table = (n: number) => `t${String(n).padStart(2, '0')}`;

/** `INSERT INTO <target> (id, note)` of `rows` generated rows. */
function bulkInsert(dialect: Dialect, target: string, rows: number): string {
  return dialect === 'postgres'
    ? `INSERT INTO ${target} (id, note) SELECT g, 'row ' || g FROM generate_series(1, ${rows}) AS g;`
    : `INSERT INTO ${target} (id, note)\n  WITH RECURSIVE c(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM c WHERE g < ${rows})\n  SELECT g, 'row ' || g FROM c;`;
}

/**
 * A statement that takes `ms`, standing in for an index build on a big table: it holds the
 * no-transaction step open long enough for the other processes to reach it.
 * SQLite's strata_test_pause(ms) is a function the fixture registers.
 */
function slowStatement(dialect: Dialect, ms: number): string {
  return dialect === 'postgres' ? `SELECT pg_sleep(${ms / 1000});` : `SELECT strata_test_pause(${ms});`;
}

/**
 * 20 migrations. Every one records itself in `applications` (no primary key), so a migration that
 * ran twice shows up as two rows even where the history would hide it. Migration 5 loads rows and
 * migration 10 indexes them outside a transaction (CONCURRENTLY on PostgreSQL) and then takes
 * its time, so the other processes arrive while it runs. `allTransactional` makes migration 10 an
 * ordinary transactional one (a plain CREATE INDEX), for singleTransaction runs.
 */
export function concurrentMigrations(
  dialect: Dialect,
  noTransactionPauseMs = NO_TRANSACTION_PAUSE_MS,
  options: { allTransactional?: boolean } = {},
): Record<string, string> {
  const files: Record<string, string> = {
    [`migrations/${pad(1)}_create_applications.sql`]:
      'CREATE TABLE applications (version INTEGER NOT NULL);\nINSERT INTO applications (version) VALUES (1);\n',
  };
  for (let n = 2; n <= CONCURRENT_COUNT; n++) {
    const create = `CREATE TABLE ${table(n)} (id INTEGER PRIMARY KEY, note TEXT NOT NULL);\n`;
    const record = `INSERT INTO applications (version) VALUES (${n});\n`;
    if (n === NO_TRANSACTION_VERSION && options.allTransactional) {
      // The same index and pause inside a transaction, for runs that put every step in one.
      files[`migrations/${pad(n)}_index_t05.sql`] =
        `CREATE INDEX idx_t05_note ON t05 (note);\n${slowStatement(dialect, noTransactionPauseMs)}\n${create}${record}`;
    } else if (n === NO_TRANSACTION_VERSION) {
      const concurrently = dialect === 'postgres' ? 'CONCURRENTLY ' : '';
      files[`migrations/${pad(n)}_index_t05_outside_a_transaction.sql`] =
        `-- no-transaction\nCREATE INDEX ${concurrently}idx_t05_note ON t05 (note);\n${slowStatement(dialect, noTransactionPauseMs)}\n${create}${record}`;
    } else if (n === 5) {
      files[`migrations/${pad(n)}_load_${table(n)}.sql`] = `${create}${bulkInsert(dialect, table(n), BULK_ROWS)}\n${record}`;
    } else {
      files[`migrations/${pad(n)}_create_${table(n)}.sql`] =
        `${create}INSERT INTO ${table(n)} (id, note) VALUES (1, 'x');\n${record}`;
    }
  }
  return files;
}

export const concurrentVersions = Array.from({ length: CONCURRENT_COUNT }, (_, i) => String(i + 1));
export const concurrentTables = Array.from({ length: CONCURRENT_COUNT - 1 }, (_, i) => table(i + 2));

export const KILLED_ROWS = 200_000;

/**
 * Three migrations; the second does real work inside its transaction and then stalls: on
 * PostgreSQL in pg_sleep(30) when the connection's application_name is `strata-doomed`, on SQLite in
 * strata_test_pause(60000), a function the fixture registers (the rerun tells it to block 0 ms). The
 * scripts are the same bytes on the rerun, so the checksum cannot explain a difference.
 */
export function killedMigrations(dialect: Dialect): Record<string, string> {
  const stall =
    dialect === 'postgres'
      ? "SELECT pg_sleep(CASE WHEN current_setting('application_name') = 'strata-doomed' THEN 30 ELSE 0 END);"
      : 'SELECT strata_test_pause(60000);';
  const rows =
    dialect === 'postgres'
      ? `INSERT INTO killed_work (n) SELECT g FROM generate_series(1, ${KILLED_ROWS}) AS g;`
      : `INSERT INTO killed_work (n)\n  WITH RECURSIVE c(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM c WHERE g < ${KILLED_ROWS})\n  SELECT g FROM c;`;
  return {
    'migrations/0001_before_the_kill.sql': 'CREATE TABLE before_kill (id INTEGER PRIMARY KEY);\n',
    'migrations/0002_killed_mid_way.sql': `CREATE TABLE killed_work (n INTEGER NOT NULL);\n${rows}\n${stall}\n`,
    'migrations/0003_after_the_kill.sql': 'CREATE TABLE after_kill (id INTEGER PRIMARY KEY);\n',
  };
}
