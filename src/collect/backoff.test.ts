import type { RetryErrorType } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/harness/random.js';
import { AccountRate, BackoffPolicy, DEFAULT_BACKOFF, ScanRetryStrategy } from './backoff.js';


const fixed = (value: number) => () => value;
// Fixed figures, so the tests check the policy's arithmetic, not today's tuning of DEFAULT_BACKOFF.
const OPTIONS = { baseMs: 100, throttlingBaseMs: 200, capMs: 20_000, throttlingCapMs: 5_000 };

describe('BackoffPolicy', () => {
  it('doubles the ceiling per retry from the base of the error type, up to the cap, with full jitter', () => {
    const top = new BackoffPolicy({ ...OPTIONS, random: fixed(0.999999) });
    expect([0, 1, 2, 3, 4].map((r) => top.delay(r, 'THROTTLING'))).toEqual([199, 399, 799, 1599, 3199]);
    expect([0, 1, 2].map((r) => top.delay(r, 'TRANSIENT'))).toEqual([99, 199, 399]);
    expect(top.delay(20, 'THROTTLING')).toBe(4_999);
    expect(top.delay(20, 'TRANSIENT')).toBe(19_999);
    const half = new BackoffPolicy({ ...OPTIONS, random: fixed(0.5) });
    expect(half.delay(2, 'THROTTLING')).toBe(400);
    const none = new BackoffPolicy({ ...OPTIONS, random: fixed(0) });
    expect(none.delay(5, 'THROTTLING')).toBe(0);
  });

  it("honours a server's Retry-After, at most 5 s beyond the computed delay and never past the cap", () => {
    const policy = new BackoffPolicy({ ...OPTIONS, random: fixed(0.5) });
    expect(policy.delay(0, 'THROTTLING', 50)).toBe(100); // shorter than computed: computed wins
    expect(policy.delay(0, 'THROTTLING', 3_000)).toBe(3_000);
    expect(policy.delay(0, 'THROTTLING', 60_000)).toBe(5_100);
    // Computed 2.5 s (half the 5 s throttling cap); the server asks a minute: 5 s more at most.
    expect(policy.delay(10, 'THROTTLING', 60_000)).toBe(7_500);
    // The overall cap bounds even the server's word.
    expect(new BackoffPolicy({ ...OPTIONS, random: fixed(0.5) }).delay(10, 'TRANSIENT', 60_000)).toBe(15_000);
    expect(new BackoffPolicy({ ...OPTIONS, random: fixed(0.9) }).delay(10, 'TRANSIENT', 60_000)).toBe(20_000);
  });
});

describe('ScanRetryStrategy', () => {
  const info = (errorType: RetryErrorType) => ({ errorType });

  it('retries throttling and transient failures up to maxAttempts with the policy delay, nothing else', async () => {
    const strategy = new ScanRetryStrategy(3, new BackoffPolicy({ ...OPTIONS, random: fixed(0.5) }), undefined);
    const first = await strategy.acquireInitialRetryToken();
    expect(first.getRetryCount()).toBe(0);
    const second = await strategy.refreshRetryTokenForRetry(first, info('THROTTLING'));
    expect([second.getRetryCount(), second.getRetryDelay()]).toEqual([1, 100]);
    const third = await strategy.refreshRetryTokenForRetry(second, info('TRANSIENT'));
    expect([third.getRetryCount(), third.getRetryDelay()]).toEqual([2, 100]);
    // Three attempts made: the third failure is final (the SDK then throws the call's own error).
    await expect(strategy.refreshRetryTokenForRetry(third, info('THROTTLING'))).rejects.toThrow();
    await expect(strategy.refreshRetryTokenForRetry(first, info('CLIENT_ERROR'))).rejects.toThrow();
    await expect(strategy.refreshRetryTokenForRetry(first, info('SERVER_ERROR'))).rejects.toThrow();
  });

  it('feeds every attempt to the account rate: throttles as refused, any other answer as admitted', async () => {
    let t = 0;
    const rate = new AccountRate({ now: () => t, minAttempts: 4 });
    const strategy = new ScanRetryStrategy(10, new BackoffPolicy(DEFAULT_BACKOFF), rate);
    const token = await strategy.acquireInitialRetryToken();
    for (let i = 0; i < 4; i++) await strategy.refreshRetryTokenForRetry(token, info('THROTTLING'));
    await expect(strategy.refreshRetryTokenForRetry(token, info('CLIENT_ERROR'))).rejects.toThrow();
    strategy.recordSuccess();
    t = 1_000;
    // 6 attempts in the window, 4 refused (at least half): limited to 1.25 x the 2 a second admitted.
    expect(rate.rate).toBeCloseTo(2.5);
  });
});

