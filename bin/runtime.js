// The Node runtime of the long-running commands (scan, with or without --verify-logs, and
// verify-logs), shared by the bin and by the benchmarks so that they measure what users run.
//
// evaluate (a saved snapshot) runs with them too: its findings and their renderings leave garbage
// the same way (bench:memory:evaluate).
//
// Reading thousands of objects with 64 in flight allocates ~200 KB of SDK objects a request, and
// those of the reads in flight survive a scavenge, so V8 grows its young generation to the
// maximum (two 64 MB semi-spaces on a 64-bit machine with a few GB) within seconds, and lets old
// space fill with promoted garbage to several times the live heap (~50 MB, whatever the window)
// before it compacts, each dead response keeping its buffer outside the heap until then. A 16 MB
// semi-space and an old generation allowed to grow by half its live size before the next full
// collection keep the peak near the live heap. Measured by bench:logs (docs/performance.md).
// The configuration scan is the same story at every size: after a 1,000-account scan the live
// heap is 45 MB and the RSS 596 MB with Node's defaults, 304 MB peak with these flags (bench:memory).

/** Node flags of a log-verifying run. */
export const LOG_VERIFY_NODE_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=50'];

// Evaluation (`evaluate`, and the image a scan hands its snapshot to: src/cli/handoff.ts) holds the
// snapshot, the findings' columns and the page's data, and allocates each finding's texts at a
// high rate: with the scan's flags its heap ran 60 to 90 MB above what it needed before a full
// collection came (10,000 accounts, 639 MB peak), with a smaller young generation and an old one
// allowed to grow by a quarter of its live size it stays under 600 MB for about the same time.
/** Node flags of an evaluation. */
export const EVALUATE_NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=25'];

/**
 * Set by the bin when it added its heap flags (JSON: the flags it added, and those of an
 * evaluation): the image a scan hands over to takes the evaluation's in place of the scan's. Not
 * set when the flags were the user's (they are kept as given).
 */
export const RUNTIME_FLAGS_ENV = 'TRAILWARDEN_NODE_FLAGS';

/** Whether the command line asks for log verification (the `verify-logs` command or `scan --verify-logs`). */
export function verifiesLogs(argv) {
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  return options.includes('verify-logs') || options.some((a) => a === '--verify-logs' || a.startsWith('--verify-logs='));
}

/** Whether the command line runs a scan (the first word that is not an option is `scan`). */
export function scans(argv) {
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  return options.find((a) => !a.startsWith('-')) === 'scan';
}

/** Whether the command line evaluates a saved snapshot (the first word that is not an option is `evaluate`). */
export function evaluates(argv) {
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  return options.find((a) => !a.startsWith('-')) === 'evaluate';
}

/**
 * Whether the command runs with the bounded heap: a scan, log verification, or the evaluation of a
 * saved snapshot (whose findings and renderings leave garbage the same way: at 10,000 accounts
 * its peak RSS is several times its live heap with Node's defaults; bench:memory:evaluate).
 */
export function boundsHeap(argv) {
  return scans(argv) || verifiesLogs(argv) || evaluates(argv);
}

/**
 * Replaces this process with one that runs the same script with the bounded-heap flags, when the
 * command scans or verifies logs and they are not already set (they are in execArgv after the exec; a
 * heap setting the user gave on the command line or in NODE_OPTIONS is theirs to keep). Where
 * process.execve does not exist (Windows) the command runs with Node's defaults.
 */
export function execForLogVerification(script, argv) {
  if (!boundsHeap(argv) || typeof process.execve !== 'function') return;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((f) => /^--(max-semi-space-size|heap-growing-percent)\b/.test(f))) return;
  const flags = evaluates(argv) ? EVALUATE_NODE_FLAGS : LOG_VERIFY_NODE_FLAGS;
  const env = { ...process.env, [RUNTIME_FLAGS_ENV]: JSON.stringify({ added: flags, evaluate: EVALUATE_NODE_FLAGS }) };
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, script, ...argv], env);
}

/**
 * The Node flags for the image a scan hands its evaluation to: this image's, with the heap flags
 * the bin added (RUNTIME_FLAGS_ENV) replaced by the evaluation's; as they are otherwise.
 */
export function evaluationExecArgv(execArgv, env) {
  let runtime;
  try {
    runtime = JSON.parse(env[RUNTIME_FLAGS_ENV] ?? 'null');
  } catch {
    runtime = null;
  }
  if (!runtime || !Array.isArray(runtime.added) || !Array.isArray(runtime.evaluate)) return execArgv;
  return [...runtime.evaluate, ...execArgv.filter((f) => !runtime.added.includes(f))];
}
