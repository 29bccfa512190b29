import { join } from 'node:path';
import type { CommandDefinition } from '../command.js';
import { printable } from '../format.js';
import { atMostOne } from '../option-parsers.js';
import { type Layout, scaffoldMigration } from '../scaffold.js';
import { UsageError } from '../usage-error.js';

export const command: CommandDefinition = {
  usage: '[-r] [-s | -t] [--layout sqlx|diesel] <name>',
  positionals: [
    { name: 'name', required: true, description: 'what the migration does, e.g. create_users ("create users" works too)' },
  ],
  options: [
    {
      name: 'reversible',
      short: 'r',
      type: 'boolean',
      description: 'create an up/down pair (kept automatically in a directory of pairs)',
    },
    {
      name: 'sequential',
      short: 's',
      type: 'boolean',
      description: 'number it 0001, 0002, ... (default: what the directory uses)',
    },
    {
      name: 'timestamp',
      short: 't',
      type: 'boolean',
      description: 'number it with the UTC time, YYYYMMDDHHMMSS (default for a new directory)',
    },
    {
      name: 'layout',
      type: 'string',
      value: 'sqlx|diesel',
      description: 'flat SQLx files or Diesel sub-directories (default: what the directory uses, else sqlx)',
    },
  ],
  details: 'Mixing styles is refused: -r in a directory of simple migrations, or a layout other than the one the directory uses.',
  async run(context) {
    atMostOne(context, ['sequential', 'timestamp']);
    const layout = context.option('layout');
    if (layout !== undefined && layout !== 'sqlx' && layout !== 'diesel') {
      throw new UsageError(`--layout is sqlx or diesel, not "${layout}"`);
    }
    const created = await scaffoldMigration({
      directory: context.config.sourcePath,
      displayDirectory: context.config.source,
      name: context.positionals[0]!,
      reversible: context.flag('reversible') ? true : undefined,
      numbering: context.flag('sequential') ? 'sequential' : context.flag('timestamp') ? 'timestamp' : undefined,
      layout: layout as Layout | undefined,
      now: new Date(),
    });
    const paths = created.files.map((file) => join(context.config.source, file));
    if (context.out.json) {
      context.out.document({ ...created, files: paths });
      return 0;
    }
    for (const path of paths) context.out.line(`${context.out.style.green('created')} ${printable(path)}`);
    return 0;
  },
};
