import type { CommandDefinition } from '../command.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { formatTable, plural, printable } from '../format.js';
import { warnAboutNearMisses } from '../near-miss-warnings.js';

/** Diesel's `migration pending`: is anything left to apply? Lists it, and answers in the exit code when asked. */
export const command: CommandDefinition = {
  usage: '[--exit-code]',
  options: [{ name: 'exit-code', type: 'boolean', description: 'exit with 1 when a migration is pending (a CI or deploy gate)' }],
  details:
    'Lists the pending migrations, oldest first, with their files. Exits 0 either way unless\n' +
    '--exit-code is given. `strata info` shows every migration with its state.',
  async run(context) {
    warnAboutNearMisses(context);
    const statuses = await (await context.migrator()).status();
    const pending = statuses.filter((line) => line.state === 'pending');
    const { out } = context;
    if (out.json) {
      out.document({
        pending: pending.map((line) => ({
          version: String(line.version),
          description: line.description,
          file: line.migration?.upFile ?? null,
          ...(line.outOfOrder ? { outOfOrder: true } : {}),
        })),
      });
    } else if (pending.length === 0) {
      out.line('Nothing pending: the database is up to date.');
    } else {
      const rows = pending.map((line) => [
        String(line.version),
        printable(line.description),
        out.style.dim(printable(line.migration?.upFile ?? '')) + (line.outOfOrder ? out.style.yellow(' (out of order)') : ''),
      ]);
      for (const row of formatTable(rows)) out.line(row);
      out.line(`${plural(pending.length, 'migration')} pending.`);
    }
    return context.flag('exit-code') && pending.length > 0 ? EXIT_FAILURE : 0;
  },
};
