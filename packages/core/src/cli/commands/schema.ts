import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readDatabaseSchema, schemaOfMigrations } from '../../schema/dump.js';
import { renderSchema, SCHEMA_FORMATS, type SchemaFormat } from '../../schema/render-schema.js';
import type { SchemaModel } from '../../schema/schema-model.js';
import type { CommandDefinition } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { plural, printable } from '../format.js';
import { migrationsSource } from '../schema/migrations-source.js';
import { openShadowUrl, shadowOption } from '../schema/shadow-handle.js';
import { UsageError } from '../usage-error.js';

export const command: CommandDefinition = {
  usage: 'dump [--format sql|json|mermaid] [--out FILE] [--check] [--from-migrations] [--include-history]',
  positionals: [{ name: 'action', required: true, description: 'dump' }],
  options: [
    {
      name: 'format',
      type: 'string',
      value: 'FORMAT',
      description: 'sql (default), json (same as --json) or mermaid (an ER diagram)',
    },
    { name: 'out', short: 'o', type: 'string', value: 'FILE', description: 'write to FILE instead of stdout' },
    {
      name: 'check',
      type: 'boolean',
      description: 'with --out: write nothing; exit 1 when FILE differs from a fresh dump (for CI)',
    },
    {
      name: 'from-migrations',
      type: 'boolean',
      description:
        'dump what the migrations make, not what the database holds: they are applied to a temporary database on the same server (SQLite: in memory), read and dropped',
    },
    {
      name: 'shadow-url',
      type: 'string',
      value: 'URL',
      description: 'with --from-migrations: an empty database to use instead of a temporary one',
    },
    { name: 'include-history', type: 'boolean', description: "keep strata's history, resolutions and lease tables in the dump" },
  ],
  details:
    'Schemas, tables (columns, types, defaults, generated and identity columns), keys, checks, indexes,\n' +
    'views and materialized views, functions and procedures, triggers, enums, domains and other types,\n' +
    'sequences, extensions and comments, in a stable order with no OIDs or timestamps: two databases\n' +
    'migrated from the same files dump the same bytes. --source may name a module `strata embed` built.\n' +
    'CI: `strata schema dump --from-migrations --out schema.sql --check`.',
  async run(context) {
    const action = context.positionals[0];
    if (action !== 'dump') throw new UsageError(`unknown action "${action}" for strata schema: use dump`);
    const format = formatOf(context);
    const out = context.option('out');
    if (context.flag('check') && out === undefined) {
      throw new UsageError('--check compares a file with a fresh dump: add --out FILE');
    }
    const model = await readModel(context);
    const text = renderSchema(model, format);
    if (out === undefined) {
      if (context.out.json) context.out.document(model);
      else context.out.line(text.replace(/\n$/, ''));
      return 0;
    }
    const path = resolve(context.io.cwd, out);
    if (context.flag('check')) return check(context, path, text, format);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    if (context.out.json) context.out.document({ file: out, format, written: true });
    else context.out.line(`Wrote ${printable(out)} (${summary(model)}).`);
    return 0;
  },
};

function formatOf(context: CommandContext): SchemaFormat {
  const given = context.option('format');
  if (given === undefined) return context.out.json ? 'json' : 'sql';
  if (!SCHEMA_FORMATS.includes(given as SchemaFormat)) {
    throw new UsageError(`unknown --format "${given}": use ${SCHEMA_FORMATS.join(', ')}`);
  }
  return given as SchemaFormat;
}

async function readModel(context: CommandContext): Promise<SchemaModel> {
  const options = {
    table: context.config.table,
    schema: context.config.schema,
    includeHistory: context.flag('include-history'),
  };
  const db = await context.database();
  if (!context.flag('from-migrations')) return readDatabaseSchema(db.handle, options);
  const shadow = await openShadowUrl(context);
  try {
    return await schemaOfMigrations(db.handle, {
      ...options,
      migrations: await migrationsSource(context),
      ...shadowOption(shadow),
    });
  } finally {
    await shadow?.close();
  }
}

async function check(context: CommandContext, path: string, text: string, format: SchemaFormat): Promise<number> {
  const out = context.option('out')!;
  let current: string | undefined;
  try {
    current = await readFile(path, 'utf8');
  } catch {
    current = undefined;
  }
  const fresh = current === text;
  if (context.out.json) {
    context.out.document({ file: out, format, fresh, exists: current !== undefined });
  } else if (fresh) {
    context.out.line(context.out.style.green(`✓ ${printable(out)} is up to date.`));
  } else {
    const state = current === undefined ? 'does not exist' : 'is stale';
    context.out.line(
      context.out.style.red(`✗ ${printable(out)} ${state}: run \`${regenerate(context, out, format)}\` and commit it.`),
    );
  }
  return fresh ? 0 : EXIT_FAILURE;
}

/** The command that rewrites the file, with the flags that shaped this dump. */
function regenerate(context: CommandContext, out: string, format: SchemaFormat): string {
  const flags = [
    format === 'sql' ? '' : `--format ${format}`,
    context.flag('from-migrations') ? '--from-migrations' : '',
    context.flag('include-history') ? '--include-history' : '',
    context.config.source === 'migrations' ? '' : `--source ${context.config.source}`,
    `--out ${out}`,
  ];
  return ['strata schema dump', ...flags].filter(Boolean).join(' ');
}

function summary(model: SchemaModel): string {
  const parts = [plural(model.tables.length, 'table')];
  if (model.views.length > 0) parts.push(plural(model.views.length, 'view'));
  if (model.indexes.length > 0) parts.push(plural(model.indexes.length, 'index', 'indexes'));
  return parts.join(', ');
}
