import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardOf } from './assign.js';

const ids = Array.from({ length: 600 }, (_, i) => String(100000000000 + i * 7919));

describe('shardOf', () => {
  it('depends only on the account id and the count: order and other accounts do not matter', () => {
    const before = new Map(ids.map((id) => [id, shardOf(id, 5)]));
    const reordered = [...ids].reverse().filter((_, i) => i % 3 !== 0);
    for (const id of reordered) expect(shardOf(id, 5)).toBe(before.get(id));
  });

  it('puts every account in exactly one shard of 1..N', () => {
    for (const id of ids.slice(0, 50)) {
      const owners = [1, 2, 3, 4].filter((k) => inShard(id, { index: k, count: 4 }));
      expect(owners).toEqual([shardOf(id, 4)]);
    }
    expect(new Set(ids.map((id) => shardOf(id, 1)))).toEqual(new Set([1]));
  });

  it('spreads accounts roughly evenly', () => {
    const sizes = [0, 0, 0, 0];
    for (const id of ids) sizes[shardOf(id, 4) - 1]!++;
    for (const n of sizes) expect(n).toBeGreaterThan(100); // 150 expected per shard
  });

  it('no shard: every account is in scope', () => {
    expect(inShard('123456789012', null)).toBe(true);
  });
});

describe('parseShard', () => {
  it('reads K/N', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
  });

  it.each([
    ['0/3', 'K must be from 1 to N'],
    ['4/3', 'K must be from 1 to N'],
    ['1/0', 'the shard count must be from 1 to'],
    ['2', 'is not K/N'],
    ['a/b', 'is not K/N'],
    ['1/5000', 'the shard count must be from 1 to 1000'],
  ])('refuses %s', (text, reason) => {
    expect(parseShard(text)).toContain(reason);
  });
});
