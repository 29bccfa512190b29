/**
 * Resolves, once migrations are done, to a `MigrationsReady` value. Any provider that injects it is
 * built after the schema is migrated, whatever order Nest initialises modules in.
 */
export const MIGRATIONS_READY = Symbol.for('@strata/nest:MIGRATIONS_READY');

/** The `MigrationBoot` (from @strata/core) behind the module: state, report, drain(). */
export const MIGRATION_BOOT = Symbol.for('@strata/nest:MIGRATION_BOOT');

/** The `HealthProbes` (from @strata/core) the built-in probe controller answers with. */
export const MIGRATIONS_HEALTH_PROBES = Symbol.for('@strata/nest:MIGRATIONS_HEALTH_PROBES');

/** The database handle the migrations run on, after resolving a provider token. */
export const MIGRATIONS_CONNECTION = Symbol.for('@strata/nest:MIGRATIONS_CONNECTION');

/** Internal: the background gate's resolved options (`null`: no gate), read by the module's configure(). */
export const MIGRATIONS_GATE = Symbol.for('@strata/nest:MIGRATIONS_GATE');

/** Internal: the routes of the built-in probe controller, which the gate leaves out. */
export const MIGRATIONS_PROBE_ROUTES = Symbol.for('@strata/nest:MIGRATIONS_PROBE_ROUTES');
