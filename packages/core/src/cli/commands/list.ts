import type { MigrationStatus } from '../../status.js';
import type { Palette } from '../colors.js';
import type { CommandDefinition } from '../command.js';
import { printable } from '../format.js';
import { warnAboutNearMisses } from '../near-miss-warnings.js';

/** Diesel's `migration list`: a check box per migration. `info` is the detailed view. */
export const command: CommandDefinition = {
  usage: '',
  options: [],
  details:
    'One line per migration, oldest first: [X] applied (modified, missing, future and dirty ones are\n' +
    'applied too, and say so), [ ] pending. `strata info` shows install times, durations and checksums.',
  async run(context) {
    warnAboutNearMisses(context);
    const statuses = await (await context.migrator()).status();
    const { out } = context;
    if (out.json) {
      out.document({
        migrations: statuses.map((line) => ({
          version: String(line.version),
          description: line.description,
          applied: line.state !== 'pending',
          state: line.state,
        })),
      });
      return 0;
    }
    out.line('Migrations:');
    if (statuses.length === 0) out.line(`  (none in ${printable(context.config.source)} and none applied)`);
    for (const line of statuses) out.line(`  ${listLine(line, out.style)}`);
    return 0;
  },
};

function listLine(line: MigrationStatus, style: Palette): string {
  const box = line.state === 'pending' ? style.yellow('[ ]') : style.green('[X]');
  const name = `${line.version} ${printable(line.description)}`;
  const note = line.state === 'applied' || line.state === 'pending' ? '' : ` ${style.red(`(${line.state})`)}`;
  return `${box} ${name}${note}`;
}
