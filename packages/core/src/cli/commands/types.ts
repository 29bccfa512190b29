import { renderTypeScript, type TypeScriptOptions } from '../../schema/typescript-types.js';
import type { CommandDefinition } from '../command.js';
import type { CommandContext } from '../context.js';
import { printable } from '../format.js';
import { mergeOverrides, readGeneratedFilesConfig } from '../generated-files-config.js';
import { checkGeneratedFile, writeGeneratedFile } from '../schema/generated-file.js';
import { modelSummary } from '../schema/model-summary.js';
import { readSchemaModel } from '../schema/read-model.js';
import { UsageError } from '../usage-error.js';

export const command: CommandDefinition = {
  usage: '[--out FILE] [--check] [--from-migrations] [--override KEY=TYPE]... [--safe-integers] [--kysely] [--include-history]',
  options: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'FILE',
      description: 'write to FILE instead of stdout (default with --check: package.json strata.types.out)',
    },
    { name: 'check', type: 'boolean', description: 'write nothing; exit 1 when FILE differs from fresh types (for CI)' },
    {
      name: 'from-migrations',
      type: 'boolean',
      description: 'types for what the migrations make, on a temporary database (SQLite: in memory), not the live one',
    },
    {
      name: 'shadow-url',
      type: 'string',
      value: 'URL',
      description: 'with --from-migrations: an empty database to use instead of a temporary one',
    },
    {
      name: 'override',
      type: 'string',
      multiple: true,
      value: 'KEY=TYPE',
      description: 'a TypeScript type for a database type (int8=bigint) or a column (users.settings=Settings); repeatable',
    },
    {
      name: 'safe-integers',
      type: 'boolean',
      description: "SQLite: integers as bigint, for better-sqlite3's safeIntegers()",
    },
    { name: 'kysely', type: 'boolean', description: "import type { ColumnType } from 'kysely' instead of declaring it" },
    { name: 'include-history', type: 'boolean', description: "include strata's history, resolutions and lease tables" },
  ],
  details:
    'An interface per table and view with the types pg (its default parsers) or better-sqlite3 return,\n' +
    'a Kysely table per table whose generated and defaulted columns are Generated<T> / GeneratedAlways<T>,\n' +
    'and DB for `new Kysely<DB>()`. Settings in package.json: strata.types { out, overrides, safeIntegers,\n' +
    'kysely, imports }; flags win. CI: `strata types --from-migrations --check`.',
  async run(context) {
    const configured = readGeneratedFilesConfig(context.io.cwd).types;
    const out = context.option('out') ?? (context.flag('check') ? configured.out : undefined);
    if (context.flag('check') && out === undefined) {
      throw new UsageError('--check compares a file with fresh types: add --out FILE, or set strata.types.out in package.json');
    }
    const flagOverrides = overrideFlags(context);
    const options: TypeScriptOptions = {
      overrides: mergeOverrides(configured.overrides, flagOverrides),
      safeIntegers: context.flag('safe-integers') || configured.safeIntegers,
      kysely: context.flag('kysely') || configured.kysely,
      imports: configured.imports,
    };
    const model = await readSchemaModel(context);
    const text = renderTypeScript(model, options);
    if (out === undefined) {
      if (context.out.json) context.out.document({ typescript: text });
      else context.out.line(text.replace(/\n$/, ''));
      return 0;
    }
    if (context.flag('check')) {
      return checkGeneratedFile(context, { out, text, fix: regenerate(context, out, flagOverrides), json: {} });
    }
    await writeGeneratedFile(context, out, text);
    if (context.out.json) context.out.document({ file: out, written: true });
    else context.out.line(`Wrote ${printable(out)} (${modelSummary(model)}).`);
    return 0;
  },
};

function overrideFlags(context: CommandContext): string[] {
  const given = context.values.override;
  return Array.isArray(given) ? given : typeof given === 'string' ? [given] : [];
}

/** The command that rewrites the file, with the flags that shaped these types (package.json's settings apply by themselves). */
function regenerate(context: CommandContext, out: string, overrides: readonly string[]): string {
  const flags = [
    context.flag('from-migrations') ? '--from-migrations' : '',
    context.flag('include-history') ? '--include-history' : '',
    context.flag('safe-integers') ? '--safe-integers' : '',
    context.flag('kysely') ? '--kysely' : '',
    ...overrides.map((override) => `--override ${shellWord(override)}`),
    context.config.source === 'migrations' ? '' : `--source ${shellWord(context.config.source)}`,
    `--out ${shellWord(out)}`,
  ];
  return ['strata types', ...flags].filter(Boolean).join(' ');
}

function shellWord(text: string): string {
  return /^[\w./=@:-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
