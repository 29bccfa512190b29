import type { DialectName } from '../../src/dialects/dialect.js';
import type { LintFinding } from '../../src/lint/finding.js';
import { type LintOptions, lintMigrations } from '../../src/lint/lint-migrations.js';
import { migrationsFromValues } from '../../src/source/value-source.js';

/** Scripts as migrations 1, 2, 3, ... (a `-- no-transaction` first line works as in a file). */
export function migrations(...scripts: string[]) {
  return migrationsFromValues(
    scripts.map((up, i) => ({ version: i + 1, description: `m${i + 1}`, up, upFile: `000${i + 1}_m${i + 1}.sql` })),
  );
}

/** The findings in the last script, after the ones before it were applied (none pending) unless told otherwise. */
export async function lintLast(
  database: DialectName,
  scripts: string[],
  options: Partial<LintOptions> = {},
): Promise<LintFinding[]> {
  const all = migrations(...scripts);
  const last = all.at(-1)!;
  const report = await lintMigrations(all, { database, only: (m) => m === last, ...options });
  return report.findings;
}

export function rulesOf(findings: readonly LintFinding[]): string[] {
  return findings.map((finding) => finding.rule);
}
