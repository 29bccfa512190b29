import type { BootState, MigrationBoot } from './migration-boot.js';

/** application/health+json (draft-inadarei-api-health-check): what every probe answers. */
export type HealthStatus = 'pass' | 'fail' | 'warn';

export interface HealthCheck {
  status: HealthStatus;
  componentType?: string;
  observedValue?: unknown;
  observedUnit?: string;
  time?: string;
  output?: string;
}

export interface HealthDocument {
  status: HealthStatus;
  description?: string;
  checks?: Record<string, HealthCheck[]>;
}

export interface ProbeAnswer {
  httpStatus: 200 | 503;
  body: HealthDocument;
}

export interface HealthProbeOptions {
  /** Milliseconds a database ping may take before readiness fails. Default 2 000. */
  pingTimeout?: number;
  /** Milliseconds a ping result is reused, so a probe storm does not become a query storm. Default 1 000. */
  pingCacheTtl?: number;
  /** Milliseconds a status() result is reused by /healthz. Default 5 000. */
  statusCacheTtl?: number;
}

interface PingResult {
  ok: boolean;
  durationMs: number;
  at: number;
  /** A stable word for why it failed; never the driver's message (it may hold host names or SQL). */
  reason?: 'timeout' | 'unreachable' | 'error';
}

export const HEALTH_CONTENT_TYPE = 'application/health+json';

/**
 * The three probes, framework-free: the Express router and the Nest controller only translate
 * these answers to HTTP. Bodies carry states, versions and codes — never SQL text, stacks, file
 * paths or connection details.
 */
export class HealthProbes {
  readonly #boot: MigrationBoot;
  readonly #pingTimeout: number;
  readonly #pingTtl: number;
  readonly #statusTtl: number;
  #lastPing: PingResult | undefined;
  #pingInFlight: Promise<PingResult> | undefined;
  #lastStatus: { at: number; state: BootState; value: Promise<StatusSummary> } | undefined;

  constructor(boot: MigrationBoot, options: HealthProbeOptions = {}) {
    this.#boot = boot;
    this.#pingTimeout = options.pingTimeout ?? 2_000;
    this.#pingTtl = options.pingCacheTtl ?? 1_000;
    this.#statusTtl = options.statusCacheTtl ?? 5_000;
  }

  /** 200 while the process runs; never touches the database. */
  liveness(): ProbeAnswer {
    return { httpStatus: 200, body: { status: 'pass' } };
  }

  /** 200 only when migrations are done, the instance is not draining, and the database answers in time. */
  async readiness(verbose = false): Promise<ProbeAnswer> {
    const migrations = this.#migrationsCheck();
    const database = this.#boot.draining ? undefined : await this.#databaseCheck();
    const draining: HealthCheck = { status: this.#boot.draining ? 'fail' : 'pass', componentType: 'system' };
    const ok = migrations.status === 'pass' && database?.status === 'pass' && !this.#boot.draining;
    const body: HealthDocument = { status: ok ? 'pass' : 'fail' };
    if (verbose) {
      body.checks = {
        migrations: [migrations],
        'database:responseTime': [database ?? { status: 'fail', componentType: 'datastore', output: 'not checked: draining' }],
        'shutdown:draining': [draining],
      };
    }
    return { httpStatus: ok ? 200 : 503, body };
  }

  /** The whole picture: migrations (with versions), the database, and draining. */
  async health(): Promise<ProbeAnswer> {
    const migrations = this.#migrationsCheck();
    const database = await this.#databaseCheck();
    const checks: Record<string, HealthCheck[]> = { migrations: [migrations], 'database:responseTime': [database] };
    if (database.status === 'pass') {
      const summary = await this.#statusSummary().catch(() => undefined);
      if (summary) {
        checks['migrations:versions'] = [
          {
            status: summary.pending + summary.problems === 0 ? 'pass' : 'warn',
            componentType: 'datastore',
            observedValue: summary,
            time: new Date().toISOString(),
          },
        ];
      }
    }
    checks['shutdown:draining'] = [{ status: this.#boot.draining ? 'fail' : 'pass', componentType: 'system' }];
    const failing = migrations.status === 'fail' || database.status === 'fail' || this.#boot.draining;
    const warning = Object.values(checks).some((list) => list.some((check) => check.status === 'warn'));
    return {
      httpStatus: failing ? 503 : 200,
      body: { status: failing ? 'fail' : warning ? 'warn' : 'pass', checks },
    };
  }

  #migrationsCheck(): HealthCheck {
    const snapshot = this.#boot.snapshot();
    const check: HealthCheck = {
      status: snapshot.state === 'ready' ? 'pass' : 'fail',
      componentType: 'component',
      observedValue: {
        mode: snapshot.mode,
        state: snapshot.state,
        applied: snapshot.applied.length,
        ...(snapshot.error ? { error: snapshot.error } : {}),
      },
    };
    if (snapshot.finishedAt) check.time = snapshot.finishedAt.toISOString();
    return check;
  }

  async #databaseCheck(): Promise<HealthCheck> {
    const ping = await this.#ping();
    return {
      status: ping.ok ? 'pass' : 'fail',
      componentType: 'datastore',
      observedValue: Math.round(ping.durationMs * 10) / 10,
      observedUnit: 'ms',
      time: new Date(ping.at).toISOString(),
      ...(ping.reason ? { output: ping.reason } : {}),
    };
  }

  #ping(): Promise<PingResult> {
    const last = this.#lastPing;
    if (last && Date.now() - last.at < this.#pingTtl) return Promise.resolve(last);
    this.#pingInFlight ??= this.#pingOnce().then((result) => {
      this.#lastPing = result;
      this.#pingInFlight = undefined;
      return result;
    });
    return this.#pingInFlight;
  }

  async #pingOnce(): Promise<PingResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#pingTimeout);
    });
    try {
      const outcome = await Promise.race([this.#boot.migrator.ping().then(() => 'ok' as const), timeout]);
      return outcome === 'ok'
        ? { ok: true, durationMs: performance.now() - started, at: Date.now() }
        : { ok: false, durationMs: performance.now() - started, at: Date.now(), reason: 'timeout' };
    } catch (error) {
      const reason = (error as { code?: string }).code === 'CONNECTION_FAILED' ? 'unreachable' : 'error';
      return { ok: false, durationMs: performance.now() - started, at: Date.now(), reason };
    } finally {
      clearTimeout(timer);
    }
  }

  #statusSummary(): Promise<StatusSummary> {
    const last = this.#lastStatus;
    const state = this.#boot.state;
    // A summary taken before the boot finished (all pending) must not outlive that state.
    if (last && last.state === state && Date.now() - last.at < this.#statusTtl) return last.value;
    const value = this.#boot.migrator.status().then((lines): StatusSummary => {
      const applied = lines.filter((line) => line.state === 'applied');
      return {
        applied: applied.length,
        pending: lines.filter((line) => line.state === 'pending').length,
        problems: lines.filter((line) => line.state !== 'applied' && line.state !== 'pending').length,
        latest: applied.length > 0 ? String(applied[applied.length - 1]!.version) : null,
      };
    });
    value.catch(() => {
      if (this.#lastStatus?.value === value) this.#lastStatus = undefined;
    });
    this.#lastStatus = { at: Date.now(), state, value };
    return value;
  }
}

interface StatusSummary {
  applied: number;
  pending: number;
  problems: number;
  latest: string | null;
}
