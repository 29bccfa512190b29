const DIRECTIVE = '-- no-transaction';

/**
 * SQLx's opt-out of the per-migration transaction: the first line (after an optional UTF-8 BOM)
 * is exactly `-- no-transaction`, give or take trailing whitespace or a `\r`. Stricter than
 * SQLx's `starts_with`, so `-- no-transactional` or an indented directive does not count.
 */
export function hasNoTransactionDirective(script: string): boolean {
  const from = script.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (!script.startsWith(DIRECTIVE, from)) return false;
  const newline = script.indexOf('\n', from);
  const rest = script.slice(from + DIRECTIVE.length, newline < 0 ? script.length : newline);
  return /^[ \t\r\f\v]*$/.test(rest);
}
