// npm run bench:memory:evaluate -- <snapshot.json> [--formats json,html]
// Where the memory of evaluating a snapshot goes: the live heap (after two full collections) and
// the RSS at each phase boundary of `trailwarden evaluate` (dist/, as the bin runs it): rules
// loaded, snapshot read, findings evaluated and the report built, then each format rendered and
// its chunks consumed (as writeReports does, without writing). The last stdout line is JSON.
// A large snapshot: npm run perf:html -- --accounts 10000 --runs 0 writes test-artifacts/perf/snapshot.json.
// Run with node --expose-gc (the npm script does).
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type * as Pipeline from '../../src/core/pipeline.js';
import type * as Inputs from '../../src/cli/inputs.js';
import type * as Formats from '../../src/report/formats/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { formats: { type: 'string', default: 'json,html' } } });
const file = positionals[0];
if (!file) throw new Error('usage: npm run bench:memory:evaluate -- <snapshot.json> [--formats json,html]');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:memory:evaluate does)');
const MB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).href;
const { prepare, evaluateSnapshot } = (await import(dist('core/pipeline.js'))) as typeof Pipeline;
const { loadSnapshotInput } = (await import(dist('cli/inputs.js'))) as typeof Inputs;
const { renderChunks, renderExtraFiles, reportFormat } = (await import(dist('report/formats/index.js'))) as typeof Formats;

const phases: { phase: string; heapUsedMb: number; rssMb: number; seconds: number }[] = [];
const started = performance.now();
function phase(name: string): void {
  gc!();
  gc!();
  const m = process.memoryUsage();
  const row = { phase: name, heapUsedMb: Math.round(m.heapUsed / MB), rssMb: Math.round(m.rss / MB), seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
  phases.push(row);
  console.log(`${name.padEnd(34)} live heap ${String(row.heapUsedMb).padStart(5)} MB   RSS ${String(row.rssMb).padStart(5)} MB   ${row.seconds.toFixed(2)} s`);
}

phase('start');
const formats = values.formats.split(',');
const prepared = await prepare({ format: formats }, ROOT);
phase('rules loaded');
const snapshot = await loadSnapshotInput(file);
phase('snapshot read');
const outcome = evaluateSnapshot(snapshot, prepared, undefined, new Date(snapshot.finishedAt));
phase(`evaluated (${outcome.report.findings.length} findings)`);
/** Renders one format and counts its characters; what it rendered is garbage once this returns. */
async function consume(name: string): Promise<number> {
  const format = reportFormat(name)!;
  let chars = 0;
  for (const chunk of await renderChunks(format, outcome)) chars += chunk.length;
  for (const [, chunks] of renderExtraFiles(format, outcome)) for (const chunk of chunks) chars += chunk.length;
  return chars;
}
for (const name of prepared.formats) {
  // Awaited through consume(), so that the suspended top-level await holds a number, not the rendering.
  const chars = await consume(name);
  phase(`${name} rendered (${(chars / 1e6).toFixed(1)} M chars)`);
}
console.log(JSON.stringify({ snapshot: file, findings: outcome.report.findings.length, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), phases }));
