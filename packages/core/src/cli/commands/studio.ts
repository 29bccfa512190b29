import { fileURLToPath } from 'node:url';
import { migrateFleet } from '../../fleet/migrate-fleet.js';
import { startStudio } from '../../studio/server.js';
import type { StudioFleetRow } from '../../studio/studio-options.js';
import type { CommandDefinition } from '../command.js';
import { CommandContext } from '../context.js';
import { fleetOptions } from '../fleet-command.js';
import { FLEET_OPTIONS, fleetRequested } from '../fleet-options.js';
import { type FleetList, readFleetList } from '../fleet-targets.js';
import { lintRuleSettings } from '../lint-config.js';
import { openBrowser } from '../open-browser.js';
import { UsageError } from '../usage-error.js';
import { skipOptimisingWasm } from '../wasm-start.js';

// Beside this command in the package: src/studio/page when run from the sources, dist/studio/page built.
const ASSETS_DIR = fileURLToPath(new URL('../../studio/page/', import.meta.url));
const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export const command: CommandDefinition = {
  usage: '[--port N] [--host ADDRESS] [--no-open] [--allow-write] [--drift] [--targets FILE]',
  options: [
    { name: 'port', type: 'string', value: 'N', description: 'listen on this port (default: a free one)' },
    {
      name: 'host',
      type: 'string',
      value: 'ADDRESS',
      description: 'listen on this address instead of 127.0.0.1 (the token is still required)',
    },
    { name: 'no-open', type: 'boolean', description: 'do not open a browser (none is opened under CI or without a display)' },
    {
      name: 'allow-write',
      type: 'boolean',
      description: 'let the page run pending migrations, revert one step and resolve a dirty row (each after a confirmation)',
    },
    {
      name: 'drift',
      type: 'boolean',
      description: 'compare the schema with what the applied migrations make (a shadow database) and mark the differences',
    },
    ...FLEET_OPTIONS.filter((option) => ['targets', 'targets-query', 'per-schema', 'concurrency'].includes(option.name)),
  ],
  details:
    'Serves a page on 127.0.0.1 that shows the history as a timeline (each migration with its SQL\n' +
    'and lint findings, durations as a chart), the lock, the schema as an ER diagram, drift with\n' +
    '--drift and a fleet table with --targets. The printed URL carries a random token: every request\n' +
    'without it is refused (401). Read-only unless --allow-write; every action goes through the same\n' +
    'engine as `strata run`, `revert` and `resolve`, and is logged here. Stop it with Ctrl-C.',
  async run(fromCli) {
    const port = portOption(fromCli);
    const host = fromCli.option('host') ?? '127.0.0.1';
    skipOptimisingWasm();
    const list = fleetRequested(fromCli) ? await readFleetList(fromCli) : undefined;
    // A fleet without a database URL: its first target is the one the timeline shows.
    const first = list?.targets[0];
    const context =
      fromCli.config.databaseUrl === undefined && first !== undefined
        ? new CommandContext({
            ...fromCli,
            config: {
              ...fromCli.config,
              databaseUrl: typeof first === 'string' ? first : first.url,
              databaseUrlFrom: '--targets',
            },
          })
        : fromCli;
    const migrator = await context.migrator();
    const open = await context.database();
    const fleet = list ? fleetRows(fromCli, list) : undefined;
    const { out } = context;
    const studio = await startStudio({
      migrator,
      db: open.handle,
      database: context.target().kind,
      migrations: context.config.sourcePath,
      table: context.config.table,
      schema: context.config.schema,
      host,
      port,
      allowWrite: context.flag('allow-write'),
      drift: context.flag('drift'),
      lintRules: lintRuleSettings(context.io.cwd, undefined),
      ...(fleet ? { fleet } : {}),
      assetsDir: ASSETS_DIR,
      onAction: (entry) => {
        const versions = entry.versions.length > 0 ? ` ${entry.versions.join(', ')}` : '';
        const line = `studio: ${entry.action} ${entry.outcome}${versions}${entry.error ? `: ${entry.error.code} ${entry.error.message}` : ''}`;
        out.note(entry.outcome === 'done' ? out.errStyle.green(line) : out.errStyle.red(line));
      },
    });
    if (out.json) out.document({ url: studio.url, host: studio.host, port: studio.port });
    else {
      const shown = context === fromCli ? '' : ` (the first of ${list?.targets.length} targets)`;
      out.line(
        `strata studio for ${migrator.describe()}${shown}${context.flag('allow-write') ? ' (actions allowed)' : ' (read-only)'}`,
      );
      out.line(`  ${studio.url}`);
      if (!LOOPBACK.includes(host)) out.note(out.errStyle.yellow(`listening on ${host}: anyone with the URL can read the page`));
    }
    if (!context.flag('no-open')) openBrowser(studio.url, context.io.env);
    await untilStopped();
    await studio.close();
    if (context !== fromCli) await context.close();
    return 0;
  },
};

function portOption(context: CommandContext): number {
  const text = context.option('port');
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`--port takes a port number (0 for a free one), not "${text}"`);
  return port;
}

/** SIGTERM (a service manager, a test) ends it cleanly; Ctrl-C ends the process as for every command. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => process.once('SIGTERM', () => resolve()));
}

/** Each target's counts, asked again whenever the page loads the table. */
function fleetRows(context: CommandContext, list: FleetList): () => Promise<StudioFleetRow[]> {
  const options = fleetOptions(context, list, { operation: { kind: 'status' } });
  return async () => {
    const summary = await migrateFleet(list.targets, options).summary;
    return summary.results.map((result) => {
      const count = (...states: string[]) => result.statuses?.filter((line) => states.includes(line.state)).length ?? 0;
      return {
        target: result.target,
        outcome: result.outcome,
        applied: count('applied'),
        pending: count('pending'),
        dirty: count('dirty'),
        other: count('modified', 'missing', 'future'),
        error: result.error ? `${result.error.code}: ${result.error.message}` : null,
      };
    });
  };
}
