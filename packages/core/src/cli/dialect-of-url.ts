import type { Dialect } from '../dialects/dialect.js';
import { DIALECTS } from '../dialects/registry.js';
import type { CommandContext } from './context.js';
import { parseDatabaseUrl } from './database-url.js';

/** Without a connection the URL's scheme still says which database's rules apply; PostgreSQL's are the stricter. */
export function offlineDialect(context: CommandContext): Dialect {
  const url = context.config.databaseUrl;
  if (!url) return DIALECTS.postgres;
  try {
    return DIALECTS[parseDatabaseUrl(url, context.config.databaseUrlBase).kind];
  } catch {
    return DIALECTS.postgres;
  }
}
