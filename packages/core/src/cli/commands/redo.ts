import type { Migrator, RevertOptions } from '../../migrator.js';
import type { RedoReport } from '../../report.js';
import type { CommandDefinition } from '../command.js';
import type { CommandContext } from '../context.js';
import { formatDuration, plural } from '../format.js';
import { reportJson } from '../json-shapes.js';
import { planLines, withProgress } from '../migration-runs.js';
import { warnAboutNearMisses } from '../near-miss-warnings.js';
import { atMostOne, countOption, versionOption } from '../option-parsers.js';
import { ProgressRenderer } from '../progress.js';
import { planRegeneration, REGENERATE_OPTIONS } from '../schema/regenerate-files.js';

export const command: CommandDefinition = {
  usage: '[-n N | --all | --target-version V] [--dry-run]',
  options: [
    { name: 'number', short: 'n', type: 'string', value: 'N', description: 'redo the N newest applied migrations (default 1)' },
    { name: 'all', type: 'boolean', description: 'redo every applied migration' },
    {
      name: 'target-version',
      type: 'string',
      value: 'V',
      description: 'redo every applied migration newer than V, which stays (as revert --target-version)',
    },
    { name: 'dry-run', type: 'boolean', description: 'print what would be reverted and re-applied; change nothing' },
    ...REGENERATE_OPTIONS,
  ],
  details:
    'Reverts the migrations (newest first), then applies the same ones again, as Diesel does, in ONE\n' +
    'transaction: a down script that leaves something behind makes the re-apply fail, and then nothing\n' +
    'changed. A `-- no-transaction` migration among them makes the redo run step by step; if it then\n' +
    'fails, what finished stays, and the command says exactly which migrations are applied, pending or dirty.',
  async run(context) {
    atMostOne(context, ['number', 'all', 'target-version']);
    const target = versionOption(context, 'target-version');
    const steps = countOption(context, 'number') ?? 1;
    const which: RevertOptions = context.flag('all') ? { all: true } : target !== undefined ? { target } : { steps };
    warnAboutNearMisses(context);
    const migrator = await context.migrator();
    // The plan first, without the lock: whether it runs as one transaction, and what to report if it fails.
    const plan = await migrator.redo({ ...which, dryRun: true });
    const { out } = context;
    if (plan.reverted.planned.length === 0) {
      if (out.json) out.document(redoJson(plan));
      else out.line(`Nothing to redo: no migration is applied${target !== undefined ? ` after ${target}` : ''}.`);
      return 0;
    }
    if (context.flag('dry-run')) {
      if (out.json) out.document(redoJson(plan));
      else printPlan(context, plan);
      return 0;
    }
    const regenerate = planRegeneration(context);
    const renderer = new ProgressRenderer(out, { singleTransaction: plan.singleTransaction });
    const running = await context.migrator({ onEvent: renderer.handle });
    const started = performance.now();
    let done: RedoReport;
    try {
      done = await withProgress(renderer, () => running.redo(which));
    } catch (error) {
      await explainFailure(context, running, plan);
      throw error;
    }
    // A redo ends where it started, unless a down script left something behind: rewrite to show it.
    await regenerate(true);
    if (out.json) {
      out.document(redoJson(done));
    } else {
      const together = done.singleTransaction ? ' in one transaction' : '';
      out.line(
        out.style.green(
          `Redid ${plural(done.reverted.applied.length, 'migration')} (reverted and re-applied)${together} in ${formatDuration(performance.now() - started)}.`,
        ),
      );
    }
    return 0;
  },
};

function redoJson(report: RedoReport) {
  return {
    reverted: reportJson(report.reverted),
    applied: report.reverted.planned.length === 0 && !report.reverted.dryRun ? null : reportJson(report.applied),
    singleTransaction: report.singleTransaction,
  };
}

function printPlan(context: CommandContext, plan: RedoReport): void {
  const { out } = context;
  const how = plan.singleTransaction
    ? 'in one transaction'
    : 'step by step (a migration among them cannot run in a transaction: a failure would leave what finished)';
  out.line(
    `${out.style.bold('Dry run:')} would redo ${plural(plan.reverted.planned.length, 'migration')} ${how}; nothing was changed.`,
  );
  for (const line of planLines(out, [...plan.reverted.planned, ...plan.applied.planned])) out.line(line);
}

/** After a failure: what the database holds now, read back, so the person knows exactly where things stand. */
async function explainFailure(context: CommandContext, migrator: Migrator, plan: RedoReport): Promise<void> {
  const versions = new Set(plan.reverted.planned.map((step) => step.version));
  const statuses = await migrator.status().catch(() => undefined);
  if (!statuses) {
    context.out.note('The redo failed, and the database could not be read back: run `strata info` to see what is applied.');
    return;
  }
  const states = statuses.filter((line) => versions.has(line.version));
  const list = [...versions].join(', ');
  if (plan.singleTransaction && states.every((line) => line.state === 'applied')) {
    context.out.note(
      `Nothing changed: the redo ran in one transaction, which was rolled back; ${list} ${versions.size === 1 ? 'is' : 'are'} applied as before.`,
    );
    return;
  }
  const byState = new Map<string, bigint[]>();
  for (const line of states) byState.set(line.state, [...(byState.get(line.state) ?? []), line.version]);
  const now = [...byState].map(([state, vs]) => `${state}: ${vs.join(', ')}`).join('; ');
  const outside = [
    ...new Set([...plan.reverted.planned, ...plan.applied.planned].filter((step) => !step.transactional).map((s) => s.version)),
  ];
  const why = outside.length > 0 ? ` (${outside.join(', ')} ${outside.length === 1 ? 'runs' : 'run'} outside a transaction)` : '';
  const dirty = byState.get('dirty');
  context.out.note(
    `The redo ran step by step${why}, so what finished stays. Now ${now}. Fix the cause, then run \`strata run\`` +
      (dirty
        ? ` (first \`strata resolve ${dirty[0]} --applied\` or \`--rolled-back\` once the database is repaired by hand).`
        : '.'),
  );
}
