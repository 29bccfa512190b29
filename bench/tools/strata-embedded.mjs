import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Migrator } from '@strata/core';
import strata from './strata.mjs';

/**
 * strata's production path: the migrations baked into the build by `strata embed` (version, SQL
 * and precomputed checksum per migration), so a boot reads no migration files. The module is
 * generated once per directory (the build step, not timed) and imported like application code.
 */
const modules = new Map();

async function embedded(dir) {
  if (!modules.has(dir)) {
    const out = `${dir}.embedded.mjs`;
    if (!existsSync(out)) {
      const bin = strata.cli({ dialect: 'postgres', url: 'postgres://unused', dir }).args[0];
      const result = spawnSync(process.execPath, [bin, 'embed', '--source', dir, '--out', out], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`strata embed failed: ${result.stderr || result.stdout}`);
    }
    modules.set(
      dir,
      import(pathToFileURL(out).href).then((module) => module.default),
    );
  }
  return modules.get(dir);
}

export default {
  ...strata,
  name: 'strata-embedded',
  config:
    'as strata, with migrations: the module `strata embed` generates (SQL and checksums in the build; no file reads at boot)',
  // A variant of strata, measured where it differs: the no-op boot (apply and contention are strata's own).
  variantOf: 'strata',
  workloads: ['growth'],

  async migrate(ctx, { dir }) {
    const report = await new Migrator({ db: ctx.db, migrations: await embedded(dir) }).run();
    return { applied: report.applied.length, lockTaken: report.lockTaken, lockWaitMs: report.lockWaitMs };
  },

  cli: undefined,
};
