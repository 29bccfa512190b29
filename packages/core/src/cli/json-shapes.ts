import type { MigrationReport, PlannedStep, StepReport } from '../report.js';
import { nsToMs } from './format.js';

/** JSON shapes of the engine's reports: versions as strings, times in milliseconds. */
export interface StepJson {
  version: string;
  description: string;
  direction: 'up' | 'down';
  transactional: boolean;
  file: string | null;
  durationMs?: number;
  executionTimeMs?: number;
  lockRetries?: number;
}

export function stepJson(step: PlannedStep | StepReport): StepJson {
  const json: StepJson = {
    version: String(step.version),
    description: step.description,
    direction: step.direction,
    transactional: step.transactional,
    file: step.file ?? null,
  };
  if ('durationMs' in step) {
    json.durationMs = round(step.durationMs);
    json.executionTimeMs = nsToMs(step.executionTimeNs);
    if (step.lockRetries) json.lockRetries = step.lockRetries;
  }
  return json;
}

export function reportJson(report: MigrationReport) {
  return {
    direction: report.direction,
    dryRun: report.dryRun,
    singleTransaction: report.singleTransaction,
    applied: report.applied.map(stepJson),
    planned: report.planned.map(stepJson),
    skipped: report.skipped.map(stepJson),
    beyondTarget: report.beyondTarget.map(String),
    future: report.future.map(String),
    lockTaken: report.lockTaken,
    lockWaitMs: round(report.lockWaitMs),
    totalMs: round(report.totalMs),
  };
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
