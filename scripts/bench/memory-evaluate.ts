// npm run bench:memory:evaluate -- <snapshot.json> [--formats json,html] [--in-memory]
// Where the memory of evaluating a snapshot goes: the live heap (after two full collections) and
// the RSS at each phase boundary of `trailwarden evaluate` (dist/, as the bin runs it): rules
// loaded, snapshot read, findings evaluated and the report built, then each format rendered and
// its chunks consumed (as writeReports does, without writing). The findings are spilled to a
// temporary directory as the CLI spills them (pipeline.ts, spillDirFor); --in-memory holds them
// instead, as the library does. The last stdout line is JSON.
// A large snapshot: npm run perf:html -- --accounts 10000 --runs 0 writes test-artifacts/perf/snapshot.json.
// Run with node --expose-gc (the npm script does).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type * as Pipeline from '../../src/core/pipeline.js';
import type * as Inputs from '../../src/cli/inputs.js';
import type * as Formats from '../../src/report/formats/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { formats: { type: 'string', default: 'json,html' }, 'in-memory': { type: 'boolean', default: false } } });
const file = positionals[0];
if (!file) throw new Error('usage: npm run bench:memory:evaluate -- <snapshot.json> [--formats json,html]');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:memory:evaluate does)');
const MB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).href;
const { prepare, evaluateSnapshot, spillDirFor } = (await import(dist('core/pipeline.js'))) as typeof Pipeline;
const { loadSnapshotInput } = (await import(dist('cli/inputs.js'))) as typeof Inputs;
const { renderChunks, renderExtraFiles, reportFormat } = (await import(dist('report/formats/index.js'))) as typeof Formats;

/** Resident memory in 256 KB anonymous mappings (V8's heap pages), from /proc/self/smaps (Linux). */
function heapPagesMb(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return null;
  }
  let kb = 0;
  let pageSized = false;
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      pageSized = !m[3] && parseInt(m[2]!, 16) - parseInt(m[1]!, 16) === 256 * 1024;
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r && pageSized) kb += Number(r[1]);
  }
  return Math.round(kb / 1024);
}

const phases: { phase: string; heapUsedMb: number; heapTotalMb: number; externalMb: number; heapPagesMb: number | null; rssMb: number; seconds: number }[] = [];
const started = performance.now();
function phase(name: string): void {
  gc!();
  gc!();
  const m = process.memoryUsage();
  const row = { phase: name, heapUsedMb: Math.round(m.heapUsed / MB), heapTotalMb: Math.round(m.heapTotal / MB), externalMb: Math.round(m.external / MB), heapPagesMb: heapPagesMb(), rssMb: Math.round(m.rss / MB), seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
  phases.push(row);
  console.log(`${name.padEnd(34)} live heap ${String(row.heapUsedMb).padStart(5)} MB of ${String(row.heapTotalMb).padStart(5)}   external ${String(row.externalMb).padStart(4)} MB   RSS ${String(row.rssMb).padStart(5)} MB (256 KB pages ${row.heapPagesMb ?? '?'} MB)   ${row.seconds.toFixed(2)} s`);
}

phase('start');
const formats = values.formats.split(',');
const prepared = await prepare({ format: formats }, ROOT);
phase('rules loaded');
const snapshot = await loadSnapshotInput(file);
phase('snapshot read');
const scratch = mkdtempSync(join(tmpdir(), 'trailwarden-bench-evaluate-'));
const spillDir = values['in-memory'] ? undefined : spillDirFor(scratch, prepared.formats);
const outcome = evaluateSnapshot(snapshot, prepared, undefined, new Date(snapshot.finishedAt), { spillDir });
phase(`evaluated (${outcome.report.findings.length} findings${spillDir ? ', spilled' : ', in memory'})`);
/** Renders one format and counts its characters; what it rendered is garbage once this returns. */
async function consume(name: string): Promise<number> {
  const format = reportFormat(name)!;
  let chars = 0;
  // Characters of a text chunk, bytes of a byte chunk (report.json's findings copied from the spill file).
  for (const chunk of await renderChunks(format, outcome)) chars += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
  for (const [, chunks] of renderExtraFiles(format, outcome)) for (const chunk of chunks) chars += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
  return chars;
}
for (const name of prepared.formats) {
  // Awaited through consume(), so that the suspended top-level await holds a number, not the rendering.
  const chars = await consume(name);
  phase(`${name} rendered (${(chars / 1e6).toFixed(1)} M chars)`);
}
const findings = outcome.report.findings.length;
outcome.dispose();
rmSync(scratch, { recursive: true, force: true });
console.log(JSON.stringify({ snapshot: file, findings, spilled: !!spillDir, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), phases }));
