import { resolve, sep } from 'node:path';
import { loadMigrationsModule, type MigrationsPluginOptions, VIRTUAL_MIGRATIONS_ID } from './migrations-module.js';

/**
 * The part of the Rollup plugin API the adapter uses (Vite and Rolldown share it), written out so
 * `@strata/core` needs neither's types: their own `Plugin` types accept what `rollupMigrations()` returns.
 */
export interface RollupPluginLike {
  name: string;
  /** Vite only: where a relative directory resolves when `root` was not given. */
  configResolved(config: { root: string }): void;
  resolveId(source: string): string | null;
  load(this: RollupLoadContextLike, id: string): Promise<string | null>;
  /** Vite's dev server only: a migration edited, added or removed invalidates the module. */
  configureServer(server: ViteDevServerLike): void;
}

export interface RollupLoadContextLike {
  addWatchFile(id: string): void;
  error(message: string): never;
  warn(message: string): void;
}

export interface ViteDevServerLike {
  watcher: {
    add(paths: string | readonly string[]): unknown;
    on(event: 'all', listener: (eventName: string, path: string) => void): unknown;
  };
  environments?: Record<string, { moduleGraph: ViteModuleGraphLike }>;
}

interface ViteModuleGraphLike {
  getModuleById(id: string): unknown;
  invalidateModule(module: never): void;
}

/**
 * `import migrations from 'virtual:strata-migrations'` for Rollup, Rolldown and Vite (build and
 * dev server). The module is generated from the directory when it is loaded; every file and the
 * directory itself are registered with `this.addWatchFile`, so `rollup -w` and `vite build
 * --watch` rebuild when a migration is edited, added or removed.
 */
export function rollupMigrations(options: MigrationsPluginOptions = {}): RollupPluginLike {
  const id = options.id ?? VIRTUAL_MIGRATIONS_ID;
  // The \0 prefix is Rollup's convention for "not a file": other plugins leave the id alone.
  const resolvedId = `\0${id}`;
  const directory = options.directory ?? 'migrations';
  let root = options.root;
  const rootNow = () => root ?? process.cwd();

  return {
    name: 'strata-migrations',
    configResolved(config) {
      root ??= config.root;
    },
    resolveId(source) {
      return source === id ? resolvedId : null;
    },
    async load(loadId) {
      if (loadId !== resolvedId) return null;
      const loaded = await loadMigrationsModule(directory, rootNow());
      for (const path of [...loaded.watchDirs, ...loaded.watchFiles]) this.addWatchFile(path);
      if (loaded.code === undefined) this.error(loaded.error!.message);
      for (const warning of loaded.warnings) this.warn(warning);
      return loaded.code;
    },
    configureServer(server) {
      const absolute = resolve(rootNow(), directory);
      server.watcher.add(absolute);
      server.watcher.on('all', (_eventName, path) => {
        const changed = resolve(path);
        if (changed !== absolute && !changed.startsWith(absolute + sep)) return;
        for (const environment of Object.values(server.environments ?? {})) {
          const module = environment.moduleGraph.getModuleById(resolvedId);
          if (module) environment.moduleGraph.invalidateModule(module as never);
        }
      });
    },
  };
}

/** The same plugin under the name a Vite config reads best with. */
export const viteMigrations: (options?: MigrationsPluginOptions) => RollupPluginLike = rollupMigrations;
