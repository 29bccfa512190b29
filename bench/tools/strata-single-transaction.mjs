import { Migrator } from '@strata/core';
import strata from './strata.mjs';

/**
 * strata with `singleTransaction: true`: the whole pending batch and its history rows in ONE
 * transaction, which is what knex does by default. Measured in the apply workload only: the
 * no-op boot takes no transaction at all, and contention is about the lock, which is the same.
 */
export default {
  ...strata,
  name: 'strata-single-transaction',
  label: 'strata (singleTransaction)',
  config:
    'as strata, with singleTransaction: true: every pending migration and its history row in one transaction, committed once (all or nothing)',
  variantOf: 'strata',
  workloads: ['apply'],

  async migrate(ctx, { dir }) {
    const report = await new Migrator({ db: ctx.db, migrations: dir, singleTransaction: true }).run();
    return { applied: report.applied.length, lockTaken: report.lockTaken, lockWaitMs: report.lockWaitMs };
  },

  cli: undefined,
};
