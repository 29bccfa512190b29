import { dbmate } from './dbmate.js';
import { diesel } from './diesel.js';
import { drizzle } from './drizzle.js';
import { flyway } from './flyway.js';
import { golangMigrate } from './golang-migrate.js';
import { knex } from './knex.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { prisma } from './prisma.js';
import { sqlx } from './sqlx.js';
import type { ForeignTool, ToolName } from './tool.js';
import { typeorm } from './typeorm.js';

/** Every tool `strata import --from` reads: adding a ToolName without its reader does not compile. */
export const FOREIGN_TOOLS: Readonly<Record<ToolName, ForeignTool>> = {
  diesel,
  sqlx,
  knex,
  'node-pg-migrate': nodePgMigrate,
  prisma,
  drizzle,
  typeorm,
  flyway,
  dbmate,
  'golang-migrate': golangMigrate,
};

export const TOOL_NAMES = Object.keys(FOREIGN_TOOLS) as ToolName[];

export function isToolName(name: unknown): name is ToolName {
  return typeof name === 'string' && Object.hasOwn(FOREIGN_TOOLS, name);
}
