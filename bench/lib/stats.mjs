/** Order statistics for a list of timings; medians are what the report compares. */
export function summarize(values) {
  const finite = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  if (finite.length === 0) return { median: null, min: null, max: null, runs: 0 };
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median: round(median), min: round(sorted[0]), max: round(sorted.at(-1)), runs: sorted.length };
}

/**
 * strata/peer per run, then the median of those ratios: runs of both tools sit side by side in
 * the same round, so machine drift over the whole bench cancels out of each ratio.
 */
export function pairedRatios(strataRuns, peerRuns) {
  const ratios = [];
  for (let i = 0; i < Math.min(strataRuns.length, peerRuns.length); i++) {
    const a = strataRuns[i];
    const b = peerRuns[i];
    if (Number.isFinite(a) && Number.isFinite(b) && b > 0) ratios.push(a / b);
  }
  const summary = summarize(ratios);
  return { median: round(summary.median, 3), min: round(summary.min, 3), max: round(summary.max, 3), runs: summary.runs };
}

export function round(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The tools in a different order each round, so no tool always runs first (cold) or last. */
export function rotate(list, round) {
  if (list.length === 0) return list;
  const shift = round % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}
