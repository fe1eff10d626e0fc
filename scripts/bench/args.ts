// Flag helpers shared by the benchmarks' command lines (run.ts, logs.ts).

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
