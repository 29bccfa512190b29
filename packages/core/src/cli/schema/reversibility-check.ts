import { checkReversible, type ReversibilityProgress } from '../../schema/reversibility.js';
import type { ReversibilityFinding, ReversibilityReport } from '../../schema/reversibility-report.js';
import type { CommandContext } from '../context.js';
import { formatDuration, plural } from '../format.js';
import type { Output } from '../output.js';
import { migrationsSource } from './migrations-source.js';
import { openShadowUrl, shadowOption } from './shadow-handle.js';

export interface ReversibilityProblem {
  code: 'NOT_REVERSIBLE';
  /** The finding's kind: down-failed, down-empty, schema-differs, redo-failed, up-failed, no-down. */
  kind: ReversibilityFinding['kind'];
  message: string;
  version: string;
  file?: string;
}

export interface ReversibilityOutcome {
  report: ReversibilityReport;
  problems: ReversibilityProblem[];
  warnings: string[];
  /** `reversibility: 3 reversible, 1 irreversible by intent, 1 broken (2.1 s)`. */
  summary: string;
}

/** `validate --reversible`: every migration (or `--only-pending`) up, down and up again on a shadow. */
export async function reversibilityProblems(context: CommandContext): Promise<ReversibilityOutcome> {
  const db = await context.database();
  const shadow = await openShadowUrl(context);
  const progress = new ProgressLine(context.out);
  try {
    const report = await checkReversible(db.handle, {
      migrations: await migrationsSource(context),
      table: context.config.table,
      schema: context.config.schema,
      onlyPending: context.flag('only-pending'),
      requireDown: context.flag('require-down'),
      onProgress: progress.show,
      ...shadowOption(shadow),
    });
    const problems: ReversibilityProblem[] = [];
    const warnings: string[] = [];
    for (const migration of report.migrations) {
      for (const finding of migration.findings) {
        const message = `${where(finding)}${finding.message}`;
        if (finding.severity === 'warning') warnings.push(message);
        else {
          problems.push({
            code: 'NOT_REVERSIBLE',
            kind: finding.kind,
            message,
            version: String(migration.version),
            ...(finding.file ? { file: finding.file } : {}),
          });
        }
      }
    }
    const unchecked = report.migrations.filter((migration) => migration.status === 'unchecked');
    if (unchecked.length > 0) {
      warnings.push(
        `${plural(unchecked.length, 'migration')} not checked (${unchecked.map((m) => m.version).join(', ')}): the shadow database no longer holds what ${unchecked.length === 1 ? 'it starts' : 'they start'} from`,
      );
    }
    return { report, problems, warnings, summary: summaryLine(report) };
  } finally {
    progress.clear();
    await shadow?.close();
  }
}

function where(finding: ReversibilityFinding): string {
  if (!finding.file) return '';
  if (finding.line === undefined) return `${finding.file}: `;
  return `${finding.file}:${finding.line}:${finding.column ?? 1}: `;
}

function summaryLine(report: ReversibilityReport): string {
  const { reversible, irreversible, broken, unchecked } = report.summary;
  const parts = [`${reversible} reversible`, `${irreversible} irreversible by intent`, `${broken} broken`];
  if (unchecked > 0) parts.push(`${unchecked} not checked`);
  const since = report.baseline === null ? '' : `, pending after ${report.baseline}`;
  return `reversibility: ${parts.join(', ')} (${plural(report.migrations.length, 'migration')}${since}, ${formatDuration(report.durationMs)})`;
}

/** The live line on a terminal: which migration, which phase; nothing in a log or a pipe. */
class ProgressLine {
  readonly #out: Output;
  constructor(out: Output) {
    this.#out = out;
  }

  readonly show = (progress: ReversibilityProgress): void => {
    const { live, style } = this.#out;
    if (!live.enabled) return;
    const text =
      progress.phase === 'baseline'
        ? 'reversibility: migrating the shadow database as far as the live history goes'
        : `reversibility ${progress.index + 1}/${progress.total}: ${PHASES[progress.phase]} ${progress.version} ${progress.description}`;
    live.show((elapsed) => `${text} ${style.dim(formatDuration(elapsed))}`);
  };

  clear(): void {
    this.#out.live.clear();
  }
}

const PHASES = { up: 'applying', down: 'reverting', redo: 'applying again' } as const;
