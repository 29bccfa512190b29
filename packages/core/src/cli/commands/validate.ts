import { toHex } from '../../checksum.js';
import type { Dialect } from '../../dialects/dialect.js';
import { DIALECTS } from '../../dialects/registry.js';
import { isStrataError, type StrataError } from '../../errors.js';
import { futureMigrationsError } from '../../future-migrations.js';
import type { LintFinding } from '../../lint/finding.js';
import { lintMigrations } from '../../lint/lint-migrations.js';
import type { Migration } from '../../migration.js';
import { stepFor } from '../../plan.js';
import { type DirectorySource, readMigrationsDirectory } from '../../source/directory-source.js';
import { describeNearMiss } from '../../source/near-misses.js';
import type { CommandDefinition } from '../command.js';
import type { CommandContext } from '../context.js';
import { offlineDialect } from '../dialect-of-url.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { FLEET_OPTIONS, fleetRequested } from '../fleet-options.js';
import { validateFleet } from '../fleet-validate.js';
import { plural, printable, withPrintableNames } from '../format.js';
import { FUTURE_OPTION, futureOption } from '../future-option.js';
import { lintRuleSettings } from '../lint-config.js';
import { findingPath } from '../lint-output.js';
import { plainIgnored } from '../near-miss-warnings.js';
import { driftProblems } from '../schema/drift-problems.js';
import { type ReversibilityOutcome, reversibilityProblems } from '../schema/reversibility-check.js';
import { UsageError } from '../usage-error.js';
import { skipOptimisingWasm } from '../wasm-start.js';

interface Problem {
  code: string;
  message: string;
  version?: string;
  file?: string;
}

