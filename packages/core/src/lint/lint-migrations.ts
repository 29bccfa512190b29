import type { DialectName } from '../dialects/dialect.js';
import { DIALECTS } from '../dialects/registry.js';
import type { Migration } from '../migration.js';
import { splitStatements } from '../sql/split-statements.js';
import { positionAt, withoutBom } from '../sql/text-position.js';
import { findTransactionControl } from '../sql/transaction-control.js';
import { findStatementsNotAllowedInTransaction } from '../sql/transaction-restrictions.js';
import { BatchState } from './batch-state.js';
import type { Fact } from './facts.js';
import type { LintFinding, LintReport, RuleSetting } from './finding.js';
import { type IgnoreDirective, names, readIgnoreDirectives } from './ignore-directives.js';
import { postgresFacts } from './postgres-facts.js';
import { loadPostgresParser, type PostgresParser } from './postgres-parser.js';
import type { Rule, RuleContext } from './rule.js';
import { RULES } from './rules/index.js';
import { sqliteFacts } from './sqlite-facts.js';

export interface LintOptions {
  /** Which database's rules and parser apply. */
  database: DialectName;
  /**
   * True for a migration not applied anywhere yet: the tables it creates are new to the
   * migrations after it (no traffic reaches them). Default: none is (a table is new only in the
   * migration that creates it).
   */
  pending?: ((migration: Migration) => boolean) | undefined;
  /** Report findings only in these; the others still tell what exists. Default: every migration. */
  only?: ((migration: Migration) => boolean) | undefined;
  /** Per rule: `off`, or the severity to report it with. */
  rules?: Readonly<Record<string, RuleSetting>> | undefined;
  /** The run sets `lock_timeout` for every transactional step (the lock guard): no file needs to. */
  lockGuard?: boolean | undefined;
}

/**
 * Reads every up script, in version order, and reports what would hurt a database under traffic.
 * Never throws for what a script holds (a statement PostgreSQL cannot parse is a finding); throws
 * LINT_PARSER_MISSING when PostgreSQL's parser is not installed.
 */
export async function lintMigrations(migrations: readonly Migration[], options: LintOptions): Promise<LintReport> {
  const parser = options.database === 'postgres' ? await loadPostgresParser() : undefined;
  const rules = activeRules(options.rules);
  const state = new BatchState();
  const report: LintReport = { findings: [], linted: 0, silenced: 0 };
  const sorted = [...migrations].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  for (const migration of sorted) {
    const pending = options.pending?.(migration) ?? false;
    const reported = options.only?.(migration) ?? true;
    if (reported) report.linted++;
    lintOne(migration, { ...options, parser, rules, state, pending, report: reported ? report : undefined });
  }
  return report;
}

interface OneOptions extends Omit<LintOptions, 'pending' | 'rules'> {
  parser: PostgresParser | undefined;
  rules: readonly ActiveRule[];
  state: BatchState;
  pending: boolean;
  report: LintReport | undefined;
}

interface ActiveRule {
  rule: Rule;
  severity: LintFinding['severity'];
}

