// npx tsx scripts/report-formats-bench.ts [--findings N] [--formats csv,sarif,...]
// What rendering the machine formats costs for a large organization: evaluates the bundled demo
// organization, repeats its findings (each copy a distinct resource) up to N, then renders each
// format and prints its time, its size and the process's peak RSS so far. Figures only: no
// pass/fail threshold (measured here, never in a timed unit test).
import { findingList } from '../src/findings/store.js';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { evaluateSnapshot, prepare } from '../src/core/pipeline.js';
import { loadSnapshot } from '../src/inventory/load.js';
import { renderText, reportFormat } from '../src/report/formats/index.js';

const { values } = parseArgs({
  options: {
    findings: { type: 'string', default: '50000' },
    formats: { type: 'string', default: 'csv,sarif,junit,ocsf,md,asff' },
  },
  strict: true,
});
const total = Number(values.findings);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

const snapshot = await loadSnapshot(fileURLToPath(new URL('../demo/snapshot.json', import.meta.url)));
const prepared = await prepare({}, process.cwd());
const outcome = evaluateSnapshot(snapshot, prepared, undefined, new Date(snapshot.finishedAt));
const base = outcome.report.findings;
outcome.report.findings = findingList(Array.from({ length: total }, (_, i) => {
  const f = base[i % base.length]!;
  return { ...f, fingerprint: `${f.fingerprint.slice(0, 24)}${i.toString(16).padStart(8, '0')}`, resource: { ...f.resource, id: `${f.resource.id}#${i}` } };
}));
console.log(`${total} findings (the demo organization's ${base.length}, repeated); peak RSS before rendering ${peakRssMb()} MB`);
console.log('format  ms       MB     peak RSS MB');
for (const name of values.formats.split(',')) {
  const format = reportFormat(name);
  if (!format) throw new Error(`unknown format ${name}`);
  const started = performance.now();
  const text = await renderText(format, outcome);
  const ms = Math.round(performance.now() - started);
  console.log(`${name.padEnd(7)} ${String(ms).padEnd(8)} ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1).padEnd(6)} ${peakRssMb()}`);
}
