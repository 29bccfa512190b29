import { answerProbe, type HealthProbes, type ResolvedProbePaths, servedProbes, writeAnswer } from '@strata/core/boot';
import type { Router } from 'express';

/**
 * Serves the probes on `router`; core decides every answer. answerProbe() never rejects, so no
 * error reaches Express, whose default handler would answer with a stack trace outside production.
 */
export function mountProbes(router: Router, probes: HealthProbes, paths: ResolvedProbePaths): void {
  for (const [name, path] of servedProbes(paths)) {
    router.get(path, async (req, res) => writeAnswer(res, await answerProbe(probes, name, req.query)));
  }
}
