// Child-process entry of bench:logs' verification: a real `scan --verify-logs` (scan() with
// verifyLogs, real SDK clients over HTTP to the latency proxy), alone in its process so its
// peak RSS is trailwarden's own and not the corpus generator's. It times the log-verification
// phase apart from the configuration scan before it (the onProgress 'logs' phase event), samples
// RSS every 50 ms, and sends one result message to the parent.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import type { scan as scanType } from '../../src/collect/scan.js';

export interface VerifyChildInput {
  endpoint: string;
  regions: string[];
  since: string;
  until: string;
  depth: 'digests' | 'logs';
  concurrency: number;
  accountConcurrency: number;
  objectConcurrency: number;
  streamConcurrency?: number;
  /** Write a V8 CPU profile of the logs phase alone (not the configuration scan) to this file. */
  cpuProfile?: string;
  /** Run the built dist/ (what the bin runs) rather than the TypeScript sources through tsx. */
  dist?: boolean;
}

export interface VerifyChildStream {
  accountId: string; region: string;
  digests: { valid: number; invalid: number; missing: number };
  logs: { valid: number; invalid: number; missing: number; unchecked: number; unlisted: number };
  gaps: number; defectCount: number; readErrorCount: number;
}

export interface MemoryBreakdown {
  rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number;
  /** V8's heap spaces (new_space, old_space, code_space, large_object_space...): size reserved, MB. */
  spaces: Record<string, number>;
}

export interface VerifyChildResult {
  scanSeconds: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  rssAtLogsStartMb: number;
  maxRssMb: number;
  heapUsedPeakMb: number;
  /** process.memoryUsage() at the sample with the highest RSS, in MB: where the peak lies. */
  atPeakMb: MemoryBreakdown;
  /** The same when the logs phase began. */
  atLogsStartMb: MemoryBreakdown;
  objects: number;
  bytes: number;
  streams: VerifyChildStream[];
  errors: number;
  firstError: string | null;
}

const input = JSON.parse(process.argv[2] ?? '{}') as VerifyChildInput;
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;

const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
type Sample = { m: NodeJS.MemoryUsage; spaces: Record<string, number> };
const breakdown = ({ m, spaces }: Sample): MemoryBreakdown => ({ rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), spaces });
const measure = (): Sample => ({ m: process.memoryUsage(), spaces: Object.fromEntries(getHeapSpaceStatistics().filter((s) => s.space_size > 0).map((s) => [s.space_name, mb(s.space_size)])) });
let peakRss = 0;
let peakHeap = 0;
let logsStarted = false;
let rssAtLogsStart = 0;
let atPeak = measure();
let atLogsStart = atPeak;
const sample = () => {
  const s = measure();
  if (s.m.rss > peakRss) {
    peakRss = s.m.rss;
    atPeak = s;
  }
  peakHeap = Math.max(peakHeap, s.m.heapUsed);
};
const sampler = setInterval(() => {
  if (logsStarted) sample();
}, 50);
const profiler = input.cpuProfile ? new Session() : null;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
}

const t0 = performance.now();
let tLogs = 0;
let cpuAtLogs = process.cpuUsage();
// dist/ is what the bin runs; the sources through tsx carry the transpiler and its source maps.
const { scan } = (await import(input.dist ? '../../dist/collect/scan.js' : '../../src/collect/scan.js')) as { scan: typeof scanType };
const { snapshot } = await scan({
  toolVersion: 'bench',
  roleName: 'OrganizationAccountAccessRole',
  concurrency: input.concurrency,
  perAccountConcurrency: input.accountConcurrency,
  objectConcurrency: input.objectConcurrency,
  endpointUrl: input.endpoint,
  region: 'us-east-1',
  regions: input.regions,
  verifyLogs: {
    since: new Date(input.since),
    until: new Date(input.until),
    depth: input.depth,
    ...(input.streamConcurrency ? { streamConcurrency: input.streamConcurrency } : {}),
  },
  onProgress: (e) => {
    if (e.kind === 'phase' && e.phase === 'logs') {
      tLogs = performance.now();
      cpuAtLogs = process.cpuUsage();
      atLogsStart = measure();
      rssAtLogsStart = atLogsStart.m.rss;
      peakRss = rssAtLogsStart;
      atPeak = atLogsStart;
      logsStarted = true;
      void profiler?.post('Profiler.start');
    }
  },
});
const tEnd = performance.now();
const cpu = process.cpuUsage(cpuAtLogs);
clearInterval(sampler);
sample();
if (profiler && input.cpuProfile) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(input.cpuProfile, JSON.stringify(profile));
  profiler.disconnect();
}

const li = snapshot.logIntegrity;
if (!li) throw new Error('the scan returned no logIntegrity: was the logs phase reached?');
const result: VerifyChildResult = {
  scanSeconds: (tLogs - t0) / 1000,
  wallSeconds: (tEnd - tLogs) / 1000,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  peakRssMb: mb(peakRss),
  rssAtLogsStartMb: mb(rssAtLogsStart),
  maxRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  heapUsedPeakMb: mb(peakHeap),
  atPeakMb: breakdown(atPeak),
  atLogsStartMb: breakdown(atLogsStart),
  objects: li.objects,
  bytes: li.bytes,
  streams: li.streams.map((s) => ({
    accountId: s.accountId, region: s.region,
    digests: s.digests, logs: s.logs,
    gaps: s.gaps.length, defectCount: s.defectCount, readErrorCount: s.readErrorCount,
  })),
  errors: snapshot.errors.length,
  firstError: snapshot.errors[0] ? `${snapshot.errors[0].operation} ${snapshot.errors[0].code}: ${snapshot.errors[0].message}` : null,
};
process.send?.(result, () => process.exit(0));
