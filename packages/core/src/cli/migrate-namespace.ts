import { type SplitArgs, splitCommand } from './args.js';
import { formatTable } from './format.js';
import { COMMANDS } from './registry.js';
import { UsageError } from './usage-error.js';

/**
 * sqlx-cli's spelling, `sqlx migrate run`, typed as `strata migrate run`: the same commands as the
 * short forms, so a SQLx user's muscle memory works verbatim. Only the commands about migrations
 * belong here; `database` and `embed` keep their own names, as in sqlx-cli.
 */
export const MIGRATE = 'migrate';
/** Diesel's spelling of the same namespace: `diesel migration run`, `diesel migration generate x`. */
const DIESEL_NAMESPACE = 'migration';
const MIGRATE_COMMANDS: readonly string[] = ['add', 'run', 'revert', 'redo', 'info', 'list', 'pending', 'validate', 'resolve'];
/** Inside the namespace only: Diesel's `migration generate` is `add`. */
const NAMESPACE_ALIASES: Readonly<Record<string, string>> = { generate: 'add' };

/** `migrate <command> ...` (or `migration <command> ...`) becomes `<command> ...`; anything else is returned as it was split. */
export function unwrapMigrate(split: SplitArgs): SplitArgs & { namespaced: boolean } {
  if (split.command !== MIGRATE && split.command !== DIESEL_NAMESPACE) return { ...split, namespaced: false };
  const typed = splitCommand(split.rest);
  const inner =
    typed.command !== undefined && NAMESPACE_ALIASES[typed.command]
      ? { ...typed, command: NAMESPACE_ALIASES[typed.command] }
      : typed;
  if (inner.command !== undefined && !MIGRATE_COMMANDS.includes(inner.command)) {
    throw new UsageError(`"${inner.command}" is not a \`strata migrate\` command`, {
      code: 'UNKNOWN_COMMAND',
      hint: `strata migrate takes ${MIGRATE_COMMANDS.join(', ')}; other commands are typed without it (strata ${inner.command} ...)`,
    });
  }
  return { ...inner, namespaced: true };
}

export function migrateHelp(): string {
  const rows = COMMANDS.filter((entry) => MIGRATE_COMMANDS.includes(entry.name)).map((entry) => [
    `migrate ${entry.name}`,
    entry.summary,
  ]);
  return [
    "strata migrate <command>: sqlx-cli's spelling of the migration commands (`strata migrate run` = `strata run`)",
    '',
    'Usage: strata migrate <command> [options]',
    '',
    'Commands:',
    ...formatTable(rows, '  '),
    '',
    "`strata migration <command>` (Diesel's spelling) is the same, and `strata migration generate <name>` is `add`.",
    'Run `strata migrate <command> --help` for the options of one command.',
  ].join('\n');
}
