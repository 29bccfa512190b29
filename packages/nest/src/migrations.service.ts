import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type {
  MigrationReport,
  MigrationStatus,
  Migrator,
  PlanOptions,
  PlanResult,
  RevertOptions,
  VersionLike,
} from '@strata/core';
import type { BootSnapshot, BootState, MigrationBoot } from '@strata/core/boot';
import { MIGRATION_BOOT } from './migrations.constants.js';

/** The migrations of this app at run time: state, status, the last report, and run/revert/plan. */
@Injectable()
export class MigrationsService implements OnModuleDestroy {
  readonly #boot: MigrationBoot;
  #lastReport: MigrationReport | undefined;

  constructor(@Inject(MIGRATION_BOOT) boot: MigrationBoot) {
    this.#boot = boot;
  }

  /** The engine, for anything this service does not cover. */
  get migrator(): Migrator {
    return this.#boot.migrator;
  }

  get state(): BootState {
    return this.#boot.state;
  }

  /** True once the boot work (run, wait or verify) succeeded. */
  get ready(): boolean {
    return this.#boot.ready;
  }

  /** The boot state without SQL, stacks or connection details, for status endpoints. */
  snapshot(): BootSnapshot {
    return this.#boot.snapshot();
  }

  /** The report of the latest run or revert made through this service, else of the boot run. */
  get lastReport(): MigrationReport | undefined {
    return this.#lastReport ?? this.#boot.report;
  }

  /** Resolves when the boot work is done; rejects with its error. */
  async whenReady(): Promise<void> {
    await this.#boot.start();
  }

  /** Every migration with its state (applied, pending, modified, missing, dirty), read from the database now. */
  status(): Promise<MigrationStatus[]> {
    // Through the boot, so the probes' counts follow what this read found.
    return this.#boot.status();
  }

  plan(options?: PlanOptions): Promise<PlanResult> {
    return this.#boot.migrator.plan(options);
  }

  async run(options?: { target?: VersionLike; dryRun?: boolean }): Promise<MigrationReport> {
    const report = await this.#boot.migrator.run(options);
    if (!report.dryRun) this.#lastReport = report;
    return report;
  }

  async revert(options?: RevertOptions): Promise<MigrationReport> {
    const report = await this.#boot.migrator.revert(options);
    if (!report.dryRun) this.#lastReport = report;
    return report;
  }

  /** Fails readiness from now on, so a load balancer stops sending traffic before the app stops. */
  drain(): void {
    this.#boot.drain();
  }

  /** The first shutdown hook Nest calls (app.close(), or a signal with enableShutdownHooks()). */
  onModuleDestroy(): void {
    this.#boot.drain();
  }
}