function lintOne(migration: Migration, options: OneOptions): void {
  const { body, bomLength } = withoutBom(migration.up);
  const dialect = DIALECTS[options.database];
  const state = options.state;
  // Created here, or by this pending migration: new for the rest of this file. Created by an
  // applied one: new only inside the file itself, and forgotten after it.
  const here = new BatchState();
  const notValidHere = new Set<string>();
  let lockTimeoutSet = options.lockGuard === true;
  const context: RuleContext = {
    database: options.database,
    transactional: !migration.noTransaction,
    isNewTable: (table) => here.isNewTable(table) || state.isNewTable(table),
    isNewIndex: (index) => here.isNewIndex(index) || state.isNewIndex(index),
    hasValidatedNotNull: (table, column) => state.hasValidatedNotNull(table, column),
    addedNotValidHere: (name) => notValidHere.has(name.toLowerCase()),
    get lockTimeoutSet() {
      return lockTimeoutSet;
    },
  };
  const silence = options.report ? silencer(body, readIgnoreDirectives(body), dialect.lexer) : undefined;
  for (const fact of facts(body, options)) {
    if (options.report && silence) {
      for (const { rule, severity } of options.rules) {
        if (!(rule.kinds as readonly string[]).includes(fact.kind)) continue;
        const hit = rule.check(fact as never, context);
        if (!hit) continue;
        if (silence(fact.offset, rule.id)) {
          options.report.silenced++;
          continue;
        }
        const { line, column } = positionAt(migration.up, bomLength + fact.offset);
        options.report.findings.push({
          rule: rule.id,
          severity,
          version: String(migration.version),
          file: migration.upFile,
          line,
          column,
          ...hit,
        });
      }
    }
    if (fact.kind === 'set-lock-timeout') lockTimeoutSet = true;
    if (fact.kind === 'add-constraint' && fact.notValid && fact.name) notValidHere.add(fact.name.toLowerCase());
    remember(fact, here);
    remember(fact, state, options.pending);
  }
}

/** What a statement changes in what exists; `isNew`: whether what it creates is new to later migrations. */
function remember(fact: Fact, state: BatchState, isNew = true): void {
  switch (fact.kind) {
    case 'create-table':
      if (isNew) state.created(fact.table);
      break;
    case 'create-index':
      if (isNew && fact.index) state.createdIndex(fact.index);
      break;
    case 'rename-table':
      state.renamed(fact.table, fact.to);
      break;
    case 'drop-table':
      for (const table of fact.tables) state.dropped(table);
      break;
    case 'add-constraint':
      if (fact.provesNotNull) state.notNullCheck(fact.table, fact.provesNotNull, fact.name, !fact.notValid);
      break;
    case 'validate-constraint':
      state.validated(fact.name);
      break;
  }
}

/** The script's facts in the order its statements run: the parser's (or the lexer's) and the transaction checks'. */
function facts(body: string, options: OneOptions): Fact[] {
  const dialect = DIALECTS[options.database];
  const found: Fact[] = options.parser ? postgresFacts(body, options.parser, dialect.lexer) : sqliteFacts(body, dialect.lexer);
  for (const { statement, offset } of findTransactionControl(body, dialect.lexer)) {
    found.push({ kind: 'transaction-control', offset, statement });
  }
  for (const { statement, offset } of findStatementsNotAllowedInTransaction(body, dialect)) {
    found.push({ kind: 'refused-in-transaction', offset, statement });
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/**
 * Whether a finding at an offset is silenced by a directive: one for the whole file, or one
 * owned by the finding's statement. A directive is owned by the statement it precedes, or by the
 * statement whose line it ends (`CREATE INDEX ...; -- strata-lint-ignore ...`).
 */
function silencer(body: string, directives: IgnoreDirective[], lexer: Parameters<typeof splitStatements>[1]) {
  if (directives.length === 0) return () => false;
  const pieces = splitStatements(body, lexer);
  const pieceAt = (offset: number): number => {
    let low = 0;
    let high = pieces.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (pieces[mid]!.start <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  };
  const owners = directives.map((directive) => {
    if (directive.wholeFile) return -1;
    const index = pieceAt(directive.offset);
    const piece = pieces[index]!;
    const trailing = index > 0 && !/[\r\n]/.test(body.slice(piece.start, directive.offset));
    return trailing ? index - 1 : index;
  });
  return (offset: number, rule: string): boolean => {
    const index = pieceAt(offset);
    return directives.some((directive, i) => names(directive, rule) && (owners[i] === -1 || owners[i] === index));
  };
}

function activeRules(settings: LintOptions['rules']): ActiveRule[] {
  const active: ActiveRule[] = [];
  for (const rule of RULES) {
    const setting = settings?.[rule.id] ?? rule.severity;
    if (setting !== 'off') active.push({ rule, severity: setting });
  }
  return active;
}