export const command: CommandDefinition = {
  usage:
    '[--offline] [--ignore-missing] [--allow-out-of-order] [--future ignore|error] [--drift] [--reversible [--only-pending] [--require-down]] [--shadow-url URL]',
  options: [
    { name: 'offline', type: 'boolean', description: 'check the directory only, even when a database URL is configured' },
    {
      name: 'ignore-missing',
      type: 'boolean',
      description: 'with a database: applied migrations missing from the directory are not a problem',
    },
    {
      name: 'allow-out-of-order',
      type: 'boolean',
      description: 'with a database: pending migrations older than the newest applied one are not a problem',
    },
    {
      ...FUTURE_OPTION,
      description: 'with a database: ignore makes applied migrations newer than every file here a warning (default error)',
    },
    {
      name: 'drift',
      type: 'boolean',
      description:
        'with a database: apply the migrations (as far as its history goes) to a temporary database and report objects the live schema has extra, lacks or has changed',
    },
    {
      name: 'shadow-url',
      type: 'string',
      value: 'URL',
      description: 'with --drift or --reversible: an empty database to migrate instead of a temporary one',
    },
    {
      name: 'reversible',
      type: 'boolean',
      description:
        'with a database: on a temporary database, apply each migration, revert it, compare the schema with the one before, and apply it again',
    },
    {
      name: 'only-pending',
      type: 'boolean',
      description:
        'with --reversible: check only the migrations the database has not applied (the shadow first gets the applied ones)',
    },
    {
      name: 'require-down',
      type: 'boolean',
      description:
        'with --reversible: a migration without a down script (and no `-- strata:irreversible`) is a problem, not a warning',
    },
    ...FLEET_OPTIONS,
  ],
  details:
    'Without a database: file and directory names, one layout and one style per directory, duplicate\n' +
    'versions, and statements the database refuses inside a transaction (CREATE INDEX CONCURRENTLY,\n' +
    'VACUUM, ...) in a file that runs in one. With a database URL (flag, DATABASE_URL or .env) also:\n' +
    'checksums of applied migrations, missing, future and dirty ones, and order. With --drift, once those\n' +
    'pass: the migrations, up to the newest applied one, are applied to a temporary database (same server;\n' +
    'SQLite: in memory) that is dropped after, and its schema is compared with the live one. Exits 1 when\n' +
    'it finds a problem. With --reversible: each migration is applied, reverted and applied again on a\n' +
    'temporary database, and a down that fails, is empty, leaves the schema different or lets the up fail\n' +
    'again is a problem (`-- strata:irreversible` in a script accepts an empty or missing down).',
  async run(context) {
    if (fleetRequested(context)) return validateFleet(context);
    const problems: Problem[] = [];
    const warnings: string[] = [];
    const tolerateFuture = futureOption(context) === 'ignore' || context.flag('ignore-missing');
    const online = !context.flag('offline') && context.config.databaseUrl !== undefined;
    const dialect = online ? DIALECTS[context.target().kind] : offlineDialect(context);
    if (context.flag('drift') && !online) {
      throw new UsageError('--drift compares a database with its migrations: give a database URL (and drop --offline)');
    }
    if (context.flag('reversible') && !online) {
      throw new UsageError(
        '--reversible runs the migrations on a temporary database beside the one a URL names: give a database URL (and drop --offline)',
        { hint: 'for SQLite any URL will do, e.g. --database-url sqlite::memory:' },
      );
    }
    if ((context.flag('only-pending') || context.flag('require-down')) && !context.flag('reversible')) {
      throw new UsageError('--only-pending and --require-down go with --reversible');
    }
    let reversibility: ReversibilityOutcome | undefined;

    let source: DirectorySource | undefined;
    try {
      source = await readMigrationsDirectory(context.config.sourcePath);
    } catch (error) {
      if (!isStrataError(error) || error.code === 'SOURCE_NOT_FOUND') throw error;
      problems.push(problemOf(error));
    }
    if (source) {
      const ignored = plainIgnored(source.ignored, source.nearMisses);
      if (ignored.length > 0) warnings.push(`not migrations, ignored: ${ignored.join(', ')}`);
      for (const miss of source.nearMisses) warnings.push(describeNearMiss(miss, context.config.source));
      for (const migration of source.migrations) problems.push(...scriptProblems(migration, dialect));
      await lintProblems(context, source.migrations, dialect, { problems, warnings });
      for (const migration of source.migrations) {
        if (source.layout === 'sqlx' && migration.upFile?.endsWith('.up.sql') && migration.down === undefined) {
          warnings.push(`${migration.upFile} has no .down.sql beside it, so it cannot be reverted`);
        }
      }
      if (online) await databaseProblems(context, { problems, warnings, tolerateFuture });
      if (context.flag('drift') && problems.length === 0) problems.push(...(await driftProblems(context)));
      // Not gated on the checks above: a broken down is worth hearing about whatever else is wrong.
      if (context.flag('reversible')) {
        reversibility = await reversibilityProblems(context);
        problems.push(...reversibility.problems);
        warnings.push(...reversibility.warnings);
      }
    }

    const { out } = context;
    if (out.json) {
      out.document({
        valid: problems.length === 0,
        source: context.config.source,
        layout: source?.layout ?? null,
        migrations: source?.migrations.length ?? null,
        checkedDatabase: online && source !== undefined,
        problems,
        warnings,
        ...(reversibility ? { reversibility: reversibility.report } : {}),
      });
    } else {
      for (const warning of warnings) out.warn(printable(warning));
      for (const problem of problems) {
        out.line(`${out.style.red('✗')} ${withPrintableNames(problem.message, [problem.file])}`);
      }
      if (reversibility) out.line(reversibility.summary);
      const where = `${printable(context.config.source)}${online ? ' and the database' : ''}`;
      if (problems.length === 0) {
        const layout = source?.layout === 'empty' ? 'empty' : `${source?.layout} layout`;
        out.line(
          out.style.green(`✓ ${plural(source?.migrations.length ?? 0, 'migration')} in ${where} (${layout}): no problems found.`),
        );
      } else {
        out.line(out.style.red(`${plural(problems.length, 'problem')} found in ${where}.`));
      }
    }
    return problems.length > 0 ? EXIT_FAILURE : 0;
  },
};

