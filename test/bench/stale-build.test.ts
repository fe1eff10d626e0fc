// The benchmarks measure dist/ (the code the bin runs): a build that is missing, or older than a
// source file, must be refused rather than measured as the tree's code.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleBuild } from '../../scripts/bench/args.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function tree(): { source: string; built: string; test: string } {
  root = mkdtempSync(join(tmpdir(), 'tw-stale-'));
  mkdirSync(join(root, 'src', 'collect'), { recursive: true });
  const source = join(root, 'src', 'collect', 'scan.ts');
  const test = join(root, 'src', 'collect', 'scan.test.ts');
  writeFileSync(source, '');
  writeFileSync(test, '');
  return { source, test, built: join(root, 'dist', 'collect', 'scan.js') };
}

const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

/** A tree with its build: the source and the build at the given times, the test file made at `testAt`. */
function builtTree(sourceAt: number, builtAt: number, testAt: number): void {
  const { source, test, built } = tree();
  mkdirSync(join(root, 'dist', 'collect'), { recursive: true });
  writeFileSync(built, '');
  at(source, sourceAt);
  at(test, testAt);
  at(built, builtAt);
}

describe('staleBuild', () => {
  it('refuses a tree with no dist/', () => {
    tree();
    expect(staleBuild(root)).toMatch(/not built/);
  });

  it('accepts a build newer than every source file, and refuses it once a source file is newer', () => {
    builtTree(1_000, 2_000, 1_000);
    expect(staleBuild(root)).toBeNull();
    at(join(root, 'src', 'collect', 'scan.ts'), 3_000);
    expect(staleBuild(root)).toMatch(/older than src/);
  });

  it('does not count test files, which the build leaves out', () => {
    builtTree(1_000, 2_000, 3_000);
    expect(staleBuild(root)).toBeNull();
  });
});
