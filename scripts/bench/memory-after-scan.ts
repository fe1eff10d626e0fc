// npm run bench:memory -- [--accounts N] [--regions R]
// Where a scan's memory is once it has finished: a real scan() (dist/, as the bin runs it) of a
// synthetic organization (the endpoint in its own process, no latency), then, after two full
// garbage collections, V8's live heap and its reserved heap against the process's RSS, and the
// process's anonymous memory by mapping size (/proc/self/smaps). The last stdout line is JSON.
// Run with node --expose-gc (the npm script does).
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { parseArgs } from 'node:util';
import { builtScan } from './args.js';
import { launchSyntheticAws } from './endpoint-process.js';
import { useManagementCredentials } from './synthetic-org.js';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '300' }, regions: { type: 'string', default: '17' } } });
const accounts = Number(values.accounts);
const regions = Number(values.regions);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:memory does)');
const MB = 1024 * 1024;

function memory() {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { rssMb: Math.round(m.rss / MB), heapUsedMb: Math.round(m.heapUsed / MB), heapTotalMb: Math.round(m.heapTotal / MB), externalMb: Math.round(m.external / MB), newSpaceMb: Math.round((getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) / MB) };
}

/** Resident anonymous memory, and how much of it sits in 256 KB mappings (the size of a V8 heap page). */
function anonymous() {
  let anonKb = 0;
  let pagesKb = 0;
  let pages = 0;
  let size = 0;
  let anon = false;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      size = (parseInt(m[2]!, 16) - parseInt(m[1]!, 16)) / 1024;
      anon = !m[3];
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r && anon) {
      anonKb += Number(r[1]);
      if (size === 256) {
        pagesKb += Number(r[1]);
        pages++;
      }
    }
  }
  return { anonymousMb: Math.round(anonKb / 1024), pageSizedMappings: pages, pageSizedMb: Math.round(pagesKb / 1024) };
}

const scan = await builtScan('bench:memory');
const endpoint = await launchSyntheticAws({ accounts, regions, latencyMs: 0, throttleRate: 0, accountRps: 0 });
try {
  useManagementCredentials();
  const before = { ...memory(), ...anonymous() };
  const { snapshot } = await scan({ toolVersion: 'bench', roleName: 'OrganizationAccountAccessRole', concurrency: 32, perAccountConcurrency: 8, endpointUrl: endpoint.url, region: 'us-east-1' });
  const after = { ...memory(), ...anonymous() };
  const snapshotMb = Math.round((JSON.stringify(snapshot).length / MB) * 10) / 10;
  console.log(`before the scan: ${JSON.stringify(before)}`);
  console.log(`after the scan:  ${JSON.stringify(after)} (snapshot.json ${snapshotMb} MB)`);
  console.log(JSON.stringify({ accounts, regions, snapshotMb, before, after, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
} finally {
  await endpoint.stop();
}
