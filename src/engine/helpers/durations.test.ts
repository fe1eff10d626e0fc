import { describe, expect, it } from 'vitest';
import { daysSince, hoursSince } from './durations.js';

const now = new Date('2026-11-21T12:00:00Z');

describe('durations', () => {
  it('measures from the evaluation clock, not the machine clock', () => {
    expect(hoursSince('2026-11-21T11:00:00.000Z', now)).toBe(1);
    expect(hoursSince('2026-11-20T12:00:00Z', now)).toBe(24);
    expect(daysSince('2026-10-22T12:00:00Z', now)).toBe(30);
  });
  it('treats a missing timestamp as never: infinitely old', () => {
    expect(hoursSince(null, now)).toBe(Number.POSITIVE_INFINITY);
    expect(hoursSince('', now)).toBe(Number.POSITIVE_INFINITY);
  });
  it('refuses garbage rather than guessing', () => {
    expect(() => hoursSince('yesterday', now)).toThrow('not a timestamp');
  });
});
