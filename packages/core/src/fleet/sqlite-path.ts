import { StrataError } from '../errors.js';

/**
 * The file a `sqlite:` URL names, read as SQLx reads it (`sqlite://app.db`, `sqlite:app.db`,
 * `sqlite:///abs/app.db`, `?mode=rwc` to create it). A fleet's files are paths on disk: relative
 * ones are taken from the working directory, and an in-memory database is refused, since a
 * fleet member that vanishes when its connection closes cannot be migrated.
 */
export function sqlitePath(url: string): { path: string; create: boolean } {
  const rest = url.replace(/^sqlite:(\/\/)?/i, '');
  const question = rest.indexOf('?');
  const raw = question === -1 ? rest : rest.slice(0, question);
  const mode = new URLSearchParams(question === -1 ? '' : rest.slice(question + 1)).get('mode');
  if (raw === '' || raw === ':memory:' || mode === 'memory') {
    throw new StrataError('INVALID_OPTIONS', `a fleet target must name a SQLite file, not ${url}`);
  }
  return { path: decodeURIComponent(raw), create: mode === 'rwc' };
}
