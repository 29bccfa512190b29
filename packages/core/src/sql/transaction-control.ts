import type { LexerOptions } from './split-statements.js';
import { splitStatements } from './split-statements.js';
import { StatementReader } from './statement-reader.js';

export interface TransactionControl {
  /** The statement as written in capitals, e.g. `COMMIT`, `ROLLBACK`, `BEGIN`. */
  statement: string;
  /** UTF-16 index in the source of the statement's first token. */
  offset: number;
}

/**
 * Statements that begin, end or abandon a transaction. In a transactional migration they would
 * end strata's transaction under it — committing half a migration, or throwing it away while its
 * history row is still written — so such a script is refused before anything runs. `SAVEPOINT`,
 * `RELEASE SAVEPOINT` and `ROLLBACK TO` stay inside the transaction and are allowed.
 */
export function findTransactionControl(source: string, lexer: LexerOptions): TransactionControl[] {
  const found: TransactionControl[] = [];
  // Most scripts hold none of these words anywhere: no need to lex them statement by statement.
  if (!MAY_CONTROL.test(source)) return found;
  for (const piece of splitStatements(source, lexer)) {
    if (piece.empty) continue;
    const statement = transactionControl(new StatementReader(source, piece.tokenStart, piece.end, lexer));
    if (statement !== undefined) found.push({ statement, offset: piece.tokenStart });
  }
  return found;
}

const MAY_CONTROL = /\b(?:begin|start|commit|end|abort|prepare|rollback)\b/i;

function transactionControl(r: StatementReader): string | undefined {
  if (r.accept('BEGIN')) return 'BEGIN';
  if (r.acceptAll('START', 'TRANSACTION')) return 'START TRANSACTION';
  if (r.accept('COMMIT')) return 'COMMIT';
  if (r.accept('END')) return 'END';
  if (r.accept('ABORT')) return 'ABORT';
  if (r.acceptAll('PREPARE', 'TRANSACTION')) return 'PREPARE TRANSACTION';
  if (r.accept('ROLLBACK')) {
    r.accept('WORK') || r.accept('TRANSACTION');
    // ROLLBACK TO [SAVEPOINT] x undoes part of the transaction and keeps it open.
    return r.accept('TO') ? undefined : 'ROLLBACK';
  }
  return undefined;
}
