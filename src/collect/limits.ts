// Two-level concurrency: a global cap on requests in flight, and a per-account cap so one
// large account cannot starve the rest (and so we stay under per-account API rate limits).

/**
 * At most `max` tasks at once, the rest started first in, first out as slots free up. A task is
 * started at once (in the caller's turn) when a slot is free; a freed slot passes straight to the
 * next waiting task. p-limit does the same with four promises and a queue item a task, around each
 * of the two slots every API call takes.
 */
export class Semaphore {
  private active = 0;
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly max: number) {
    // As p-limit took them: a positive integer, or Infinity for no cap.
    if (!(Number.isInteger(max) || max === Number.POSITIVE_INFINITY) || max < 1) throw new TypeError(`a semaphore needs a positive integer of slots (or Infinity), not ${max}`);
  }

  /** Tasks running. */
  get activeCount(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get pendingCount(): number {
    return this.waiting.length - this.head;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.max) {
      this.active++;
      return this.invoke(fn);
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.invoke(fn));
  }

  private async invoke<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      // The slot goes to the next task as it is: the count of tasks running does not change.
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
    } else {
      this.active--;
    }
  }
}

export class Limits {
  private readonly global: Semaphore;
  private readonly perAccount = new Map<string, Semaphore>();
  private readonly objects: Semaphore;

  constructor(
    readonly globalConcurrency: number,
    readonly perAccountConcurrency: number,
    /** S3 object reads (log verification): per-prefix S3 limits, not per-account API quotas, bound them. */
    readonly objectConcurrency = 64,
  ) {
    this.global = new Semaphore(globalConcurrency);
    this.objects = new Semaphore(objectConcurrency);
  }

  private ready = 0;

  /**
   * API calls sent or queued for a slot, not counting those waiting out their account's rate:
   * the calls that can keep the endpoint busy.
   */
  get apiInFlight(): number {
    return this.ready;
  }

  /**
   * A limiter of account visits: `base` at once (accountWindow), and while more visits wait,
   * one more whenever fewer than half the global slots are in use or queued for, up to
   * 4 x base. Accounts whose calls are paced by their own rate (AccountRate) or waiting out
   * backoffs leave the global slots idle; the window grows to fill them rather than letting
   * the scan wait on the slowest accounts of a fixed window.
   */
  visitWindow(base: number, checkMs = 100): <T>(fn: () => Promise<T>) => Promise<T> {
    const max = 4 * base;
    let active = 0;
    const queue: (() => void)[] = [];
    let timer: ReturnType<typeof setInterval> | null = null;
    const pump = () => {
      while (queue.length > 0 && (active < base || (active < max && this.apiInFlight < this.globalConcurrency / 2))) {
        active++;
        queue.shift()!();
        // Admit one beyond the base per check: its calls must show up before the next is judged.
        if (active > base) break;
      }
      if (queue.length === 0 && timer) {
        clearInterval(timer);
        timer = null;
      } else if (queue.length > 0 && !timer) {
        timer = setInterval(pump, checkMs);
        timer.unref?.();
      }
    };
    return <T>(fn: () => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        queue.push(() => {
          fn()
            .then(resolve, reject)
            .finally(() => {
              active--;
              pump();
            });
        });
        pump();
      });
  }

  /** Runs an S3 object read under the object-read cap. */
  runObject<T>(fn: () => Promise<T>): Promise<T> {
    return this.objects.run(fn);
  }

  /**
   * Runs fn when both the account's slot and a global slot are free. `wait`, if given, is how
   * long (ms) the account must still wait for its turn under its rate limit, asked once the
   * account slot is held: a task waiting on its account (slot or rate) holds no global slot.
   */
  run<T>(accountId: string, fn: () => Promise<T>, wait?: () => number): Promise<T> {
    let limit = this.perAccount.get(accountId);
    if (!limit) {
      limit = new Semaphore(this.perAccountConcurrency);
      this.perAccount.set(accountId, limit);
    }
    this.ready++;
    const done = () => void this.ready--;
    if (!wait) return limit.run(() => this.global.run(fn)).finally(done);
    return limit.run(async () => {
      const ms = wait();
      if (ms > 0) {
        this.ready--;
        await new Promise((resolve) => setTimeout(resolve, ms));
        this.ready++;
      }
      return this.global.run(fn);
    }).finally(done);
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
