import { Inject, Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { isStrataError, type MigrationStatus } from '@strata/core';
import type { MigrationBoot } from '@strata/core/boot';
import { MIGRATION_BOOT } from '../migrations.constants.js';

export interface MigrationsPingOptions {
  /** Milliseconds the database may take to answer. Default 1 000 (Terminus' own default). */
  timeout?: number;
}

/**
 * Terminus indicators for the migrations of this app. Data carries states, versions and error
 * codes — never SQL text, stacks, file paths or connection details.
 *
 * ```ts
 * @Get('readyz') @HealthCheck()
 * ready() { return this.health.check([() => this.migrations.isReady('migrations')]); }
 * ```
 */
@Injectable()
export class MigrationsHealthIndicator {
  readonly #indicators: HealthIndicatorService;
  readonly #boot: MigrationBoot;

  constructor(@Inject(HealthIndicatorService) indicators: HealthIndicatorService, @Inject(MIGRATION_BOOT) boot: MigrationBoot) {
    this.#indicators = indicators;
    this.#boot = boot;
  }

  /**
   * `up` once the boot work (run, wait or verify) succeeded; `down` while it runs, after it failed
   * (with the error code and the versions involved), and once the app is shutting down.
   */
  isReady<const Key extends string = 'migrations'>(key: Key = 'migrations' as Key): HealthIndicatorResult<Key> {
    const check = this.#indicators.check(key);
    const snapshot = this.#boot.snapshot();
    const data: Record<string, unknown> = {
      mode: snapshot.mode,
      state: snapshot.state,
      applied: snapshot.applied,
    };
    if (snapshot.finishedAt) data.finishedAt = snapshot.finishedAt.toISOString();
    if (snapshot.state === 'ready' && !snapshot.draining) return check.up(data);
    if (snapshot.draining) data.draining = true;
    const error = this.#boot.error;
    if (error !== undefined) data.error = errorData(error);
    return check.down(data);
  }

  /**
   * Reads the history now and compares it with this build's migrations: `down`, listing them, when
   * any is pending, modified, missing or dirty. Migrations newer than this build (a rolled-back
   * release) are listed as `future`, and are outstanding only under `future: 'error'`. Costs a
   * query per call; cache it with Terminus if probes are frequent.
   */
  async isUpToDate<const Key extends string = 'migrations:status'>(
    key: Key = 'migrations:status' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const check = this.#indicators.check(key);
    let lines: MigrationStatus[];
    try {
      // Through the boot, so the probes' counts follow what this read found.
      lines = await this.#boot.status();
    } catch (error) {
      return check.down({ error: errorData(error) });
    }
    const tolerated = (line: MigrationStatus) => line.state === 'future' && this.#boot.future === 'ignore';
    const outstanding = lines.filter((line) => line.state !== 'applied' && !tolerated(line));
    const applied = lines.filter((line) => line.state === 'applied');
    const future = lines.filter((line) => line.state === 'future').map((line) => String(line.version));
    const data = {
      applied: applied.length,
      latest: applied.length > 0 ? String(applied[applied.length - 1]!.version) : null,
      outstanding: outstanding.map((line) => ({ version: String(line.version), state: line.state })),
      ...(future.length > 0 ? { future } : {}),
    };
    return outstanding.length === 0 ? check.up(data) : check.down(data);
  }

  /** Pings the database the migrations run on, within a timeout. */
  pingCheck<const Key extends string = 'database'>(key: Key = 'database' as Key, options: MigrationsPingOptions = {}) {
    return this.#indicators
      .check(key)
      .attempt(async () => {
        await this.#boot.migrator.ping();
      })
      .withTimeout(options.timeout ?? 1_000);
  }
}

function errorData(error: unknown): Record<string, unknown> {
  // isStrataError, not instanceof: an app may end up with two copies of @strata/core.
  if (!isStrataError(error)) return { code: 'UNEXPECTED' };
  const data: Record<string, unknown> = { code: error.code };
  const { version, versions, states } = error.details;
  if (version !== undefined) data.version = version;
  if (Array.isArray(versions)) data.versions = versions;
  if (Array.isArray(states)) data.states = states;
  return data;
}
