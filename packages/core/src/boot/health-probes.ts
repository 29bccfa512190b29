import type { FuturePolicy } from '../index.js';
import type { BootSnapshot, MigrationBoot } from './migration-boot.js';

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
    const database = this.#boot.draining ? undefined : await this.#databaseCheck();
    // One snapshot per answer, taken last: every check in it describes the same moment.
    const snapshot = this.#boot.snapshot();
    const migrations = migrationsCheck(snapshot);
    const ok = migrations.status === 'pass' && database?.status === 'pass' && !snapshot.draining;
    // A future migration is shown, never counted against readiness: under 'error' the boot failed already.
    const body: HealthDocument = { status: ok ? 'pass' : 'fail' };
    if (verbose) {
      const future = futureCheck(snapshot, this.#boot.future);
      body.checks = {
        migrations: [migrations],
        ...(future ? { 'migrations:future': [future] } : {}),
        'database:responseTime': [database ?? { status: 'fail', componentType: 'datastore', output: 'not checked: draining' }],
        'shutdown:draining': [drainingCheck(snapshot)],
      };
    }
    return { httpStatus: ok ? 200 : 503, body };
  }

  /** The whole picture: migrations (with versions), the database, and draining. */
  async health(): Promise<ProbeAnswer> {
    const database = await this.#databaseCheck();
    const read =
      database.status === 'pass' &&
      (await this.#boot.refreshVersions(this.#statusTtl).then(
        () => true,
        () => false,
      ));
    const snapshot = this.#boot.snapshot();
    const migrations = migrationsCheck(snapshot);
    const checks: Record<string, HealthCheck[]> = { migrations: [migrations], 'database:responseTime': [database] };
    // Only with a database that answers: a count from before it went away is not "the database now".
    if (read && snapshot.versions) {
      const { pending, problems, future } = snapshot.versions;
      checks['migrations:versions'] = [
        {
          status: pending + problems + future.length === 0 ? 'pass' : 'warn',
          componentType: 'datastore',
          observedValue: snapshot.versions,
          time: new Date().toISOString(),
        },
      ];
      const futureDetail = futureCheck(snapshot, this.#boot.future);
      if (futureDetail) checks['migrations:future'] = [futureDetail];
    }
    checks['shutdown:draining'] = [drainingCheck(snapshot)];
    const failing = migrations.status === 'fail' || database.status === 'fail' || snapshot.draining;
    const warning = Object.values(checks).some((list) => list.some((check) => check.status === 'warn'));
    return {
      httpStatus: failing ? 503 : 200,
      body: { status: failing ? 'fail' : warning ? 'warn' : 'pass', checks },
    };
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
}

/** Readiness and health show the same counts: they come from the same snapshot. */
function migrationsCheck(snapshot: BootSnapshot): HealthCheck {
  const versions = snapshot.versions;
  const check: HealthCheck = {
    status: snapshot.state === 'ready' ? 'pass' : 'fail',
    componentType: 'component',
    observedValue: {
      mode: snapshot.mode,
      state: snapshot.state,
      ...(versions ? { applied: versions.applied, pending: versions.pending } : {}),
      ...(snapshot.error ? { error: snapshot.error } : {}),
    },
  };
  if (snapshot.finishedAt) check.time = snapshot.finishedAt.toISOString();
  return check;
}

/**
 * Applied versions newer than this build (a rolled-back release), from the same snapshot: `warn`
 * when the boot leaves them alone, `fail` when it refuses them. Versions only, never SQL.
 */
function futureCheck(snapshot: BootSnapshot, policy: FuturePolicy): HealthCheck | undefined {
  const future = snapshot.versions?.future ?? [];
  if (future.length === 0) return undefined;
  return {
    status: policy === 'ignore' ? 'warn' : 'fail',
    componentType: 'datastore',
    observedValue: future,
    output:
      policy === 'ignore'
        ? 'applied by a newer release, left alone (future: ignore)'
        : 'applied by a newer release, refused (future: error)',
  };
}

function drainingCheck(snapshot: BootSnapshot): HealthCheck {
  return { status: snapshot.draining ? 'fail' : 'pass', componentType: 'system' };
}
