// Flag helpers shared by the benchmarks' command lines (run.ts, logs.ts, scan-phases.ts).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LOG_VERIFY_NODE_FLAGS } from '../../bin/runtime.js';
import type { scan as scanType } from '../../src/collect/scan.js';

/** Prints `<command>: message` and exits 2, as a usage error. */
export function usageError(command: string, message: string): never {
  process.stderr.write(`${command}: ${message}\n`);
  process.exit(2);
}

/** The usage error and number parser of one command, so its messages carry its name. */
export function flags(command: string) {
  const usage = (message: string): never => usageError(command, message);
  /** A numeric flag's value, `fallback` when absent; anything outside min..max (or not an integer, unless `integer` is false) is a usage error. */
  const number = (name: string, raw: string | undefined, fallback: number, min: number, max: number, integer = true): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      usage(`--${name}: "${raw}" is not ${integer ? 'an integer' : 'a number'} in ${min}..${max}`);
    }
    return n;
  };
  return { usage, number };
}

/**
 * A benchmark whose scan runs in its own process runs it with the heap flags the bin gives every
 * scan (bin/runtime.js): this process is replaced by one that has them, unless --node-defaults or
 * the flags are already set.
 */
export function execWithScanRuntime(): void {
  if (process.argv.includes('--node-defaults') || typeof process.execve !== 'function') return;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((f) => /^--(max-semi-space-size|heap-growing-percent)\b/.test(f))) return;
  process.execve(process.execPath, [process.execPath, ...LOG_VERIFY_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

/** The newest modification time among the non-test TypeScript files under `dir`, in ms. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Why the build under `root` cannot be measured as the tree's code, or null when it can: dist/ is
 * missing, or older than a source file of src/.
 */
export function staleBuild(root: string): string | null {
  let builtAt: number;
  try {
    builtAt = statSync(join(root, 'dist', 'collect', 'scan.js')).mtimeMs;
  } catch {
    return 'dist/ is not built: run npm run build first';
  }
  return newestSource(join(root, 'src')) > builtAt ? 'dist/ is older than src/: run npm run build first' : null;
}

/**
 * The scan the bin runs: dist/'s compiled code, not src/ under the TypeScript loader (whose helpers
 * cost CPU on every call). A missing build, or one older than a source file, is a usage error, so a
 * figure is never taken of code other than the tree's.
 */
export async function builtScan(command: string): Promise<typeof scanType> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const stale = staleBuild(root);
  if (stale) usageError(command, stale);
  return ((await import(pathToFileURL(join(root, 'dist', 'collect', 'scan.js')).href)) as { scan: typeof scanType }).scan;
}
