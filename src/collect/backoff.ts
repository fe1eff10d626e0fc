// Retries that back off the call that failed, not everything else.
//
// The SDK's adaptive retry mode keeps one client-side rate limiter per client and, on any
// throttle, drops that client's sending rate towards half a request a second. That cures
// throttling the scanner causes itself, but AWS quotas are shared with every other tool in the
// account, and a throttle the scanner did not cause is not cured by slowing down: the one STS
// client that assumes the role into every account then crawled at 0.5 calls a second.
//
// Here instead:
// - a throttled or transient failure is retried after an exponential, fully jittered delay
//   (BackoffPolicy) while the call holds none of the scan's concurrency slots (the slots are
//   taken per attempt, see ClientPool), so the other calls go on at full speed;
// - the account's sending rate is limited only when the endpoint is seen refusing at least half
//   of the account's attempts (AccountRate). A quota the scanner exceeds refuses most attempts
//   and admits a fixed rate, which the limit then matches with headroom; throttling from others
//   sharing the quota refuses a share of attempts whatever the rate, which backoff alone rides
//   through. Below half, the limit is raised again window by window.
import type { RetryErrorInfo, RetryErrorType, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

export interface BackoffOptions {
  /** Base delay for transient failures (timeouts, 5xx, dropped connections), ms. */
  baseMs: number;
  /** Base delay for throttling errors, ms. */
  throttlingBaseMs: number;
  /** No single wait is longer than this, ms. */
  capMs: number;
  /**
   * No single wait after a throttling error is longer than this, ms. Waiting longer does not
   * cure throttling from others sharing the quota, and throttling the scanner causes itself is
   * cured by the account's rate (AccountRate), not by one call waiting: a long cap only gave
   * the unlucky call that drew several throttles in a row a tail of tens of seconds.
   */
  throttlingCapMs: number;
  /** Uniform in [0, 1): the jitter. Injected for tests. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 50, throttlingBaseMs: 25, capMs: 20_000, throttlingCapMs: 1_000 };

/** Longest a server's Retry-After may stretch one wait beyond the computed delay, ms. */
const RETRY_AFTER_EXTRA_MS = 5_000;

export class BackoffPolicy {
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {
    this.random = options.random ?? Math.random;
  }

  /**
   * The wait before retry number `retry + 1` (retry 0 follows the first failure): uniform in
   * [0, min(cap, base x 2^retry)), "full jitter", so calls throttled together do not come back
   * together. A server's Retry-After (as `retryAfterMs` from now) is honoured up to 5 s more.
   */
  delay(retry: number, errorType: RetryErrorType, retryAfterMs?: number): number {
    const throttled = errorType === 'THROTTLING';
    const base = throttled ? this.options.throttlingBaseMs : this.options.baseMs;
    const cap = throttled ? this.options.throttlingCapMs : this.options.capMs;
    const ceiling = Math.min(cap, base * 2 ** retry);
    const computed = Math.floor(this.random() * ceiling);
    if (retryAfterMs === undefined || retryAfterMs <= computed) return computed;
    // The server's word is honoured beyond the throttling cap, never beyond the overall one.
    return Math.min(retryAfterMs, computed + RETRY_AFTER_EXTRA_MS, this.options.capMs);
  }
}

export interface AccountRateOptions {
  /** Length of one observation window, ms. */
  windowMs: number;
  /** A window with fewer attempts than this never lowers the rate (too few to judge). */
  minAttempts: number;
  /** Share of refused attempts at or above which the scanner's own rate is taken to be the cause. */
  curableShare: number;
  /** The limit set is this multiple of the rate the endpoint admitted. */
  headroom: number;
  /** Each window with less refused than curableShare raises a limit by this factor. */
  growth: number;
  /** The limit never goes below this many requests a second. */
  minRate: number;
  now: () => number;
}

export const DEFAULT_ACCOUNT_RATE: Omit<AccountRateOptions, 'now'> = {
  windowMs: 1_000,
  minAttempts: 20,
  curableShare: 0.5,
  headroom: 1.25,
  growth: 1.25,
  minRate: 1,
};

/**
 * One account's sending rate: unlimited until a window shows the endpoint refusing at least
 * `curableShare` of the account's attempts, then `headroom` x the rate it admitted in that
 * window; raised by `growth` each window that refuses less, and lifted once the account sends
 * well under it.
 */
export class AccountRate {
  private readonly options: AccountRateOptions;
  private limit = Infinity;
  private windowStart: number;
  private attempts = 0;
  private refused = 0;
  private nextSendAt = 0;

  constructor(options: Partial<AccountRateOptions> = {}) {
    this.options = { ...DEFAULT_ACCOUNT_RATE, now: () => performance.now(), ...options };
    this.windowStart = this.options.now();
  }

  /** Requests a second this account may send now; Infinity when it is not limited. */
  get rate(): number {
    this.roll(this.options.now());
    return this.limit;
  }

  /** How long (ms) the next attempt must wait for its turn; reserves that turn. */
  reserve(): number {
    const now = this.options.now();
    this.roll(now);
    if (this.limit === Infinity) return 0;
    const at = Math.max(now, this.nextSendAt);
    this.nextSendAt = at + 1000 / this.limit;
    return at - now;
  }

  /** One attempt's outcome: refused with a throttling error, or admitted (whatever its answer). */
  record(throttled: boolean): void {
    const now = this.options.now();
    this.roll(now);
    this.attempts++;
    if (throttled) this.refused++;
    // A window that already shows a quota refusing nearly every attempt is judged at once:
    // waiting it out would let every call in flight burn attempts against it. The bar is higher
    // than at the window's end, as judging after every attempt would otherwise catch random
    // runs of refusals.
    const o = this.options;
    if (this.attempts >= 2 * o.minAttempts && this.refused / this.attempts >= (1 + o.curableShare) / 2 && now - this.windowStart >= o.windowMs / 10) {
      this.close(now);
    }
  }

  private roll(now: number): void {
    if (now - this.windowStart >= this.options.windowMs) this.close(now);
  }

  private close(now: number): void {
    const o = this.options;
    const seconds = (now - this.windowStart) / 1000;
    if (this.attempts >= o.minAttempts && this.refused / this.attempts >= o.curableShare) {
      this.limit = Math.max(o.minRate, (o.headroom * (this.attempts - this.refused)) / seconds);
    } else if (this.limit !== Infinity) {
      // Sending well under the limit with little refused: the account no longer needs one.
      if (this.attempts / seconds < this.limit / 2 && this.refused === 0) this.limit = Infinity;
      else this.limit *= o.growth;
    }
    this.windowStart = now;
    this.attempts = 0;
    this.refused = 0;
  }
}

class Token implements StandardRetryToken {
  constructor(
    private readonly count: number,
    private readonly delay: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delay;
  }
  getRetryCost(): number | undefined {
    return undefined;
  }
  getRetryTokenCount(): number {
    return 0;
  }
  hasRetryTokens(): boolean {
    return true;
  }
  releaseRetryTokens(): void {}
}

/** Thrown to the SDK's retry middleware to stop retrying; it then rethrows the call's own error. */
class NoMoreRetries extends Error {}

/**
 * The SDK retry strategy of one account's clients: throttling and transient failures are retried
 * up to `maxAttempts` with the policy's delay, and every attempt's outcome feeds the account's
 * rate (if it has one). Any other error is final at once. The SDK's retry middleware sleeps the
 * delay; the scan's concurrency slots are taken per attempt inside it, so a call waiting to be
 * retried holds none.
 */
export class ScanRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'trailwarden';

  constructor(
    private readonly maxAttempts: number,
    private readonly policy: BackoffPolicy,
    private readonly rate: AccountRate | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  acquireInitialRetryToken(): Promise<StandardRetryToken> {
    return Promise.resolve(new Token(0, 0));
  }

  refreshRetryTokenForRetry(token: StandardRetryToken, info: RetryErrorInfo): Promise<StandardRetryToken> {
    const throttled = info.errorType === 'THROTTLING';
    this.rate?.record(throttled);
    const retry = token.getRetryCount();
    const retryable = throttled || info.errorType === 'TRANSIENT';
    if (!retryable || retry + 1 >= this.maxAttempts) return Promise.reject(new NoMoreRetries());
    const retryAfterMs = info.retryAfterHint ? info.retryAfterHint.getTime() - this.now() : undefined;
    return Promise.resolve(new Token(retry + 1, this.policy.delay(retry, info.errorType, retryAfterMs)));
  }

  recordSuccess(): void {
    this.rate?.record(false);
  }
}
