export * from '../embed/index.js';
export { type EsbuildBuildLike, type EsbuildLoadResult, type EsbuildPluginLike, esbuildMigrations } from './esbuild-plugin.js';
export {
  type LoadedMigrationsModule,
  loadMigrationsModule,
  type MigrationsPluginOptions,
  VIRTUAL_MIGRATIONS_ID,
} from './migrations-module.js';
export {
  type RollupLoadContextLike,
  type RollupPluginLike,
  rollupMigrations,
  type ViteDevServerLike,
  viteMigrations,
} from './rollup-plugin.js';
