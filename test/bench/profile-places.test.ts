// profile-compare.ts divides a CPU profile's busy samples by the calls made and groups them by
// where the code lives; a synthetic profile with known samples checks both.
import { describe, expect, it } from 'vitest';
import { perCall, placeOf, type Profile } from '../../scripts/bench/profile-places.js';

const node = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url } });

describe('perCall', () => {
  it('gives busy microseconds a call by package, own file and native frame, leaving idle out', () => {
    const profile: Profile = {
      nodes: [
        node(1, '(root)', ''),
        node(2, '(idle)', ''),
        node(3, 'signHeaders', 'file:///repo/dist/collect/sigv4.js'),
        node(4, 'deserializeResponse', 'file:///repo/node_modules/@smithy/core/dist-cjs/submodules/protocols/index.js'),
        node(5, 'run', 'file:///repo/node_modules/p-limit/index.js'),
        node(6, 'writev', ''),
        node(7, 'emit', 'node:events'),
        node(8, 'writeUtf8String', ''),
        node(9, '(garbage collector)', ''),
      ],
      samples: [2, 3, 3, 4, 5, 6, 6, 6, 7, 2, 8, 9],
      timeDeltas: [1000, 100, 300, 200, 50, 1000, 1000, 1000, 40, 5000, 500, 70],
    };
    const places = perCall(profile, 10);
    expect(Object.fromEntries(places)).toEqual({
      'dist/collect/sigv4.js': 40,
      '@smithy/core': 20,
      'p-limit': 5,
      // writev and a string write are one socket write each.
      '(socket write)': 350,
      'node:events': 4,
      '(garbage collector)': 7,
    });
  });

  it('names a file of the project by its path from dist/, src/ or scripts/, whatever directory holds the checkout', () => {
    expect(placeOf(node(1, 'f', 'file:///home/src/trailwarden/src/collect/aws.ts'))).toBe('src/collect/aws.ts');
    expect(placeOf(node(1, 'f', 'file:///opt/x/scripts/bench/raw-baseline.ts'))).toBe('scripts/bench/raw-baseline.ts');
    expect(placeOf(node(1, '', ''))).toBe('(native)');
  });
});