/**
 * A sender that would send `demandRps` attempts a second, paced by the account rate, against an
 * endpoint that refuses with `refuse(t)`. Returns what was attempted and admitted per second
 * over the last `measureS` seconds of `seconds` simulated.
 */
function simulate(demandRps: number, refuse: (t: number) => boolean, seconds = 30, measureS = 10) {
  let t = 0;
  const rate = new AccountRate({ now: () => t });
  let next = 0;
  let attempted = 0;
  let admitted = 0;
  const rates: number[] = [];
  while (next < seconds * 1000) {
    t = next;
    const wait = rate.reserve();
    t += wait;
    const refused = refuse(t);
    rate.record(refused);
    if (t >= (seconds - measureS) * 1000) {
      attempted++;
      if (!refused) admitted++;
    }
    rates.push(rate.rate);
    next = Math.max(next + 1000 / demandRps, t);
  }
  return { attemptRps: attempted / measureS, admittedRps: admitted / measureS, rates };
}

/** The endpoint's per-account quota: a token bucket of `rps` tokens a second holding one second's worth. */
function quota(rps: number) {
  let tokens = rps;
  let at = 0;
  return (t: number) => {
    tokens = Math.min(rps, tokens + ((t - at) / 1000) * rps);
    at = t;
    if (tokens < 1) return true;
    tokens -= 1;
    return false;
  };
}

describe('AccountRate', () => {
  it('is unlimited until the endpoint refuses attempts', () => {
    let t = 0;
    const rate = new AccountRate({ now: () => t });
    for (let i = 0; i < 500; i++) {
      t += 2;
      expect(rate.reserve()).toBe(0);
      rate.record(false);
    }
    expect(rate.rate).toBe(Infinity);
  });

  it("a quota the scanner exceeds: the rate settles near the quota, refusing well under half of the attempts", () => {
    const run = simulate(400, quota(10));
    expect(run.admittedRps).toBeGreaterThan(9);
    expect(run.admittedRps).toBeLessThanOrEqual(10.5);
    // 400 a second were wanted; the limit keeps the attempts near what the quota admits.
    expect(run.attemptRps).toBeLessThan(2 * 10);
    expect(1 - run.admittedRps / run.attemptRps).toBeLessThan(0.5);
  });

  it('throttling from others (30% of attempts refused at random, whatever the rate) never limits the account', () => {
    for (const demand of [25, 100, 400]) {
      const draw = mulberry32(demand);
      const run = simulate(demand, () => draw() < 0.3);
      expect(run.attemptRps).toBeGreaterThan(0.95 * demand);
      expect(run.admittedRps).toBeGreaterThan(0.6 * demand);
      // The occasional unlucky window may lower it once; it is raised again, never driven down.
      expect(Math.min(...run.rates.slice(-100))).toBeGreaterThan(0.8 * demand);
    }
  });

  it('lifts the limit once the account sends well under it without refusals', () => {
    let t = 0;
    const rate = new AccountRate({ now: () => t });
    for (let i = 0; i < 40; i++) {
      t += 10;
      rate.record(i % 2 === 0);
    }
    t += 1_000;
    expect(rate.rate).toBeLessThan(Infinity);
    for (let i = 0; i < 3; i++) {
      t += 1_000;
      rate.record(false);
    }
    expect(rate.rate).toBe(Infinity);
  });
});
