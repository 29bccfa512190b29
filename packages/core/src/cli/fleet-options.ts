import type { OptionSpec } from './command.js';
import type { CommandContext } from './context.js';

/** The options `run`, `revert`, `info` and `validate` take to work on a fleet instead of one database. */
export const FLEET_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'targets',
    type: 'string',
    value: 'FILE',
    description:
      'work on many databases: a file of database URLs, one a line (# comments; - reads standard input), or SQLite files: a directory or a pattern (tenants/*.db)',
  },
  {
    name: 'targets-query',
    type: 'string',
    value: 'SQL',
    description:
      'work on many databases: each row of SQL (run on --database-url) names a database on that server, or a schema with --per-schema',
  },
  {
    name: 'per-schema',
    type: 'boolean',
    description:
      'with --targets-query: the rows are schemas of the database, each with its own history table, migrated with search_path set to it',
  },
  {
    name: 'concurrency',
    type: 'string',
    value: 'N',
    description:
      "targets worked on at once, one connection each (default: a quarter of the server's free connections, at most 16; 4 for SQLite files)",
  },
  {
    name: 'canary',
    type: 'string',
    value: 'K',
    description: 'work on the first K targets first, and stop before the rest if any of them fails',
  },
  {
    name: 'continue-on-error',
    type: 'boolean',
    description: 'keep starting targets after one fails (default: stop starting new ones; those running finish)',
  },
];

/** True when the command was asked to work on a fleet. */
export function fleetRequested(context: CommandContext): boolean {
  return context.option('targets') !== undefined || context.option('targets-query') !== undefined;
}
