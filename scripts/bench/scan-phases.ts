// npm run bench:phases -- [--accounts N] [--regions R]
// Where a scan's memory goes, phase by phase: a real scan() (dist/, as the bin runs it, with the
// bin's heap flags) of a synthetic organization (the endpoint in its
// own process, no latency), sampling the RSS and V8's heap every 250 ms. For each phase (the
// account visits, the trail and event data store reads, the linked resources with the snapshot's
// finalizing) it prints the highest RSS and heap seen in it, and the whole scan's peak RSS
// (ru_maxrss). The last stdout line is JSON.
import { parseArgs } from 'node:util';
import type { ProgressEvent } from '../../src/collect/scan.js';
import { builtScan, execWithScanRuntime, flags } from './args.js';
import { launchSyntheticAws } from './endpoint-process.js';
import { DEFAULT_REGIONS, useManagementCredentials } from './synthetic-org.js';

execWithScanRuntime();
const cli = flags('bench:phases');
// Annotated, so TypeScript knows a call to it does not return.
const usage: (message: string) => never = cli.usage;
let values;
try {
  ({ values } = parseArgs({ options: { accounts: { type: 'string' }, regions: { type: 'string' } }, strict: true, allowPositionals: false }));
} catch (err) {
  usage((err as Error).message);
}
const accounts = cli.number('accounts', values.accounts, 2000, 3, 10_000);
const regions = cli.number('regions', values.regions, DEFAULT_REGIONS.length, 1, DEFAULT_REGIONS.length);
const MB = 1024 * 1024;
const round = (n: number) => Math.round(n * 10) / 10;

interface Phase {
  name: string;
  startSeconds: number;
  seconds: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  peakHeapTotalMb: number;
}

const scan = await builtScan('bench:phases');
const endpoint = await launchSyntheticAws({ accounts, regions, latencyMs: 0, throttleRate: 0, accountRps: 0 });
const phases: Phase[] = [];
const t0 = performance.now();
const seconds = () => (performance.now() - t0) / 1000;
const enter = (name: string) => {
  const last = phases.at(-1);
  if (last) last.seconds = round(seconds() - last.startSeconds);
  phases.push({ name, startSeconds: round(seconds()), seconds: 0, peakRssMb: 0, peakHeapUsedMb: 0, peakHeapTotalMb: 0 });
  sample();
};
function sample() {
  const phase = phases.at(-1);
  if (!phase) return;
  const m = process.memoryUsage();
  phase.peakRssMb = Math.max(phase.peakRssMb, round(m.rss / MB));
  phase.peakHeapUsedMb = Math.max(phase.peakHeapUsedMb, round(m.heapUsed / MB));
  phase.peakHeapTotalMb = Math.max(phase.peakHeapTotalMb, round(m.heapTotal / MB));
}
const timer = setInterval(sample, 250);
try {
  useManagementCredentials();
  const rssBeforeMb = round(process.memoryUsage().rss / MB);
  enter('discovery');
  const onProgress = (e: ProgressEvent) => {
    if (e.kind === 'discovered') enter('visits');
    else if (e.kind === 'phase' && e.phase !== 'done') enter(e.phase);
  };
  const { snapshot } = await scan({ toolVersion: 'bench', roleName: 'OrganizationAccountAccessRole', concurrency: 32, perAccountConcurrency: 8, endpointUrl: endpoint.url, region: 'us-east-1', onProgress });
  enter('end');
  phases.pop();
  const result = {
    nodeFlags: process.execArgv.filter((f) => /^--(max-semi-space-size|heap-growing-percent)\b/.test(f)),
    accounts,
    regions,
    trails: snapshot.trails.length,
    buckets: snapshot.buckets.length,
    complete: snapshot.complete,
    wallSeconds: round(seconds()),
    rssBeforeMb,
    phases,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
  };
  for (const p of phases) console.log(`${p.name.padEnd(10)} ${String(p.seconds).padStart(7)} s  peak RSS ${p.peakRssMb} MB, heap used ${p.peakHeapUsedMb} MB of ${p.peakHeapTotalMb} MB`);
  console.log(`accounts ${accounts} x regions ${regions}: trails ${result.trails}, buckets ${result.buckets}, complete ${result.complete}; peak RSS ${result.peakRssMb} MB (${rssBeforeMb} MB before the scan)`);
  console.log(JSON.stringify(result));
} finally {
  clearInterval(timer);
  await endpoint.stop();
}
