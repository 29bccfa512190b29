import type { IncomingMessage } from 'node:http';
import type { FactoryProvider, InjectionToken, Provider } from '@nestjs/common';
import { Logger, Scope } from '@nestjs/common';
import { type DatabaseHandle, StrataError, silentLogger } from '@strata/core';
import { HealthProbes, MigrationBoot, type ResolvedGateOptions, resolveGateOptions, startBoot } from '@strata/core/boot';
import {
  MIGRATION_BOOT,
  MIGRATIONS_CONNECTION,
  MIGRATIONS_GATE,
  MIGRATIONS_HEALTH_PROBES,
  MIGRATIONS_READY,
} from './migrations.constants.js';
import type { ExcludedRoute, MigrationsModuleOptions, MigrationsReady } from './migrations-options.js';
import { nestLogger } from './nest-logger.js';

export function isInjectionToken(value: unknown): value is InjectionToken {
  return typeof value === 'string' || typeof value === 'symbol' || typeof value === 'function';
}

/**
 * How the module gets its database handle. A token known when the module is defined becomes an
 * alias, so Nest resolves (and orders) it like any dependency. Otherwise the handle comes from the
 * resolved options at run time.
 */
export function connectionProvider(optionsToken: InjectionToken, connection: unknown): Provider {
  if (isInjectionToken(connection)) return { provide: MIGRATIONS_CONNECTION, useExisting: connection };
  return {
    provide: MIGRATIONS_CONNECTION,
    inject: [optionsToken],
    useFactory: (options: MigrationsModuleOptions): DatabaseHandle => {
      const value = options?.connection;
      if (value === undefined || value === null) {
        throw new StrataError(
          'INVALID_OPTIONS',
          'MigrationsModule needs a `connection`: a pg.Pool, a pg.Client, a better-sqlite3 Database, or the token of a provider of one',
        );
      }
      if (isInjectionToken(value)) {
        throw new StrataError(
          'INVALID_OPTIONS',
          `MigrationsModule: the options factory returned a provider token (${describeToken(value)}) as \`connection\`; ` +
            'inject that token into the factory and return the handle, or pass `connection` at the top level of forRootAsync()',
        );
      }
      return value;
    },
  };
}

/**
 * Builds the MigrationBoot and, unless `background`, runs it to completion: Nest awaits async
 * factories while it creates the app, so `NestFactory.create()` (and therefore `listen()`) only
 * proceeds once the schema is migrated, and rejects with the engine's StrataError otherwise.
 */
export function bootProvider(optionsToken: InjectionToken): FactoryProvider<Promise<MigrationBoot>> {
  return {
    provide: MIGRATION_BOOT,
    // The gate first: its options are checked before anything touches the database.
    inject: [optionsToken, MIGRATIONS_CONNECTION, MIGRATIONS_GATE],
    useFactory: async (options: MigrationsModuleOptions, connection: DatabaseHandle, gate: ModuleGate | null) => {
      const { connection: _connection, logger: loggerOption, background, health: _health, gate: _gate, ...rest } = options;
      const logger = loggerOption === false ? silentLogger : (loggerOption ?? nestLogger());
      const boot = new MigrationBoot(connection, { ...rest, logger });
      try {
        await startBoot(boot, { logger, background: background === true, gated: gate !== null });
      } catch (error) {
        // With no logger of ours speaking (logger: false, or Nest's own logger off), Nest would end
        // the process with status 1 and not a word: say why, once, as the CLI would.
        const unheard = loggerOption === false || (loggerOption === undefined && !Logger.isLevelEnabled('error'));
        if (unheard) process.stderr.write(`[strata] migrations failed, so the app does not start: ${describeError(error)}\n`);
        throw error;
      }
      return boot;
    },
  };
}

/** The background gate as the module registers it; `null` when there is none (foreground, or `gate: false`). */
export interface ModuleGate extends ResolvedGateOptions<IncomingMessage> {
  exclude: ExcludedRoute[];
}

/** Resolves the `gate` option (only in background mode), throwing INVALID_OPTIONS on a bad value. */
export function gateProvider(optionsToken: InjectionToken): FactoryProvider<ModuleGate | null> {
  return {
    provide: MIGRATIONS_GATE,
    inject: [optionsToken],
    useFactory: (options: MigrationsModuleOptions): ModuleGate | null => {
      if (!options?.background) return null;
      const gate = options.gate;
      const resolved = resolveGateOptions<IncomingMessage>(gate);
      if (!resolved) return null;
      const exclude = typeof gate === 'object' ? (gate.exclude ?? []) : [];
      if (!Array.isArray(exclude) || !exclude.every(isRoute)) {
        throw new StrataError('INVALID_OPTIONS', 'gate.exclude must be an array of paths or { path, method } routes');
      }
      return { ...resolved, exclude };
    },
  };
}

function isRoute(value: unknown): value is ExcludedRoute {
  return (
    typeof value === 'string' ||
    (typeof value === 'object' && value !== null && typeof (value as { path?: unknown }).path === 'string')
  );
}

/**
 * Transient, so it is built per consumer and only when something injects it: in background mode
 * the token must not hold up the whole app, yet each consumer still waits for the migrations.
 */
export const readyProvider: FactoryProvider<Promise<MigrationsReady>> = {
  provide: MIGRATIONS_READY,
  scope: Scope.TRANSIENT,
  inject: [MIGRATION_BOOT],
  useFactory: async (boot: MigrationBoot): Promise<MigrationsReady> => {
    const report = await boot.start();
    const snapshot = boot.snapshot();
    return { mode: boot.mode, report, applied: snapshot.applied, finishedAt: snapshot.finishedAt };
  },
};

export function healthProbesProvider(optionsToken: InjectionToken): FactoryProvider<HealthProbes> {
  return {
    provide: MIGRATIONS_HEALTH_PROBES,
    inject: [MIGRATION_BOOT, optionsToken],
    useFactory: (boot: MigrationBoot, options: MigrationsModuleOptions) => new HealthProbes(boot, options.health),
  };
}

function describeToken(token: InjectionToken): string {
  return typeof token === 'function' ? token.name : String(token);
}

/** As the CLI prints it: `error[CODE]: message`. */
function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `error[${code}]: ${message}` : message;
}
