import type { ForeignTool } from './tool.js';

/**
 * Drizzle (drizzle-orm `migrate()`, pg-core and sqlite-core dialects): `__drizzle_migrations (id
 * SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`, in schema `drizzle` on PostgreSQL.
 * A row names no file: `hash` is the SHA-256 of the migration's .sql file as drizzle read it, and
 * `created_at` the journal's `when`. So an entry matches the strata migration whose script has
 * that hash: drizzle's own .sql files (0000_name.sql) read by strata as they are.
 */
export const drizzle: ForeignTool = {
  name: 'drizzle',
  table: '__drizzle_migrations',
  schema: { postgres: 'drizzle' },
  dialects: ['postgres', 'sqlite'],
  columns: ['id', 'hash', 'created_at'],
  matchBy: 'sha256',
  rule: 'hash: the SHA-256 of the .sql file drizzle applied; it matches the strata migration whose file has exactly those bytes (drizzle’s 0000_name.sql files, unchanged)',
  resolveHint: 'drizzle records only committed migrations',
  async read(on, at) {
    const { rows } = await on.query(`SELECT id, hash, created_at FROM ${at.qualified} ORDER BY id`);
    return rows.map((row) => ({
      key: `${String(row.hash).slice(0, 12)}… (created_at ${String(row.created_at)})`,
      state: 'applied' as const,
      sha256: String(row.hash),
    }));
  },
};
