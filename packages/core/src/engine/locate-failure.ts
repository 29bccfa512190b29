import type { Session } from '../dialects/connection.js';
import type { HistoryStore } from '../history/history-store.js';
import { splitStatements } from '../sql/split-statements.js';
import { offsetOfCodePoint, withoutBom } from '../sql/text-position.js';
import type { Step } from './step.js';

/** A failed script is replayed to locate its failing statement only when that is cheap. */
const LOCATE_REPLAY_LIMIT_MS = 5_000;

export interface FailedScript {
  /** The script without its BOM. */
  body: string;
  original: unknown;
  /** From the start of the attempt (of the batch, in a single-transaction run) to the failure. */
  elapsedMs: number;
  /** The earlier steps of a single-transaction run, whose work the failing script saw. */
  ranBefore?: readonly Step[];
}

/**
 * A database may give no position for a run-time error (a constraint, a division by zero) and a
 * whole script is one call. A script of one statement is located at once; otherwise, when the
 * failed attempt was quick, it is replayed statement by statement in a transaction that is always
 * rolled back, to name the statement that fails. Harmless by construction: only transactional
 * scripts reach here, and a transactional script with transaction control is refused before it
 * runs, so nothing the replay re-runs was ever committed. Returns the offset in `body`, or
 * undefined when the replay does not reproduce the same error.
 */
export async function locateFailure(session: Session, history: HistoryStore, failed: FailedScript): Promise<number | undefined> {
  const { dialect } = history;
  const statements = splitStatements(failed.body, dialect.lexer).filter((statement) => !statement.empty);
  if (statements.length === 1) return statements[0]!.tokenStart;
  if (statements.length === 0 || failed.elapsedMs > LOCATE_REPLAY_LIMIT_MS || session.broken) return undefined;
  // Where DDL commits implicitly a replay could commit what it re-runs: the connection says where instead.
  if (!dialect.capabilities.transactionalDdl) return undefined;
  const code = dialect.describeFailure(failed.original).code;
  try {
    await session.begin();
    const limit = dialect.replayLimitSql(Math.max(1_000, failed.elapsedMs * 4));
    if (limit) await session.exec(limit);
    // A step of a single-transaction run saw the earlier steps' work: replay that first.
    for (const step of failed.ranBefore ?? []) {
      await session.exec(withoutBom(step.script).body);
      const change = history.finished(step, 0n);
      await session.query(change.sql, change.params);
    }
    for (const statement of statements) {
      try {
        await session.exec(statement.text);
      } catch (error) {
        const found = dialect.describeFailure(error);
        if (found.code !== code) return undefined;
        return found.position === undefined
          ? statement.tokenStart
          : statement.start + offsetOfCodePoint(statement.text, found.position - 1);
      }
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await session.rollback().catch(() => {});
  }
}
