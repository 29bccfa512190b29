import type { Version } from './version.js';

/** One migration, however it was sourced (a directory read at run time or an embedded manifest). */
export interface Migration {
  readonly version: Version;
  /** Human description: the file name's rest with `_` turned into spaces (SQLx's rule). */
  readonly description: string;
  readonly up: string;
  /** The down script; absent for simple (irreversible) migrations. */
  readonly down?: string;
  /** SHA-384 of the up script's bytes exactly as stored. */
  readonly checksum: Uint8Array;
  /** True when the up script must run outside a transaction (`-- no-transaction` or Diesel metadata). */
  readonly noTransaction: boolean;
  /** True when the down script must run outside a transaction. */
  readonly downNoTransaction: boolean;
  /** Where the scripts came from, for error messages; relative to the migrations directory. */
  readonly upFile?: string;
  readonly downFile?: string;
}

/**
 * A migration given as a value: what `strata embed` generates and what a caller may write by hand.
 * `version` may be a bigint, a decimal string or a safe integer.
 */
export interface MigrationInput {
  version: bigint | string | number;
  description: string;
  up: string;
  down?: string | null;
  /** Run the up script outside a transaction. Defaults to the script's `-- no-transaction` directive. */
  noTransaction?: boolean;
  downNoTransaction?: boolean;
  /** Checksum computed when the value was generated (hex or bytes); verified against `up` when present. */
  checksum?: string | Uint8Array;
  upFile?: string;
  downFile?: string;
}
