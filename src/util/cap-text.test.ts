import { describe, expect, it } from 'vitest';
import { capStrings, capText, MAX_REPORT_TEXT } from './cap-text.js';

describe('capText', () => {
  it('keeps a text within the cap and cuts a longer one with a marker that says how much', () => {
    expect(capText('x'.repeat(MAX_REPORT_TEXT))).toBe('x'.repeat(MAX_REPORT_TEXT));
    expect(capText('abcdef', 4)).toBe('abcd… [cut: 6 characters, 4 kept]');
  });

  it('never splits a surrogate pair, and cutting twice changes nothing', () => {
    expect(capText('abc😀def', 4)).toBe('abc… [cut: 8 characters, 3 kept]');
    const once = capText('y'.repeat(10_000));
    expect(capText(once)).toBe(once);
  });
});

describe('capStrings', () => {
  it('caps strings at any depth, keys too, and returns what holds no long string unchanged', () => {
    const small = { a: ['b', { c: 'd' }], n: 1, z: null };
    expect(capStrings(small)).toBe(small);
    const long = 'L'.repeat(20);
    const value = { keep: small, list: ['ok', long], [long]: 1 };
    const out = capStrings(value, 5);
    expect(out).toEqual({ keep: small, list: ['ok', 'LLLLL… [cut: 20 characters, 5 kept]'], 'LLLLL… [cut: 20 characters, 5 kept]': 1 });
    expect(out.keep).toBe(small);
    expect(value.list[1]).toBe(long); // the input is left as it was
  });
});
