import { ConfigurableModuleBuilder, type DynamicModule, type InjectionToken } from '@nestjs/common';
import type { DatabaseHandle } from '@strata/core';
import { bootProvider, connectionProvider, gateProvider, healthProbesProvider } from './migration-providers.js';
import { MIGRATIONS_PROBE_ROUTES } from './migrations.constants.js';
import type { MigrationsModuleExtras, MigrationsModuleOptions } from './migrations-options.js';
import { createProbeController, probeRoutes } from './probe-controller.js';

/** Extras plus `connection`, which forRootAsync() also accepts at the top level (a token, usually). */
type DefinitionExtras = MigrationsModuleExtras & { connection?: DatabaseHandle | InjectionToken };

export const {
  ConfigurableModuleClass: ConfigurableMigrationsModule,
  MODULE_OPTIONS_TOKEN: MIGRATIONS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MigrationsModuleOptions>({ moduleName: 'Migrations' })
  .setClassMethodName('forRoot')
  // `connection` is deliberately not listed as an extra key: forRoot() keeps it in the options value.
  .setExtras<DefinitionExtras>({ isGlobal: false, probes: false, imports: [] }, (definition, extras) =>
    defineModule(definition, extras),
  )
  .build();

/** What forRoot() takes: the options plus the module-shaping extras. */
export type MigrationsModuleRootOptions = typeof OPTIONS_TYPE;
/** What forRootAsync() takes: imports, inject, useFactory | useClass | useExisting, plus the extras. */
export type MigrationsModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;

function defineModule(definition: DynamicModule, extras: DefinitionExtras): DynamicModule {
  const probes = extras.probes;
  const probePaths = probes && probes !== true ? probes.paths : undefined;
  return {
    ...definition,
    global: extras.isGlobal ?? false,
    imports: [...(definition.imports ?? []), ...(extras.imports ?? [])],
    providers: [
      ...(definition.providers ?? []),
      connectionProvider(MIGRATIONS_MODULE_OPTIONS, extras.connection),
      bootProvider(MIGRATIONS_MODULE_OPTIONS),
      healthProbesProvider(MIGRATIONS_MODULE_OPTIONS),
      gateProvider(MIGRATIONS_MODULE_OPTIONS),
      { provide: MIGRATIONS_PROBE_ROUTES, useValue: probes ? probeRoutes(probePaths) : [] },
    ],
    controllers: [...(definition.controllers ?? []), ...(probes ? [createProbeController(probePaths)] : [])],
  };
}
