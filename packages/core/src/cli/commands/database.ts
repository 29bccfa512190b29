import type { DialectName } from '../../dialects/dialect.js';
import type { CommandDefinition } from '../command.js';
import { confirmDestructive } from '../confirm.js';
import type { CommandContext } from '../context.js';
import type { DatabaseAdmin } from '../database/admin.js';
import { mysqlAdmin } from '../database/mysql-admin.js';
import { postgresAdmin } from '../database/postgres-admin.js';
import { sqliteAdmin } from '../database/sqlite-admin.js';
import type { DatabaseTarget } from '../database-url.js';
import { reportJson } from '../json-shapes.js';
import { applyPending, printReportSummary } from '../migration-runs.js';
import { ProgressRenderer } from '../progress.js';
import { UsageError } from '../usage-error.js';

const ACTIONS = ['create', 'drop', 'reset', 'setup'] as const;
type Action = (typeof ACTIONS)[number];

export const command: CommandDefinition = {
  usage: 'create | drop | reset | setup [-y] [--force]',
  positionals: [
    {
      name: 'action',
      required: true,
      description: 'create, drop, reset (drop + create + run) or setup (create if missing + run)',
    },
  ],
  options: [
    {
      name: 'yes',
      short: 'y',
      type: 'boolean',
      description: 'drop or reset without asking (required when stdin is not a terminal)',
    },
    { name: 'force', type: 'boolean', description: 'PostgreSQL: disconnect other sessions before dropping (PostgreSQL 13+)' },
  ],
  details:
    'PostgreSQL: connects to the maintenance database `postgres` on the same server to create or drop\n' +
    'the database the URL names. SQLite: creates or deletes the file (with its -wal and -shm files).',
  async run(context) {
    const action = context.positionals[0] as Action;
    if (!ACTIONS.includes(action)) {
      throw new UsageError(`unknown action "${action}" for strata database: use create, drop, reset or setup`);
    }
    const target = context.target();
    const admin = await openAdmin(target, context.io.cwd);
    try {
      return await perform(context, admin, action);
    } finally {
      await admin.close();
    }
  },
};

async function perform(context: CommandContext, admin: DatabaseAdmin, action: Action): Promise<number> {
  const { out } = context;
  const what = `database ${admin.name}${admin.location === admin.name ? '' : ` on ${admin.location}`}`;
  const result: Record<string, unknown> = { action, database: admin.name };

  if (action === 'drop' || action === 'reset') {
    const question = `${action === 'drop' ? 'Drop' : 'Reset (drop, create and migrate)'} ${what}? All its data will be lost.`;
    await confirmDestructive(context, `${action} database ${admin.name}`, question);
    const existed = await admin.exists();
    if (existed) await admin.drop(context.flag('force'));
    result.dropped = existed;
    if (!out.json) out.line(existed ? `Dropped ${what}.` : `${capitalise(what)} does not exist; nothing to drop.`);
    if (action === 'drop') return finish(context, result);
  }

  const exists = action === 'reset' ? false : await admin.exists();
  if (!exists) await admin.create();
  result.created = !exists;
  if (!out.json) out.line(exists ? `${capitalise(what)} already exists.` : `Created ${what}.`);
  if (action === 'create') return finish(context, result);

  const renderer = new ProgressRenderer(out);
  const report = await applyPending(await context.migrator({ onEvent: renderer.handle }), renderer);
  result.run = reportJson(report);
  if (!out.json) printReportSummary(out, report);
  return finish(context, result);
}

function finish(context: CommandContext, result: Record<string, unknown>): number {
  if (context.out.json) context.out.document(result);
  return 0;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The administration each database kind offers; a new dialect without one does not compile. */
const ADMINS: { [K in DialectName]: (target: Extract<DatabaseTarget, { kind: K }>, cwd: string) => Promise<DatabaseAdmin> } = {
  postgres: (target, cwd) => postgresAdmin(target, cwd),
  sqlite: async (target) => sqliteAdmin(target),
  mysql: (target, cwd) => mysqlAdmin(target, cwd),
};

function openAdmin(target: DatabaseTarget, cwd: string): Promise<DatabaseAdmin> {
  return (ADMINS[target.kind] as (target: DatabaseTarget, cwd: string) => Promise<DatabaseAdmin>)(target, cwd);
}
