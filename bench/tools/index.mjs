/** Every tool the bench runs, strata first; floors are the hand-written lower bounds. */
export const TOOL_NAMES = [
  'strata',
  'strata-embedded',
  'raw-pg',
  'raw-sqlite',
  'knex',
  'node-pg-migrate',
  'postgrator',
  'kysely',
  'umzug',
  'dbmate',
];

export async function loadTool(name) {
  if (!TOOL_NAMES.includes(name)) throw new Error(`unknown tool ${name}`);
  return (await import(`./${name}.mjs`)).default;
}

export async function loadTools(names = TOOL_NAMES) {
  return Promise.all(names.map(loadTool));
}
