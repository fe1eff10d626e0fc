// The benchmark's evaluating image: what `trailwarden scan`'s second image runs (src/cli/handoff.ts),
// from dist/ as the bin runs it. run.ts replaces itself with this script (execve, the same PID) once
// its scan has written the snapshot, with the evaluation's heap flags (bin/runtime.js) and nothing else: the
// TypeScript loader the scan's image runs under (tsx) and the benchmark's scan-side modules are
// not in it, as they are not in the product's image, and it runs the compiled code the bin runs.
// Plain JavaScript so that it needs no loader. Build first (npm run build; npm ci does).
//
// Usage (by run.ts only): TRAILWARDEN_BENCH_EVALUATE=<state file> node [heap flags] evaluate-image.mjs
import { readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const BENCH_HANDOFF_ENV = 'TRAILWARDEN_BENCH_EVALUATE';
const dist = (path) => new URL(`../../dist/${path}`, import.meta.url).href;
const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The peak resident set of this process image (VmHWM, which an exec starts again), in MB. */
export function imagePeakRssMb() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb) return Math.round((Number(kb[1]) / 1024) * 10) / 10;
  } catch {
    // not Linux: the process's peak, both images
  }
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/**
 * Reads the handed-over snapshot as `trailwarden scan`'s second image does, evaluates it, writes the
 * reports, and prints the figures: the scan's (from the state file) and this image's.
 * @param {string} stateFile written by run.ts: { opts, out, result, lines, timeline }
 */
export async function evaluatePhase(stateFile) {
  const { opts, out, result: scanned, lines, timeline } = JSON.parse(readFileSync(stateFile, 'utf8'));
  const { prepare, evaluateSnapshot, spillDirFor, writeReports } = await import(dist('core/pipeline.js'));
  const { loadSnapshotInput } = await import(dist('cli/inputs.js'));
  try {
    rmSync(stateFile, { force: true });
    const prepared = await prepare({}, process.cwd());
    const t0 = performance.now();
    const snapshot = await loadSnapshotInput(join(out, 'snapshot.json'));
    const snapshotReadSeconds = (performance.now() - t0) / 1000;
    const t2 = performance.now();
    // As `trailwarden scan` does: the findings spilled inside the output directory.
    const outcome = evaluateSnapshot(snapshot, prepared, undefined, new Date(), { spillDir: spillDirFor(out, prepared.formats) });
    const evaluateSeconds = (performance.now() - t2) / 1000;
    const t3 = performance.now();
    const written = await writeReports(out, outcome, prepared.formats);
    const renderSeconds = (performance.now() - t3) / 1000;
    outcome.dispose();
    const evaluatePeakRssMb = imagePeakRssMb();
    const scanPeakRssMb = scanned.scanPeakRssMb;
    const result = {
      ...scanned,
      findings: outcome.report.findings.length,
      // The run's two images one after the other: its peak is the larger of theirs.
      peakRssMb: Math.max(scanPeakRssMb, evaluatePeakRssMb),
      evaluatePeakRssMb,
      // This image's heap flags (the evaluation's, bin/runtime.js), beside the scan's nodeFlags.
      evaluateNodeFlags: process.execArgv.filter((f) => /^--(max-semi-space-size|heap-growing-percent)\b/.test(f)),
      snapshotReadSeconds: round(snapshotReadSeconds),
      evaluateSeconds: round(evaluateSeconds),
      renderSeconds: round(renderSeconds),
      // Reading the handed-over snapshot is part of the evaluation's time.
      evaluateRenderSeconds: round(snapshotReadSeconds + evaluateSeconds + renderSeconds),
      formats: prepared.formats,
      reportsWritten: written.length,
      node: process.version,
    };
    lines.push(
      `findings ${result.findings}`,
      `peak RSS ${result.peakRssMb} MB (the scan's image ${scanPeakRssMb} MB, ${String(scanned.rssBeforeScanMb)} MB before it with the rules loaded, the AWS SDK not yet; the evaluating image ${evaluatePeakRssMb} MB)`,
      `snapshot write ${String(scanned.snapshotWriteSeconds)} s, read ${result.snapshotReadSeconds} s, evaluate ${result.evaluateSeconds} s, render ${result.renderSeconds} s (${prepared.formats.join(',')})`,
    );
    if (opts.timeline) lines.push(`requests per second: ${timeline.join(' ')}`);
    if (opts.json) {
      process.stderr.write(`${lines.join('\n')}\n`);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      process.stdout.write(`${lines.join('\n')}\n`);
    }
  } finally {
    if (!opts.out) await rm(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const stateFile = process.env[BENCH_HANDOFF_ENV];
  delete process.env[BENCH_HANDOFF_ENV];
  if (!stateFile) {
    process.stderr.write(`bench: ${BENCH_HANDOFF_ENV} is not set: this script is the evaluating image of npm run bench, not run by hand\n`);
    process.exitCode = 2;
  } else {
    evaluatePhase(stateFile).catch((err) => {
      process.stderr.write(`bench: ${err?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    });
  }
}
