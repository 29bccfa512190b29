/** `error` fails `strata lint` (exit 1); `warning` is printed and lets it pass. */
export type LintSeverity = 'error' | 'warning';

/** What a rule's configuration may say: its own severity, another one, or `off`. */
export type RuleSetting = LintSeverity | 'off';

/** One problem lint found, located in the file a person edits. */
export interface LintFinding {
  rule: string;
  severity: LintSeverity;
  /** The migration's version, as a decimal string (versions exceed Number.MAX_SAFE_INTEGER). */
  version: string;
  /** The up script's file, relative to the migrations directory; undefined for values without one. */
  file: string | undefined;
  /** 1-based; the column counts code points. */
  line: number;
  column: number;
  /** What the statement does and why it hurts: the lock it takes and what waits behind it. */
  message: string;
  /** The safe rewrite. */
  fix: string;
}

/** What lint found in a set of migrations. */
export interface LintReport {
  findings: LintFinding[];
  /** Migrations whose up script was read. */
  linted: number;
  /** Findings a `-- strata-lint-ignore` comment or the configuration silenced. */
  silenced: number;
}
