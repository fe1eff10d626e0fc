// Flag helpers shared by the benchmarks' command lines (run.ts, logs.ts, scan-phases.ts).
import { LOG_VERIFY_NODE_FLAGS } from '../../bin/runtime.js';

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