/** `strata lint`'s findings: errors are problems, warnings warnings; what scriptProblems reports is not said twice. */
async function lintProblems(
  context: CommandContext,
  migrations: readonly Migration[],
  dialect: Dialect,
  { problems, warnings }: { problems: Problem[]; warnings: string[] },
): Promise<void> {
  let findings: LintFinding[];
  try {
    skipOptimisingWasm();
    const rules = {
      ...lintRuleSettings(context.io.cwd, undefined),
      'refused-in-transaction': 'off',
      'transaction-control': 'off',
    } as const;
    ({ findings } = await lintMigrations(migrations, { database: dialect.name, rules }));
  } catch (error) {
    if (!isStrataError(error, 'LINT_PARSER_MISSING')) throw error;
    warnings.push(`lint skipped: ${error.message}`);
    return;
  }
  for (const finding of findings) {
    const message = `${findingPath(context.config.source, finding)}:${finding.line}:${finding.column} [${finding.rule}] ${finding.message}`;
    if (finding.severity === 'warning') warnings.push(message);
    else problems.push({ code: 'LINT', message, version: finding.version, ...(finding.file ? { file: finding.file } : {}) });
  }
}

function scriptProblems(migration: Migration, dialect: Dialect): Problem[] {
  const found: Problem[] = [];
  const directions = migration.down === undefined ? (['up'] as const) : (['up', 'down'] as const);
  for (const direction of directions) {
    try {
      stepFor(migration, direction, dialect);
    } catch (error) {
      if (!isStrataError(error)) throw error;
      found.push(problemOf(error));
    }
  }
  return found;
}

async function databaseProblems(
  context: CommandContext,
  { problems, warnings, tolerateFuture }: { problems: Problem[]; warnings: string[]; tolerateFuture: boolean },
): Promise<void> {
  const statuses = await (await context.migrator()).status();
  const newestInSource = statuses.reduce((newest, line) => (line.migration && line.version > newest ? line.version : newest), 0n);
  for (const line of statuses) {
    const version = String(line.version);
    const file = line.migration?.upFile;
    const at = file ? ` (${file})` : '';
    if (line.state === 'modified' && line.history?.checksum) {
      problems.push({
        code: 'MIGRATION_MODIFIED',
        message:
          `migration ${version}${at} was previously applied but has been modified: ` +
          `applied checksum ${toHex(line.history.checksum)}, file checksum ${toHex(line.migration!.checksum)}; ` +
          `an edit on purpose that changes nothing it does is recorded with \`strata repair --version ${version}\``,
        version,
        ...(file ? { file } : {}),
      });
    } else if (line.state === 'dirty') {
      problems.push({
        code: 'MIGRATION_DIRTY',
        message: `migration ${version}${at} is dirty (partially applied); fix the database, then \`strata resolve ${version} --applied\` or \`--rolled-back\``,
        version,
        ...(file ? { file } : {}),
      });
    } else if (line.state === 'missing') {
      const message = `migration ${version} was previously applied but is missing in the resolved migrations`;
      if (context.flag('ignore-missing')) warnings.push(message);
      else problems.push({ code: 'MIGRATION_MISSING', message, version });
    } else if (line.state === 'future') {
      if (tolerateFuture)
        warnings.push(`migration ${version} was previously applied and is newer than every migration here (left alone)`);
      else problems.push(problemOf(futureMigrationsError([line.version], newestInSource)));
    } else if (line.state === 'pending' && line.outOfOrder) {
      const message = `migration ${version}${at} is pending but older than the newest applied migration (out of order)`;
      if (context.flag('allow-out-of-order')) warnings.push(message);
      else problems.push({ code: 'MIGRATION_OUT_OF_ORDER', message, version, ...(file ? { file } : {}) });
    } else if (line.lineEndingsOnly) {
      warnings.push(`migration ${version}${at} differs from what was applied only in its line endings (CRLF vs LF)`);
    }
  }
}

function problemOf(error: StrataError): Problem {
  return {
    code: error.code,
    message: error.message,
    ...(error.details.version !== undefined ? { version: error.details.version } : {}),
    ...(error.details.file !== undefined ? { file: error.details.file } : {}),
  };
}
