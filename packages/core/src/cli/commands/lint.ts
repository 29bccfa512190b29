import type { LintFinding } from '../../lint/finding.js';
import { lintMigrations } from '../../lint/lint-migrations.js';
import type { Migration } from '../../migration.js';
import { readMigrationsDirectory } from '../../source/directory-source.js';
import type { CommandDefinition } from '../command.js';
import { offlineDialect } from '../dialect-of-url.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { plural, printable } from '../format.js';
import { lintRuleSettings } from '../lint-config.js';
import { githubAnnotation, printFindingText } from '../lint-output.js';
import { versionOption } from '../option-parsers.js';
import { UsageError } from '../usage-error.js';
import { skipOptimisingWasm } from '../wasm-start.js';

export const command: CommandDefinition = {
  usage: '[--only-pending | --since V] [--format text|json|github] [--disable RULE,...] [--assume-lock-guard]',
  options: [
    {
      name: 'only-pending',
      type: 'boolean',
      description: 'with a database: lint only the migrations a run would apply (tables they create count as new)',
    },
    {
      name: 'since',
      type: 'string',
      value: 'V',
      description:
        'without a database: take migrations from version V on as not yet applied anywhere (tables they create count as new)',
    },
    { name: 'format', type: 'string', value: 'FORMAT', description: 'text (default), json, or github (workflow annotations)' },
    {
      name: 'disable',
      type: 'string',
      value: 'RULES',
      description: 'turn these rules off (comma-separated); see also package.json strata.lint.rules',
    },
    {
      name: 'assume-lock-guard',
      type: 'boolean',
      description: 'migrations run with the lock guard (run --lock-guard): missing-lock-timeout does not apply',
    },
  ],
  details:
    "Reads every up script (PostgreSQL: with PostgreSQL's own parser, the optional package libpg-query;\n" +
    "SQLite: with strata's lexer) and reports statements that lock a table under traffic, rewrite it,\n" +
    'or break the release still running during a deploy, each with file:line:column and the safe\n' +
    'rewrite. A table created earlier in the same migration, or by a migration not yet applied, is\n' +
    'exempt. Silence one statement with `-- strata-lint-ignore RULE reason` above it, a file with\n' +
    '`-- strata-lint-ignore-file RULE reason`. Exits 1 when it finds an error.',
  async run(context) {
    const format = context.option('format') ?? (context.out.json ? 'json' : 'text');
    if (!['text', 'json', 'github'].includes(format))
      throw new UsageError(`--format takes text, json or github, not "${format}"`);
    const since = versionOption(context, 'since');
    const onlyPending = context.flag('only-pending');
    if (onlyPending && since !== undefined) throw new UsageError('--only-pending and --since cannot be used together');
    if (onlyPending && context.config.databaseUrl === undefined) {
      throw new UsageError('--only-pending needs a database to ask what is pending', {
        hint: 'pass --database-url, set DATABASE_URL, or use --since V without a database',
      });
    }
    const rules = lintRuleSettings(context.io.cwd, context.option('disable'));
    skipOptimisingWasm();
    const { migrations } = await readMigrationsDirectory(context.config.sourcePath);
    const pending = onlyPending ? await pendingVersions(context) : undefined;
    const isPending = (m: Migration) => (pending ? pending.has(m.version) : since !== undefined && m.version >= since);
    const report = await lintMigrations(migrations, {
      database: onlyPending ? context.target().kind : offlineDialect(context).name,
      pending: isPending,
      ...(onlyPending ? { only: isPending } : {}),
      rules,
      lockGuard: context.flag('assume-lock-guard'),
    });
    const errors = report.findings.filter((finding) => finding.severity === 'error').length;
    const source = context.config.source;
    if (format === 'json') {
      context.out.document({ ...report, errors, warnings: report.findings.length - errors, source });
    } else if (format === 'github') {
      for (const finding of report.findings) context.out.line(githubAnnotation(source, finding));
    } else {
      for (const finding of report.findings) printFindingText(context.out, source, finding);
      context.out.line(summary(context.out.style, report.linted, report.findings, report.silenced, printable(source)));
    }
    return errors > 0 ? EXIT_FAILURE : 0;
  },
};

async function pendingVersions(context: Parameters<CommandDefinition['run']>[0]): Promise<Set<bigint>> {
  const statuses = await (await context.migrator()).status();
  return new Set(statuses.filter((line) => line.state === 'pending').map((line) => line.version));
}

function summary(
  style: { red(t: string): string; green(t: string): string; yellow(t: string): string },
  linted: number,
  findings: readonly LintFinding[],
  silenced: number,
  where: string,
): string {
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.length - errors;
  const quiet = silenced > 0 ? ` (${silenced} silenced)` : '';
  const scope = `${plural(linted, 'migration')} in ${where}`;
  if (findings.length === 0) return style.green(`✓ ${scope}: no problems found${quiet}.`);
  const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  return errors > 0 ? style.red(`✗ ${counts} in ${scope}${quiet}.`) : style.yellow(`! ${counts} in ${scope}${quiet}.`);
}
