import type { CommandDefinition } from '../command.js';
import { formatDuration, plural } from '../format.js';
import { reportJson } from '../json-shapes.js';
import { applyPending, withProgress } from '../migration-runs.js';
import { warnAboutNearMisses } from '../near-miss-warnings.js';
import { atMostOne, countOption } from '../option-parsers.js';
import { ProgressRenderer } from '../progress.js';
import { planRegeneration, REGENERATE_OPTIONS } from '../schema/regenerate-files.js';

export const command: CommandDefinition = {
  usage: '[-n N | --all]',
  options: [
    { name: 'number', short: 'n', type: 'string', value: 'N', description: 'redo the N newest applied migrations (default 1)' },
    { name: 'all', type: 'boolean', description: 'redo every applied migration' },
    ...REGENERATE_OPTIONS,
  ],
  details:
    'Reverts the migrations (newest first), then applies the same ones again, as Diesel does. A down\n' +
    'script that leaves something behind makes the re-apply fail, which is the point: it proves the\n' +
    'down script restores the schema the up script expects.',
  async run(context) {
    atMostOne(context, ['number', 'all']);
    const steps = countOption(context, 'number') ?? 1;
    warnAboutNearMisses(context);
    const regenerate = planRegeneration(context);
    const renderer = new ProgressRenderer(context.out);
    const migrator = await context.migrator({ onEvent: renderer.handle });
    const started = performance.now();
    const reverted = await withProgress(renderer, () => migrator.revert(context.flag('all') ? { all: true } : { steps }));
    if (reverted.applied.length === 0) {
      if (context.out.json) context.out.document({ reverted: reportJson(reverted), applied: null });
      else context.out.line('Nothing to redo: no migration is applied.');
      return 0;
    }
    // Reverts run newest first, so the first step is the newest version to bring back.
    const newest = reverted.applied[0]!.version;
    let applied: Awaited<ReturnType<typeof applyPending>>;
    try {
      applied = await applyPending(migrator, renderer, { target: newest });
    } catch (error) {
      const versions = reverted.applied.map((step) => String(step.version)).join(', ');
      context.out.note(
        `The revert of ${versions} was done; re-applying failed, so they are now pending. Fix the cause, then run \`strata run\`.`,
      );
      throw error;
    }
    // A redo ends where it started, unless a down script left something behind: rewrite to show it.
    await regenerate(true);
    if (context.out.json) {
      context.out.document({ reverted: reportJson(reverted), applied: reportJson(applied) });
    } else {
      context.out.line(
        context.out.style.green(
          `Redid ${plural(reverted.applied.length, 'migration')} (reverted and re-applied) in ${formatDuration(performance.now() - started)}.`,
        ),
      );
    }
    return 0;
  },
};
