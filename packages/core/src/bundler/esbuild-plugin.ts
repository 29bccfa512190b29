import { loadMigrationsModule, type MigrationsPluginOptions, VIRTUAL_MIGRATIONS_ID } from './migrations-module.js';

/**
 * The part of esbuild's plugin API the adapter uses, written out so `@strata/core` needs no
 * esbuild types: esbuild's own `Plugin` accepts what `esbuildMigrations()` returns.
 */
export interface EsbuildPluginLike {
  name: string;
  setup(build: EsbuildBuildLike): void;
}

export interface EsbuildBuildLike {
  initialOptions: { absWorkingDir?: string | undefined };
  onResolve(
    options: { filter: RegExp; namespace?: string },
    callback: (args: { path: string }) => { path: string; namespace: string } | undefined,
  ): void;
  onLoad(options: { filter: RegExp; namespace?: string }, callback: (args: { path: string }) => Promise<EsbuildLoadResult>): void;
}

export interface EsbuildLoadResult {
  contents?: string;
  loader?: 'js';
  resolveDir?: string;
  errors?: { text: string; detail?: unknown }[];
  warnings?: { text: string }[];
  watchFiles?: string[];
  watchDirs?: string[];
}

const NAMESPACE = 'strata-migrations';

/**
 * `import migrations from 'virtual:strata-migrations'` for esbuild. The module is generated from
 * the directory on every build; in `context().watch()` mode esbuild rebuilds when a file in the
 * directory changes or one is added or removed (`watchFiles` and `watchDirs`).
 */
export function esbuildMigrations(options: MigrationsPluginOptions = {}): EsbuildPluginLike {
  const id = options.id ?? VIRTUAL_MIGRATIONS_ID;
  return {
    name: 'strata-migrations',
    setup(build) {
      const root = options.root ?? build.initialOptions.absWorkingDir ?? process.cwd();
      const directory = options.directory ?? 'migrations';
      // Matched by id in both hooks, so several instances (one per directory) share the namespace.
      const filter = new RegExp(`^${escapeRegExp(id)}$`);
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: NAMESPACE }));
      build.onLoad({ filter, namespace: NAMESPACE }, async () => {
        const loaded = await loadMigrationsModule(directory, root);
        const watch = { watchFiles: loaded.watchFiles, watchDirs: loaded.watchDirs };
        if (loaded.code === undefined) return { errors: [{ text: loaded.error!.message, detail: loaded.error }], ...watch };
        const warnings = loaded.warnings.map((text) => ({ text }));
        return { contents: loaded.code, loader: 'js', resolveDir: root, warnings, ...watch };
      });
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
