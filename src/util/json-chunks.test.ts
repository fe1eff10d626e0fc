import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prettyJsonChunks, prettyJsonPieces } from './json-chunks.js';

const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** A random JSON-ish value: nested objects and arrays, empty ones, and what JSON.stringify leaves out. */
function random(seed: number): unknown {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 4 || r < 0.3) return [null, true, 0, -1.5, 'é "q" \u2028 </script>', undefined, () => 1][Math.floor(next() * 7)];
    const n = Math.floor(next() * 4);
    if (r < 0.65) return Array.from({ length: n }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}${next() < 0.2 ? '"\n' : ''}`, value(depth + 1)]));
  };
  return { top: value(0), list: Array.from({ length: 3 }, () => value(1)) };
}

describe('prettyJsonPieces', () => {
  it('is JSON.stringify(value, null, 2) byte for byte, at every depth, whatever is empty, left out or converted', () => {
    const edge = {
      a: [],
      b: {},
      c: [[], {}, [1, [2, {}]], { x: [] }],
      d: { e: [{ f: undefined, g: () => 1, h: null }], i: [undefined, () => 1, Symbol('s')], j: {} },
      k: 'é\u2028</script>',
      l: new Date(0),
      m: { toJSON: () => ({ n: [1] }) },
      o: undefined,
      p: -0,
    };
    for (const v of [edge, [], {}, [{ a: [1, { b: [] }] }], 's', null, 0]) expect([...prettyJsonPieces(v)].join('')).toBe(pretty(v));
    for (let seed = 1; seed <= 200; seed++) expect([...prettyJsonPieces(random(seed))].join(''), `seed ${seed}`).toBe(pretty(random(seed)));
    expect(() => [...prettyJsonPieces(undefined)]).toThrow(/no JSON text/);
  });

  it('gives the demo snapshot as JSON.stringify does, in pieces of an element or a member, not one string', () => {
    const snapshot = JSON.parse(readFileSync(new URL('../../demo/snapshot.json', import.meta.url), 'utf8')) as { accounts: unknown[] };
    const pieces = [...prettyJsonPieces(snapshot)];
    expect(pieces.join('')).toBe(pretty(snapshot));
    expect(pieces.length).toBeGreaterThan(snapshot.accounts.length);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(pretty(snapshot).length / 4);
    expect([...prettyJsonChunks(snapshot)].join('')).toBe(pretty(snapshot));
  });
});
