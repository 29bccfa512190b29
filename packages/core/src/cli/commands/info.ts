import { toHex } from '../../checksum.js';
import type { MigrationStatus } from '../../status.js';
import type { Palette } from '../colors.js';
import type { CommandDefinition } from '../command.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { runFleetCommand } from '../fleet-command.js';
import { FLEET_OPTIONS, fleetRequested } from '../fleet-options.js';
import { formatDuration, formatTable, formatTimestamp, nsToMs, printable } from '../format.js';
import { FUTURE_OPTION, futureOption } from '../future-option.js';
import { warnAboutNearMisses } from '../near-miss-warnings.js';

export const command: CommandDefinition = {
  usage: '[--exit-code] [--future ignore|error]',
  options: [
    {
      name: 'exit-code',
      type: 'boolean',
      description: 'exit with 1 when anything is pending, modified, missing, future or dirty (a CI or deploy gate)',
    },
    { ...FUTURE_OPTION, description: 'with --exit-code: ignore leaves future migrations out of the gate (default error)' },
    ...FLEET_OPTIONS,
  ],
  details:
    'States: applied, pending, modified (applied, but the file changed since), missing (applied, but\n' +
    'the file is gone, in the middle of the sequence), future (applied, newer than every file here: a\n' +
    'newer release applied it; `run --future ignore` leaves it alone), dirty (started outside a\n' +
    'transaction and did not finish: see `strata resolve`).',
  async run(context) {
    warnAboutNearMisses(context);
    const future = futureOption(context);
    if (fleetRequested(context)) {
      const gate = (line: MigrationStatus) => line.state !== 'applied' && !(line.state === 'future' && future === 'ignore');
      return runFleetCommand(context, {
        operation: { kind: 'status' },
        unsettled: (summary) => context.flag('exit-code') && summary.results.some((result) => result.statuses?.some(gate)),
      });
    }
    const migrator = await context.migrator();
    const statuses = await migrator.status();
    const { out } = context;
    if (out.json) {
      out.document({ migrations: statuses.map(statusJson) });
    } else if (statuses.length === 0) {
      out.line(`No migrations in ${printable(context.config.source)} and none applied.`);
    } else {
      printStatusTable(statuses, out.style, (line) => out.line(line));
      out.line(summary(statuses));
    }
    const unsettled = statuses.some((line) => line.state !== 'applied' && !(line.state === 'future' && future === 'ignore'));
    return context.flag('exit-code') && unsettled ? EXIT_FAILURE : 0;
  },
};

function statusJson(line: MigrationStatus) {
  return {
    version: String(line.version),
    description: line.description,
    state: line.state,
    installedOn: line.history ? line.history.installedOn.toISOString() : null,
    executionTimeMs: line.history?.executionTimeNs !== undefined ? nsToMs(line.history.executionTimeNs) : null,
    ...(line.state === 'modified' && line.history?.checksum && line.migration
      ? { appliedChecksum: toHex(line.history.checksum), sourceChecksum: toHex(line.migration.checksum) }
      : {}),
    ...(line.lineEndingsOnly ? { lineEndingsOnly: true } : {}),
    ...(line.outOfOrder ? { outOfOrder: true } : {}),
  };
}

const STATE_COLOUR = {
  applied: 'green',
  pending: 'yellow',
  modified: 'red',
  missing: 'red',
  future: 'yellow',
  dirty: 'red',
} as const;

function printStatusTable(statuses: readonly MigrationStatus[], style: Palette, print: (line: string) => void): void {
  const rows = statuses.map((line) => {
    let state = style[STATE_COLOUR[line.state]](line.state);
    if (line.lineEndingsOnly) state += style.dim(' (line endings differ only)');
    if (line.outOfOrder) state += style.dim(' (out of order)');
    return [
      String(line.version),
      printable(line.description),
      state,
      line.history ? formatTimestamp(line.history.installedOn) : '',
      line.history?.executionTimeNs !== undefined && line.state !== 'dirty'
        ? formatDuration(nsToMs(line.history.executionTimeNs))
        : '',
    ];
  });
  const table = formatTable([['Version', 'Description', 'State', 'Installed on', 'Execution time'].map(style.bold), ...rows]);
  print(table[0]!);
  statuses.forEach((line, i) => {
    print(table[i + 1]!);
    if (line.state === 'modified' && line.history?.checksum && line.migration) {
      print(`    applied checksum: ${toHex(line.history.checksum)}`);
      print(`    file checksum:    ${toHex(line.migration.checksum)}`);
    }
    if (line.state === 'future') {
      print(style.dim('    applied by a newer release: `strata run` refuses it unless --future ignore, which leaves it alone'));
    }
    if (line.state === 'dirty') {
      print(style.dim(`    fix the database by hand, then \`strata resolve ${line.version} --applied\` or \`--rolled-back\``));
    }
  });
}

function summary(statuses: readonly MigrationStatus[]): string {
  const counts = new Map<string, number>();
  for (const line of statuses) counts.set(line.state, (counts.get(line.state) ?? 0) + 1);
  const order = ['applied', 'pending', 'modified', 'missing', 'future', 'dirty'];
  return order
    .filter((state) => counts.has(state))
    .map((state) => `${counts.get(state)} ${state}`)
    .join(', ');
}
