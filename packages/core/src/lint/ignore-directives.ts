/**
 * How a person silences a finding in the file itself:
 *
 *   -- strata-lint-ignore RULE[,RULE...] [reason]        the statement after it (or the one it ends the line of)
 *   -- strata-lint-ignore-file RULE[,RULE...] [reason]   the whole file
 *
 * `all` names every rule. Read from line comments with a pattern rather than the lexer: the
 * lexer skips comments, and a directive written inside a string literal is not a real risk.
 */
export interface IgnoreDirective {
  rules: ReadonlySet<string>;
  /** UTF-16 index of the comment's `--`. */
  offset: number;
  wholeFile: boolean;
}

const DIRECTIVE = /--[ \t]*strata-lint-ignore(-file)?[ \t]+([A-Za-z0-9_,-]+)/g;

export function readIgnoreDirectives(script: string): IgnoreDirective[] {
  if (!script.includes('strata-lint-ignore')) return [];
  const found: IgnoreDirective[] = [];
  for (const match of script.matchAll(DIRECTIVE)) {
    found.push({
      rules: new Set(match[2]!.split(',').filter((rule) => rule !== '')),
      offset: match.index,
      wholeFile: match[1] !== undefined,
    });
  }
  return found;
}

/** Whether the directive names this rule. */
export function names(directive: IgnoreDirective, rule: string): boolean {
  return directive.rules.has(rule) || directive.rules.has('all');
}
