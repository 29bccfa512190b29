import type { CommandDefinition } from './command.js';

export interface CommandEntry {
  name: string;
  aliases?: readonly string[];
  summary: string;
}

/**
 * Every command `strata --help` lists, in that order. Each one lives in commands/<name>.ts and is
 * loaded only when used, so startup stays fast and a command is added by writing its file.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'add', summary: 'create a new migration file (or up/down pair) with the next version' },
  { name: 'run', summary: 'apply pending migrations' },
  { name: 'revert', summary: 'revert the newest applied migration, or down to a target' },
  { name: 'redo', summary: 'revert and re-apply migrations, to prove their down scripts' },
  { name: 'info', aliases: ['status'], summary: 'list migrations with their state, install time and duration' },
  { name: 'list', summary: "Diesel's migration list: every migration, [X] applied or [ ] not" },
  { name: 'pending', summary: 'the migrations `run` would apply (with --exit-code: exit 1 when any)' },
  { name: 'validate', summary: 'check the migrations directory (and, given a database, checksums and order)' },
  { name: 'lint', summary: 'report migrations that would lock, rewrite or break a database under traffic' },
  { name: 'resolve', summary: 'mark a dirty (partially applied) migration as applied or rolled back' },
  { name: 'baseline', summary: 'adopt a database whose schema already exists: record migrations up to V as applied' },
  { name: 'import', summary: 'adopt a database another tool migrated: record what its history holds as applied' },
  { name: 'repair', summary: 'record the new checksum of an applied migration whose file was changed on purpose' },
  { name: 'embed', summary: 'generate a module that embeds the migrations into the build' },
  { name: 'database', summary: 'create, drop, reset or set up the database the URL names' },
  { name: 'schema', summary: 'dump the schema (SQL, JSON or a Mermaid ER diagram), or check a dumped file is current' },
  {
    name: 'studio',
    summary: 'serve a local page: the history as a timeline, the lock, the schema as a diagram, lint, drift, a fleet',
  },
  { name: 'types', summary: 'write TypeScript types for the schema (pg / better-sqlite3 rows, Kysely DB), or check them' },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((entry) => entry.name === name || entry.aliases?.includes(name));
}

/**
 * Loads commands/<name>.js. Every listed command has that file (scripts/bundle.mjs keeps each one
 * an entry point), so a missing one is a broken build and its import error is not caught here.
 */
export async function loadCommand(entry: CommandEntry): Promise<CommandDefinition> {
  // A variable, not a template literal inside import(): esbuild would bundle every file it matches.
  const specifier = `./commands/${entry.name}.js`;
  const module = (await import(specifier)) as { command: CommandDefinition };
  return module.command;
}

/** The closest command name, for "did you mean". */
export function suggestCommand(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const entry of COMMANDS) {
    for (const candidate of [entry.name, ...(entry.aliases ?? [])]) {
      const distance = editDistance(name, candidate);
      if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
    }
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
