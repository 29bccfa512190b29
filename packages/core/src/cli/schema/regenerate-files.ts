import type { SchemaFormat } from '../../schema/render-schema.js';
import type { OptionSpec } from '../command.js';
import type { CommandContext } from '../context.js';
import { printable } from '../format.js';
import { readGeneratedFilesConfig } from '../generated-files-config.js';
import { writeGeneratedFile } from './generated-file.js';

/** The flags `run`, `revert` and `redo` take to name the files they rewrite (package.json names them otherwise). */
export const REGENERATE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'dump-schema',
    type: 'string',
    value: 'FILE',
    description: 'afterwards, write the schema dump to FILE (default: package.json strata.schemaDump.out)',
  },
  {
    name: 'types',
    type: 'string',
    value: 'FILE',
    description: 'afterwards, write TypeScript types to FILE (default: package.json strata.types.out)',
  },
];

/**
 * What Diesel does with `schema.rs`: after a run, revert or redo that changed the database, the
 * configured schema dump and types are rewritten from it, so the committed files never fall behind.
 * Read before migrating, so a broken setting stops the command before it changes anything.
 */
export function planRegeneration(context: CommandContext): (changed: boolean) => Promise<void> {
  const config = readGeneratedFilesConfig(context.io.cwd);
  const dumpOut = context.option('dump-schema') ?? config.schemaDump?.out;
  const dumpFormat = formatFor(dumpOut, config.schemaDump);
  const typesOut = context.option('types') ?? config.types.out;
  if (dumpOut === undefined && typesOut === undefined) return async () => {};
  return async (changed) => {
    // A dry run or a no-op leaves the schema as it was; the files are rewritten only when it moved.
    if (!changed) return;
    // The schema reader and renderers load only when files are due: a no-op run never needs them.
    const [{ readDatabaseSchema }, { renderSchema }, { renderTypeScript }] = await Promise.all([
      import('../../schema/dump.js'),
      import('../../schema/render-schema.js'),
      import('../../schema/typescript-types.js'),
    ]);
    const db = await context.database();
    const model = await readDatabaseSchema(db.handle, { table: context.config.table, schema: context.config.schema });
    const files: [string, string][] = [];
    if (dumpOut !== undefined) files.push([dumpOut, renderSchema(model, dumpFormat)]);
    if (typesOut !== undefined) {
      files.push([
        typesOut,
        renderTypeScript(model, {
          overrides: config.types.overrides,
          safeIntegers: config.types.safeIntegers,
          kysely: config.types.kysely,
          imports: config.types.imports,
        }),
      ]);
    }
    for (const [out, text] of files) {
      const written = await writeGeneratedFile(context, out, text);
      const message = written ? `Wrote ${printable(out)}.` : `${printable(out)} is up to date.`;
      if (context.out.json) context.out.note(message);
      else context.out.line(context.out.style.dim(message));
    }
  };
}

/** The configured format for the configured file; for another file, what its extension says. */
function formatFor(out: string | undefined, configured: { out: string; format: SchemaFormat } | undefined): SchemaFormat {
  if (out === undefined) return 'sql';
  if (configured && configured.out === out) return configured.format;
  if (/\.json$/i.test(out)) return 'json';
  if (/\.(mmd|mermaid)$/i.test(out)) return 'mermaid';
  return 'sql';
}
