/** A migration recorded as applied without running it (baseline, import). */
export interface RecordedMigration {
  version: bigint;
  description: string;
}

/** What `baseline` or `importHistory` recorded (or, with `dryRun`, would record). */
export interface AdoptionReport {
  dryRun: boolean;
  /** Migrations recorded as applied, in version order. Empty for a dry run (see `planned`). */
  recorded: RecordedMigration[];
  /** What the plan held: for a dry run, what would be recorded. */
  planned: RecordedMigration[];
  /** Versions left alone because strata's history already records them (`skipApplied`). */
  alreadyApplied: bigint[];
}
