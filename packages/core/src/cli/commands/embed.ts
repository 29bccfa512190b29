import { relative, sep } from 'node:path';
import { generateEmbedding } from '../../embed/generate.js';
import { DEFAULT_EMBED_OUT } from '../../embed/output-files.js';
import { describeStaleness, type Freshness } from '../../embed/staleness.js';
import { checkEmbedding, writeEmbedding } from '../../embed/write-embedding.js';
import { describeNearMiss } from '../../source/near-misses.js';
import type { CommandDefinition } from '../command.js';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { plural, printable } from '../format.js';
import { plainIgnored } from '../near-miss-warnings.js';

export const command: CommandDefinition = {
  usage: '[--out FILE] [--check]',
  options: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'FILE',
      description: `module to generate: .ts/.mts, or .js/.mjs (+ .d.ts/.d.mts), or .cjs (default: ${DEFAULT_EMBED_OUT})`,
    },
    { name: 'check', type: 'boolean', description: 'write nothing; exit 1 if the file on disk differs from a fresh generation' },
  ],
  details:
    'Bakes every migration (version, description, up and down SQL, transaction mode and the checksum)\n' +
    'into one module, so a bundled or copied app carries its migrations and needs no folder beside it:\n' +
    "  import migrations from './migrations.gen.js';  new Migrator({ db, migrations })\n" +
    'The output is deterministic; the file is only rewritten when it changes. Keep it fresh with\n' +
    '"prebuild": "strata embed" in package.json, and run `strata embed --check` in CI.',
  async run(context) {
    const { out } = context;
    const outOption = context.option('out');
    const embedding = await generateEmbedding({
      source: context.config.sourcePath,
      out: outOption ?? DEFAULT_EMBED_OUT,
      cwd: context.io.cwd,
    });
    const check = context.flag('check');
    const outcomes = check ? await checkEmbedding(embedding.files) : await writeEmbedding(embedding.files);
    const show = (path: string) => displayPath(context, path);
    const fix = fixCommand(context, outOption);
    const directory = context.config.source.endsWith('/') ? context.config.source : `${context.config.source}/`;
    const summary = `${directory} (${plural(embedding.migrations.length, 'migration')}, digest ${embedding.digest.slice(0, 12)})`;

    const ignored = plainIgnored(embedding.ignored, embedding.nearMisses);
    if (ignored.length > 0) out.warn(printable(`not migrations, ignored: ${ignored.join(', ')}`));
    for (const miss of embedding.nearMisses) out.warn(printable(describeNearMiss(miss, context.config.source)));
    if (embedding.migrations.length === 0)
      out.warn(`${context.config.source} holds no migrations; the module embeds an empty set`);

    const stale = outcomes.filter((outcome) => outcome.freshness.state !== 'fresh');
    if (out.json) {
      out.document({
        check,
        source: context.config.source,
        migrations: embedding.migrations.length,
        digest: embedding.digest,
        files: outcomes.map((outcome) => ({
          path: show(outcome.path),
          state: check ? outcome.freshness.state : outcome.freshness.state === 'fresh' ? 'unchanged' : 'written',
          ...changesOf(outcome.freshness),
        })),
        ...(check && stale.length > 0 ? { fix } : {}),
      });
    } else if (check) {
      for (const outcome of outcomes) {
        const path = show(outcome.path);
        const { freshness } = outcome;
        if (freshness.state === 'fresh') out.line(out.style.green(`✓ ${path} is up to date`));
        else if (freshness.state === 'missing') out.line(out.style.red(`✗ ${path} does not exist`));
        else out.line(out.style.red(`✗ ${path} is stale: ${printable(describeStaleness(freshness))}`));
      }
      if (stale.length > 0) {
        const what = stale.length === 1 ? 'it' : 'them';
        out.line(`The generated module is out of date with ${summary}. Run \`${fix}\` to regenerate ${what}.`);
      } else {
        out.line(out.style.dim(`  ${summary}`));
      }
    } else {
      for (const outcome of outcomes) {
        const path = show(outcome.path);
        out.line(`${out.style.green('✓')} ${outcome.freshness.state === 'fresh' ? `${path} is up to date` : `wrote ${path}`}`);
      }
      out.line(out.style.dim(`  ${summary}`));
    }
    return check && stale.length > 0 ? EXIT_FAILURE : 0;
  },
};

function changesOf(freshness: Freshness): Record<string, string[]> {
  if (freshness.state !== 'stale') return {};
  return { added: freshness.added, changed: freshness.changed, removed: freshness.removed };
}

function displayPath(context: CommandContext, path: string): string {
  const shown = relative(context.io.cwd, path);
  return shown.startsWith('..') || shown === '' ? path : shown.split(sep).join('/');
}

/** The command that refreshes the file, with the options this run was given, ready to paste. */
function fixCommand(context: CommandContext, outOption: string | undefined): string {
  const parts = ['strata', 'embed'];
  if (context.config.source !== 'migrations') parts.push('--source', shellWord(context.config.source));
  if (outOption !== undefined) parts.push('--out', shellWord(outOption));
  return parts.join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
