const DIRECTIVE = '-- no-transaction';

/**
 * SQLx's opt-out of the per-migration transaction: the script starts with `-- no-transaction`.
 * The rule is SQLx's own `starts_with`, so a history shared with a Rust service runs every file
 * the same way under both tools. A UTF-8 BOM before it is skipped (an editor added it, the author
 * did not mean to change the directive).
 */
export function hasNoTransactionDirective(script: string): boolean {
  const from = script.charCodeAt(0) === 0xfeff ? 1 : 0;
  return script.startsWith(DIRECTIVE, from);
}
