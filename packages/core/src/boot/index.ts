/**
 * `@strata/core/boot`: what the framework integrations (@strata/express, @strata/nest) share, so
 * that they only adapt it — the boot state machine, one snapshot the probes read, the probe and
 * gate answers as `{ status, headers, body }`, the options they take, and the log lines they write.
 * Framework-free: Node's own http types at most.
 */

export { readableLogger } from '../logger.js';
export { describeBoot } from './boot-summary.js';
export { gateMiddleware } from './gate-middleware.js';
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  type ReadinessGateOptions,
  type ResolvedGateOptions,
  resolveGateOptions,
} from './gate-options.js';
export {
  HEALTH_CONTENT_TYPE,
  type HealthCheck,
  type HealthDocument,
  type HealthProbeOptions,
  HealthProbes,
  type HealthStatus,
  type ProbeAnswer,
} from './health-probes.js';
export type { HttpAnswer } from './http-answer.js';
export {
  type BootMode,
  type BootSnapshot,
  type BootState,
  MigrationBoot,
  type MigrationBootOptions,
} from './migration-boot.js';
export {
  DEFAULT_PROBE_PATHS,
  type ProbeName,
  type ProbePaths,
  type ResolvedProbePaths,
  resolveProbePaths,
  servedProbes,
} from './probe-paths.js';
export { answerProbe, type ProbeQuery } from './probe-response.js';
export { type GateProblem, PROBLEM_CONTENT_TYPE, ReadinessGate } from './readiness-gate.js';
export { type RetryOptions, retryConnection } from './retry-connection.js';
export { type StartBootOptions, startBoot } from './start-boot.js';
export type { VersionCounts } from './version-picture.js';
export { writeAnswer } from './write-answer.js';
