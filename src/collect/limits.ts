// Two-level concurrency: a global cap on requests in flight, and a per-account cap so one
// large account cannot starve the rest (and so we stay under per-account API rate limits).
import pLimit, { type LimitFunction } from 'p-limit';

export class Limits {
  private readonly global: LimitFunction;
  private readonly perAccount = new Map<string, LimitFunction>();
  private readonly objects: LimitFunction;

  constructor(
    readonly globalConcurrency: number,
    readonly perAccountConcurrency: number,
    /** S3 object reads (log verification): per-prefix S3 limits, not per-account API quotas, bound them. */
    readonly objectConcurrency = 64,
  ) {
    this.global = pLimit(globalConcurrency);
    this.objects = pLimit(objectConcurrency);
  }

  /** Runs an S3 object read under the object-read cap. */
  runObject<T>(fn: () => Promise<T>): Promise<T> {
    return this.objects(fn);
  }

  /** Runs fn when both the account's slot and a global slot are free. */
  run<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    let limit = this.perAccount.get(accountId);
    if (!limit) {
      limit = pLimit(this.perAccountConcurrency);
      this.perAccount.set(accountId, limit);
    }
    // Take the account slot first: a task waiting on its account holds no global slot.
    return limit(() => this.global(fn));
  }
}

/**
 * How many accounts to visit at once. An account's visit keeps about half of its own slots
 * busy on average (AssumeRole, then DescribeRegions and ListBuckets, then DescribeTrails in
 * every region), so four times global/per-account keeps the global slots full with margin,
 * while the calls waiting for a slot (each holding a client) stay bounded by the window.
 */
export function accountWindow(globalConcurrency: number, perAccountConcurrency: number): number {
  return Math.max(4, Math.ceil((4 * globalConcurrency) / perAccountConcurrency));
}
