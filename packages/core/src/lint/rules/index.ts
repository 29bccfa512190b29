import type { Rule } from '../rule.js';
import { addColumnNotNullWithoutDefault } from './add-column-not-null-without-default.js';
import { addColumnPerRowDefault } from './add-column-per-row-default.js';
import { addConstraintWithoutNotValid } from './add-constraint-without-not-valid.js';
import { alterColumnType } from './alter-column-type.js';
import { createIndexNotConcurrently } from './create-index-not-concurrently.js';
import { dropColumn } from './drop-column.js';
import { dropIndexNotConcurrently } from './drop-index-not-concurrently.js';
import { dropTable } from './drop-table.js';
import { missingLockTimeout } from './missing-lock-timeout.js';
import { pragmaForeignKeys } from './pragma-foreign-keys.js';
import { refusedInTransaction } from './refused-in-transaction.js';
import { renameColumn } from './rename-column.js';
import { renameTable } from './rename-table.js';
import { setNotNull } from './set-not-null.js';
import { syntaxError } from './syntax-error.js';
import { transactionControl } from './transaction-control.js';
import { validateInSameTransaction } from './validate-in-same-transaction.js';

/** Every rule, in the order the README lists them. */
export const RULES: readonly Rule[] = [
  createIndexNotConcurrently,
  dropIndexNotConcurrently,
  refusedInTransaction,
  addColumnPerRowDefault,
  addColumnNotNullWithoutDefault,
  alterColumnType,
  setNotNull,
  addConstraintWithoutNotValid,
  validateInSameTransaction,
  renameTable,
  renameColumn,
  dropTable,
  dropColumn,
  missingLockTimeout,
  transactionControl,
  pragmaForeignKeys,
  syntaxError,
];
