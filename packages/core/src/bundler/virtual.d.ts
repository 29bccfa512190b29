/**
 * Types for `import migrations from 'virtual:strata-migrations'`, the module the plugins of
 * `@strata/core/bundler` generate at build time. Reference it once in the project:
 *   /// <reference types="@strata/core/virtual" />
 * or list "@strata/core/virtual" in tsconfig.json's compilerOptions.types.
 * The shape is written out (not imported) because an ambient module cannot import relatively;
 * it is assignable to `EmbeddedMigrations`, so `new Migrator({ db, migrations })` accepts it.
 */
declare module 'virtual:strata-migrations' {
  export interface EmbeddedMigration {
    /** Decimal string: versions reach 18 digits. */
    readonly version: string;
    readonly description: string;
    readonly upFile?: string;
    readonly downFile?: string;
    /** SHA-384 (hex) of the up script, computed at build time and verified before the script runs. */
    readonly checksum: string;
    readonly noTransaction: boolean;
    readonly downNoTransaction: boolean;
    readonly up: string;
    readonly down?: string;
  }
  export const migrations: readonly EmbeddedMigration[];
  /** SHA-256 (hex) over every version, checksum and transaction flag. */
  export const digest: string;
  /** SHA-256 (hex) the history table's summary equals once all of these are applied: the no-op check. */
  export const historyDigest: string;
  const embedded: {
    readonly migrations: readonly EmbeddedMigration[];
    readonly digest: string;
    readonly historyDigest: string;
  };
  export default embedded;
}
