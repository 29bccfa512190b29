import type { DatabaseHandle } from '../../dialects/registry.js';
import { type OpenDatabase, openDatabase as openCliDatabase } from '../connect.js';
import type { CommandContext } from '../context.js';
import { parseDatabaseUrl } from '../database-url.js';
import { UsageError } from '../usage-error.js';

/** `--shadow-url`, opened like the main URL (its password kept out of every message); undefined without it. */
export async function openShadowUrl(context: CommandContext): Promise<OpenDatabase | undefined> {
  const url = context.option('shadow-url');
  if (url === undefined) return undefined;
  const target = parseDatabaseUrl(url, context.io.cwd, context.config.connectTimeoutMs);
  if ('password' in target) context.out.addSecret(target.password);
  if (target.kind !== context.target().kind) {
    throw new UsageError(`--shadow-url names a ${target.kind} database but the database is ${context.target().kind}`, {
      hint: 'the shadow must be the same kind of database as the one it is compared with',
    });
  }
  return openCliDatabase(target, context.io.cwd);
}

/** The handle of an opened shadow, for the library's `shadow` option. */
export function shadowOption(shadow: OpenDatabase | undefined): { shadow?: DatabaseHandle } {
  return shadow ? { shadow: shadow.handle } : {};
}
