/** Every tool the bench runs, strata first; floors are the hand-written lower bounds. */
export const TOOL_NAMES = [
  'strata',
  'strata-embedded',
  'strata-single-transaction',
  'raw-pg',
  'raw-sqlite',
  'knex',
  'node-pg-migrate',
  'postgrator',
  'kysely',
  'umzug',
  'drizzle',
  'dbmate',
];

/**
 * Whether a tool runs in a workload: every tool runs everywhere its dialects allow, except a
 * variant of strata, which runs only in the workloads it lists (where it differs from strata).
 */
export function runsIn(tool, workload) {
  return !tool.variantOf || (tool.workloads ?? []).includes(workload);
}

/** How the reports name a tool: its label when it has one (variants do). */
export function toolLabel(tools, name) {
  return tools?.[name]?.label ?? name;
}

export async function loadTool(name) {
  if (!TOOL_NAMES.includes(name)) throw new Error(`unknown tool ${name}`);
  return (await import(`./${name}.mjs`)).default;
}

export async function loadTools(names = TOOL_NAMES) {
  return Promise.all(names.map(loadTool));
}
