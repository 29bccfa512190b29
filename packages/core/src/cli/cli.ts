import { parseCommandArgs, splitCommand } from './args.js';
import { resolveConfig } from './config.js';
import { CommandContext } from './context.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { GLOBAL_OPTIONS, VERSION_OPTION } from './global-options.js';
import { commandHelp, mainHelp } from './help.js';
import type { CliIo } from './io.js';
import { migrateHelp, unwrapMigrate } from './migrate-namespace.js';
import { Output } from './output.js';
import { packageVersion } from './package-version.js';
import { readProjectConfig } from './project-config.js';
import { findCommand, loadCommand, suggestCommand } from './registry.js';
import { reportError } from './report-error.js';
import { UsageError } from './usage-error.js';

/** Runs one `strata ...` invocation and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // --json and --verbose shape even the errors of parsing, so they are looked at first.
  const early = { json: argv.includes('--json'), verbose: argv.includes('--verbose') || argv.includes('-v') };
  let out = new Output(io, early);
  let context: CommandContext | undefined;
  try {
    const { command: word, rest, namespaced } = unwrapMigrate(splitCommand(argv));
    if (word === undefined) return namespaced ? namespaceLevel(rest, out) : topLevel(rest, out);

    const entry = findCommand(word);
    if (!entry) {
      const suggestion = suggestCommand(word);
      throw new UsageError(`unknown command "${word}"`, {
        code: 'UNKNOWN_COMMAND',
        hint: suggestion ? `did you mean \`strata ${suggestion}\`?` : 'run `strata --help` for the list of commands',
      });
    }
    const definition = await loadCommand(entry);
    const parsed = parseCommandArgs(rest, [...GLOBAL_OPTIONS, ...definition.options], `strata ${entry.name}`);
    out = new Output(io, { json: parsed.values.json === true, verbose: parsed.values.verbose === true });
    if (parsed.values.help) {
      io.stdout.write(`${commandHelp(entry, definition)}\n`);
      return EXIT_OK;
    }
    checkPositionals(entry.name, definition.positionals ?? [], parsed.positionals);
    context = new CommandContext({
      name: entry.name,
      values: parsed.values,
      positionals: parsed.positionals,
      config: resolveConfig(parsed.values, io.env, io.cwd, await readProjectConfig(parsed.values, io.cwd)),
      out,
      io,
    });
    return (await definition.run(context)) ?? EXIT_OK;
  } catch (error) {
    return reportError(out, error);
  } finally {
    out.live.clear();
    await context?.close().catch(() => {});
  }
}

function topLevel(rest: string[], out: Output): number {
  const parsed = parseCommandArgs(rest, [...GLOBAL_OPTIONS, VERSION_OPTION], 'strata');
  const version = packageVersion();
  if (parsed.values.version) {
    if (out.json) out.document({ version });
    else out.line(`strata ${version}`);
    return EXIT_OK;
  }
  if (parsed.values.help) {
    out.line(mainHelp(version));
    return EXIT_OK;
  }
  out.note(mainHelp(version));
  return EXIT_USAGE;
}

/** `strata migrate` alone: its help, as a usage error unless --help asked for it. */
function namespaceLevel(rest: string[], out: Output): number {
  const parsed = parseCommandArgs(rest, GLOBAL_OPTIONS, 'strata migrate');
  if (parsed.values.help) {
    out.line(migrateHelp());
    return EXIT_OK;
  }
  out.note(migrateHelp());
  return EXIT_USAGE;
}

function checkPositionals(name: string, specs: readonly { name: string; required: boolean }[], given: readonly string[]): void {
  const required = specs.filter((spec) => spec.required);
  if (given.length < required.length) {
    const missing = required.slice(given.length).map((spec) => `<${spec.name}>`);
    throw new UsageError(`strata ${name} needs ${missing.join(' ')}`, { hint: `see \`strata ${name} --help\`` });
  }
  if (given.length > specs.length) {
    throw new UsageError(`unexpected argument "${given[specs.length]}" for strata ${name}`, {
      hint: `see \`strata ${name} --help\``,
    });
  }
}
