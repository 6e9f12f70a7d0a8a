// Summary statistics over runs. Medians, not means: one run disturbed by the machine (the
// client, backend and proxy share few cores) must not move the figure.

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** candidate / baseline, or undefined when either is missing or the baseline is zero. */
export function ratio(candidate: number | undefined, baseline: number | undefined): number | undefined {
  if (candidate === undefined || baseline === undefined || baseline === 0) return undefined;
  return candidate / baseline;
}

/** Whether `r` meets `target`: at least it when higher is better, at most it otherwise. */
export function meetsTarget(r: number | undefined, target: number | undefined, higherIsBetter: boolean): boolean | undefined {
  if (r === undefined || target === undefined) return undefined;
  return higherIsBetter ? r >= target : r <= target;
}

/** Contender order for run `i` (0-based): as given on even runs, reversed on odd ones. */
export function alternatingOrder<T>(contenders: readonly T[], i: number): T[] {
  return i % 2 === 0 ? [...contenders] : [...contenders].reverse();
}
