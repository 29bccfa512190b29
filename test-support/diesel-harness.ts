import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the harness needs of a connection: run a multi-statement script, and read one column. */
export interface HarnessConnection {
  batch(sql: string): Promise<void>;
  versions(sql: string): Promise<string[]>;
}

/**
 * A Diesel service's migration run, step for step as diesel_migrations does it
 * (src/migration_harness.rs: `applied_migrations`, `pending_migrations`, `run_migration`;
 * src/migration/setup_migration_table.sql; migrations_internals `version_from_string`): create the
 * table if missing, read the applied versions, take every directory whose version (its name up to
 * the first `_`, `-` removed) is not among them, sorted by version as text, and run each one's
 * up.sql with its version inserted — inside one transaction unless metadata.toml says
 * `run_in_transaction = false`. Diesel's CLI is a Rust binary that cannot be installed here; this is
 * its protocol against the same table, so the tests can alternate the two tools.
 */
export async function runDieselMigrations(dir: string, on: HarnessConnection): Promise<string[]> {
  await on.batch(`CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);`);
  const applied = new Set(await on.versions('SELECT version FROM __diesel_schema_migrations ORDER BY version DESC'));
  const entries = (await readdir(dir, { withFileTypes: true })).filter(
    (entry) => entry.isDirectory() && !entry.name.startsWith('.'),
  );
  const pending = entries
    .map((entry) => ({ name: entry.name, version: entry.name.split('_')[0]!.replace(/-/g, '') }))
    .filter((migration) => !applied.has(migration.version))
    .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  const ran: string[] = [];
  for (const migration of pending) {
    const up = await readFile(join(dir, migration.name, 'up.sql'), 'utf8');
    const metadata = await readFile(join(dir, migration.name, 'metadata.toml'), 'utf8').catch(() => '');
    const inTransaction = !/^\s*run_in_transaction\s*=\s*false/m.test(metadata);
    const insert = `INSERT INTO __diesel_schema_migrations (version) VALUES ('${migration.version}')`;
    if (inTransaction) await on.batch(`BEGIN;\n${up}\n;${insert};\nCOMMIT;`);
    else {
      await on.batch(up);
      await on.batch(insert);
    }
    ran.push(migration.version);
  }
  return ran;
}
