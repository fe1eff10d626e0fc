// Ages and durations. The clock is the evaluation's `now`, never the machine's: the same
// snapshot evaluated with the same `now` gives the same verdicts, years later.

/** Hours from an ISO timestamp to now; +Infinity when there is no timestamp (never happened). */
export function hoursSince(iso: string | null | undefined, now: Date): number {
  if (!iso) return Number.POSITIVE_INFINITY;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not a timestamp: ${iso}`);
  return (now.getTime() - t) / 3_600_000;
}

export function daysSince(iso: string | null | undefined, now: Date): number {
  return hoursSince(iso, now) / 24;
}
