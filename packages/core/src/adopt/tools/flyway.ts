import { digitsVersion, type ForeignTool, truthy } from './tool.js';

/** Row types after which a version no longer counts as applied (Flyway's repair and undo). */
const CANCELLING = new Set(['DELETE', 'UNDO_SQL', 'UNDO_JDBC', 'UNDO_SCRIPT']);

/**
 * Flyway (flyway-core, database/<db>/createMetaDataTable.sql): `flyway_schema_history
 * (installed_rank, version, description, type, script, checksum, installed_by, installed_on,
 * execution_time, success)`. `version` is the file's (`V3__add_index.sql` → 3); strata versions
 * are integers, so a dotted one (`1.1`) is reported unmatched. A `BASELINE` row stands for every
 * older migration; repeatable (`R__`) rows have no version and the schema-creation row is
 * bookkeeping: both are ignored. `success = false`: a failed migration.
 */
export const flyway: ForeignTool = {
  name: 'flyway',
  table: 'flyway_schema_history',
  dialects: ['postgres', 'sqlite'],
  columns: ['installed_rank', 'version', 'description', 'type', 'script', 'success'],
  matchBy: 'version',
  rule: 'version: V<version>__name.sql’s integer version; a BASELINE row also covers every older migration; repeatable (R__) and schema-creation rows are ignored',
  resolveHint: 'repair the schema by hand, then run `flyway repair` (it removes failed rows)',
  async read(on, at) {
    const { rows } = await on.query(
      `SELECT installed_rank, version, type, script, success FROM ${at.qualified} ORDER BY installed_rank`,
    );
    const entries = rows.map((row) => {
      const type = String(row.type);
      const raw = row.version === null || row.version === undefined ? undefined : String(row.version);
      const version = digitsVersion(raw);
      const key = raw === undefined ? String(row.script) : `${raw} ${String(row.script)}`;
      const common = { key, ...(version === undefined ? {} : { version }) };
      if (type === 'SCHEMA') return { ...common, state: 'ignored' as const, detail: 'schema creation marker' };
      if (CANCELLING.has(type)) return { ...common, state: 'ignored' as const, detail: `${type} row` };
      if (raw === undefined) return { ...common, state: 'ignored' as const, detail: 'repeatable migration: strata has none' };
      if (!truthy(row.success)) return { ...common, state: 'failed' as const, detail: 'success = false' };
      return {
        ...common,
        state: 'applied' as const,
        ...(type === 'BASELINE' ? { coversOlder: true } : {}),
        ...(version === undefined ? { detail: `version ${raw} is not an integer; rename the file with one` } : {}),
      };
    });
    // A version deleted or undone after it ran is no longer applied.
    for (const [index, row] of rows.entries()) {
      if (!CANCELLING.has(String(row.type))) continue;
      for (const earlier of entries.slice(0, index)) {
        if (earlier.state === 'applied' && earlier.version === digitsVersion(String(row.version))) {
          Object.assign(earlier, { state: 'ignored', detail: `${String(row.type)} later` });
        }
      }
    }
    return entries;
  },
};
