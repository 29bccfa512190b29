import { type ForeignEntry, type ForeignTool, leadingVersion, truthy } from './tool.js';

/**
 * knex (lib/migrations/migrate/table-creator.js): `knex_migrations (id increments, name
 * varchar(255), batch integer, migration_time timestamp)` and `knex_migrations_lock (index,
 * is_locked)`. `name` is the migration's file name, `20260601000001_create_users.js` by knex's
 * default: its leading digits are the version. A lock row left taken means a run died part-way.
 */
export const knex: ForeignTool = {
  name: 'knex',
  table: 'knex_migrations',
  dialects: ['postgres', 'sqlite', 'mysql'],
  columns: ['id', 'name', 'batch', 'migration_time'],
  matchBy: 'version',
  rule: 'name: the file name knex recorded (20260601000001_create_users.js); its leading digits are the version of the SQL file that re-expresses it',
  resolveHint:
    'check the schema, then release it with `npx knex migrate:unlock` (knex runs a batch in one transaction, so an unfinished one left nothing behind on PostgreSQL)',
  async read(on, at) {
    const { rows } = await on.query(`SELECT name FROM ${at.qualified} ORDER BY id`);
    const entries: ForeignEntry[] = rows.map((row) => {
      const name = String(row.name);
      const version = leadingVersion(name);
      return {
        key: name,
        state: 'applied' as const,
        ...(version === undefined ? { detail: 'the name does not start with a version' } : { version }),
      };
    });
    const lock = await at.ifPresent(() => on.query(`SELECT is_locked FROM ${at.sibling(`${at.table}_lock`)}`));
    if (lock?.rows.some((row) => truthy(row.is_locked))) {
      entries.push({ key: `${at.table}_lock`, state: 'failed', detail: 'is_locked = 1: a knex run is under way or died' });
    }
    return entries;
  },
};
