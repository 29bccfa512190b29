import { detectDrift } from '../../schema/drift.js';
import type { SchemaDifference } from '../../schema/schema-diff.js';
import type { CommandContext } from '../context.js';
import { migrationsSource } from './migrations-source.js';
import { openShadowUrl, shadowOption } from './shadow-handle.js';

export interface DriftProblem {
  code: 'SCHEMA_DRIFT';
  message: string;
}

/** `validate --drift`: the live schema against a shadow migrated as far as the live history goes. */
export async function driftProblems(context: CommandContext): Promise<DriftProblem[]> {
  const db = await context.database();
  const shadow = await openShadowUrl(context);
  try {
    const report = await detectDrift(db.handle, {
      migrations: await migrationsSource(context),
      table: context.config.table,
      schema: context.config.schema,
      ...shadowOption(shadow),
    });
    const through = report.appliedThrough === null ? 'no migrations' : `migrations up to ${report.appliedThrough}`;
    return report.differences.map((difference) => ({ code: 'SCHEMA_DRIFT', message: describe(difference, through) }));
  } finally {
    await shadow?.close();
  }
}

const CHANGES = {
  missing: 'is missing from the database',
  extra: 'is in the database but no migration makes it',
  changed: 'differs from what the migrations make',
} as const;

function describe(difference: SchemaDifference, through: string): string {
  const head = `schema drift: ${difference.kind} ${difference.name} ${CHANGES[difference.change]} (${through})`;
  return difference.details.length === 0 ? head : `${head}: ${difference.details.join('; ')}`;
}
