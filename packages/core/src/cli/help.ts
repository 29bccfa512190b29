import type { CommandDefinition, OptionSpec } from './command.js';
import { formatTable } from './format.js';
import { GLOBAL_OPTIONS, VERSION_OPTION } from './global-options.js';
import { COMMANDS, type CommandEntry } from './registry.js';

export function mainHelp(version: string): string {
  const commands = formatTable(
    [
      ...COMMANDS.map((entry) => [
        entry.aliases?.length ? `${entry.name} (${entry.aliases.join(', ')})` : entry.name,
        entry.summary,
      ]),
      ['migrate <command>', "sqlx-cli's spelling of the commands above: strata migrate add | run | revert | info | ..."],
    ],
    '  ',
  );
  return [
    `strata ${version}: SQL migrations in the SQLx / Diesel tradition`,
    '',
    'Usage: strata <command> [options]',
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    ...optionLines([...GLOBAL_OPTIONS, VERSION_OPTION]),
    '',
    'Exit codes: 0 success, 1 a migration or database failure, 2 a usage or configuration error.',
    'Run `strata <command> --help` for the options of one command.',
  ].join('\n');
}

export function commandHelp(entry: CommandEntry, definition: CommandDefinition): string {
  const lines = [`strata ${entry.name}: ${entry.summary}`, '', `Usage: strata ${entry.name} ${definition.usage}`];
  if (entry.aliases?.length) lines.push(`Alias: ${entry.aliases.map((alias) => `strata ${alias}`).join(', ')}`);
  if (definition.positionals?.length) {
    lines.push(
      '',
      'Arguments:',
      ...formatTable(
        definition.positionals.map((p) => [`<${p.name}>`, p.description]),
        '  ',
      ),
    );
  }
  if (definition.options.length > 0) lines.push('', 'Options:', ...optionLines(definition.options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  if (definition.details) lines.push('', definition.details);
  return lines.join('\n');
}

function optionLines(options: readonly OptionSpec[]): string[] {
  return formatTable(
    options.map((option) => {
      const short = option.short ? `-${option.short}, ` : '    ';
      const value = option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : '';
      return [`${short}--${option.name}${value}`, option.description];
    }),
    '  ',
  );
}
