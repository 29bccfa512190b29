import { isStrataError } from '../errors.js';
import type { LintFinding } from '../lint/finding.js';
import { lintMigrations } from '../lint/lint-migrations.js';
import type { LockHolder } from '../lock/run-lock.js';
import type { PlannedStep } from '../report.js';
import { detectDrift } from '../schema/drift.js';
import { readDatabaseSchema } from '../schema/dump.js';
import type { SchemaDifference } from '../schema/schema-diff.js';
import type { SchemaModel } from '../schema/schema-model.js';
import type { MigrationStatus } from '../status.js';
import type { StudioOptions } from './studio-options.js';

/** What GET /api/state answers: the timeline, the lock and what the page may do. */
export async function stateView(options: StudioOptions) {
  const { migrator } = options;
  const [statuses, holder] = await Promise.all([migrator.status(), migrator.lockHolder()]);
  const lint = await lintView(options, statuses);
  return {
    database: migrator.describe(),
    dialect: options.database,
    historyTable: migrator.historyTable,
    allowWrite: options.allowWrite === true,
    drift: options.drift === true,
    fleet: options.fleet !== undefined,
    lock: lockView(holder),
    lint: { error: lint.error },
    migrations: statuses.map((line) => migrationView(line, lint.findings.get(String(line.version)) ?? [])),
  };
}

function migrationView(line: MigrationStatus, findings: LintFinding[]) {
  const history = line.history;
  return {
    version: String(line.version),
    description: line.description,
    state: line.state,
    installedOn: history ? history.installedOn.toISOString() : null,
    // A dirty row's time is when it started, not how long it took.
    executionTimeMs:
      history?.executionTimeNs !== undefined && line.state !== 'dirty' ? Number(history.executionTimeNs) / 1e6 : null,
    transactional: line.migration ? !line.migration.noTransaction : null,
    upFile: line.migration?.upFile ?? null,
    downFile: line.migration?.downFile ?? null,
    up: line.migration?.up ?? null,
    down: line.migration?.down ?? null,
    lineEndingsOnly: line.lineEndingsOnly,
    outOfOrder: line.outOfOrder,
    findings: findings.map(({ rule, severity, line: at, column, message, fix }) => ({
      rule,
      severity,
      line: at,
      column,
      message,
      fix,
    })),
  };
}

/** Lint over every migration, pending ones counting as not applied anywhere; a missing parser is said, not thrown. */
async function lintView(
  options: StudioOptions,
  statuses: readonly MigrationStatus[],
): Promise<{ findings: Map<string, LintFinding[]>; error: string | null }> {
  const pending = new Set(statuses.filter((line) => line.state === 'pending').map((line) => line.version));
  const findings = new Map<string, LintFinding[]>();
  try {
    const report = await lintMigrations(await options.migrator.migrations(), {
      database: options.database,
      pending: (migration) => pending.has(migration.version),
      rules: options.lintRules,
    });
    for (const finding of report.findings) findings.set(finding.version, [...(findings.get(finding.version) ?? []), finding]);
    return { findings, error: null };
  } catch (error) {
    if (isStrataError(error, 'LINT_PARSER_MISSING')) return { findings, error: error.message };
    throw error;
  }
}

/** What GET /api/lock answers: cheap enough for the page to ask every few seconds. */
export async function lockState(options: StudioOptions) {
  return lockView(await options.migrator.lockHolder());
}

function lockView(holder: LockHolder | null | undefined) {
  if (holder === undefined) return { state: 'unknown' as const, holder: null };
  if (holder === null) return { state: 'free' as const, holder: null };
  return {
    state: 'held' as const,
    holder: {
      pid: holder.pid ?? null,
      applicationName: holder.applicationName ?? null,
      hostname: holder.hostname ?? null,
      clientAddress: holder.clientAddress ?? null,
      since: holder.since ? holder.since.toISOString() : null,
    },
  };
}

/** What GET /api/schema answers: tables with their key columns and foreign keys, and drift when asked for. */
export async function schemaView(options: StudioOptions) {
  const readOptions = { table: options.table, schema: options.schema };
  const model = await readDatabaseSchema(options.db, readOptions);
  const drift = options.drift ? await detectDrift(options.db, { ...readOptions, migrations: options.migrations }) : undefined;
  return {
    defaultSchema: model.defaultSchema,
    tables: tablesView(model, drift?.differences ?? []),
    drift: drift
      ? {
          drift: drift.drift,
          appliedThrough: drift.appliedThrough === null ? null : String(drift.appliedThrough),
          differences: drift.differences,
        }
      : null,
  };
}

function tablesView(model: SchemaModel, differences: readonly SchemaDifference[]) {
  const driftOf = new Map(differences.filter((d) => d.kind === 'table').map((d) => [d.name, d.change]));
  return model.tables.map((table) => {
    const primary = new Set(table.primaryKey?.columns ?? []);
    const foreign = new Set(table.foreignKeys.flatMap((key) => key.columns));
    return {
      schema: table.schema,
      name: table.name,
      drift: driftOf.get(`${table.schema}.${table.name}`) ?? null,
      columns: table.columns.map((column) => ({
        name: column.name,
        type: column.type,
        nullable: column.nullable,
        primaryKey: primary.has(column.name),
        foreignKey: foreign.has(column.name),
      })),
      foreignKeys: table.foreignKeys.map((key) => ({
        name: key.name,
        columns: key.columns,
        references: key.references,
        onDelete: key.onDelete,
      })),
    };
  });
}

/** A plan as the page shows it before an action: the lines `run --dry-run` prints. */
export function planView(action: string, steps: readonly PlannedStep[], extra: string[] = []) {
  return {
    action,
    steps: steps.map((step) => ({
      version: String(step.version),
      description: step.description,
      direction: step.direction,
      transactional: step.transactional,
      file: step.file ?? null,
    })),
    text: [
      ...steps.map((step) =>
        `${step.version}  ${step.description}  ${step.transactional ? 'in a transaction' : 'without a transaction'}  ${step.file ?? ''}`.trimEnd(),
      ),
      ...extra,
    ].join('\n'),
  };
}
