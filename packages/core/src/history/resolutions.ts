/**
 * `strata resolve` changes a dirty history row (marks it successful, or deletes it so the next run
 * applies it again). So that this never erases what happened, the dirty row is first copied into
 * `<table>_resolutions` beside the history table, in the same transaction, with the outcome
 * chosen and when and by whom it was chosen. SQLx ignores the extra table.
 */
export function resolutionsTableName(table: string): string {
  return `${table}_resolutions`;
}
