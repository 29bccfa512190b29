import { renderSchema, SCHEMA_FORMATS, type SchemaFormat } from '../../schema/render-schema.js';
import type { CommandDefinition } from '../command.js';
import type { CommandContext } from '../context.js';
import { printable } from '../format.js';
import { readGeneratedFilesConfig } from '../generated-files-config.js';
import { checkGeneratedFile, writeGeneratedFile } from '../schema/generated-file.js';
import { modelSummary } from '../schema/model-summary.js';
import { readSchemaModel } from '../schema/read-model.js';
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
      description:
        'write nothing; exit 1 when FILE (--out, else package.json strata.schemaDump.out) differs from a fresh dump (for CI)',
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
    // `--check` alone checks the file package.json names (strata.schemaDump), in its format.
    const configured =
      context.flag('check') && context.option('out') === undefined
        ? readGeneratedFilesConfig(context.io.cwd).schemaDump
        : undefined;
    const format = context.option('format') === undefined && configured ? configured.format : formatOf(context);
    const out = context.option('out') ?? configured?.out;
    if (context.flag('check') && out === undefined) {
      throw new UsageError(
        '--check compares a file with a fresh dump: add --out FILE, or set strata.schemaDump.out in package.json',
      );
    }
    const model = await readSchemaModel(context);
    const text = renderSchema(model, format);
    if (out === undefined) {
      if (context.out.json) context.out.document(model);
      else context.out.line(text.replace(/\n$/, ''));
      return 0;
    }
    if (context.flag('check')) {
      return checkGeneratedFile(context, { out, text, fix: regenerate(context, out, format), json: { format } });
    }
    await writeGeneratedFile(context, out, text);
    if (context.out.json) context.out.document({ file: out, format, written: true });
    else context.out.line(`Wrote ${printable(out)} (${modelSummary(model)}).`);
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
