// npm run bench -- [--accounts N] [--regions R] [--latency-ms L] [--throttle-rate p]
//                  [--account-rps r] [--concurrency C] [--account-concurrency A] [--json] [--timeline]
//                  [--out DIR] [--raw-calls N] [--skip-reference] [--node-defaults] [--cpu-prof DIR]
// Starts the synthetic AWS endpoint in a child process, runs a real scan (dist/, as the bin runs
// it: build first) against it in this process, and evaluates and renders the reports like
// `trailwarden scan` does: the snapshot handed to a fresh image of this process (execve), which
// reads it, evaluates and writes the reports, and prints the figures docs/performance.md records.
// With --json the last stdout line is one JSON object. Before the handoff it replays the scan's
// requests as the raw baseline (raw-baseline.ts), and, when the endpoint throttles, scans the same
// organization again without throttling, so both walls come from one run; neither counts in the
// scan's peak RSS, taken before them. With --cpu-prof, the scan and the raw baseline are each
// profiled on their own (DIR/scan.cpuprofile, DIR/raw.cpuprofile), to be set side by side.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CallCounter } from '../../src/collect/observer.js';
import { prepare } from '../../src/core/pipeline.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { prettyJsonChunks } from '../../src/util/json-chunks.js';
import { EVALUATE_NODE_FLAGS, LOG_VERIFY_NODE_FLAGS } from '../../bin/runtime.js';
import { builtScan, execWithScanRuntime, flags } from './args.js';
import { launchSyntheticAws } from './endpoint-process.js';
import { criticalPathCalls, lowerBound } from './lower-bound.js';
import type { RawBaselineResult } from './raw-baseline.js';
import { buildSyntheticOrg, DEFAULT_REGIONS, useManagementCredentials } from './synthetic-org.js';

// The scan command's defaults (src/cli/commands/scan.ts), so the figures describe a default run.
const DEFAULT_CONCURRENCY = 32;
const DEFAULT_ACCOUNT_CONCURRENCY = 8;

const cli = flags('bench');
// Annotated, so TypeScript knows a call to it does not return.
const usage: (message: string) => never = cli.usage;
const number = cli.number;

function parse() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        accounts: { type: 'string' },
        regions: { type: 'string' },
        'latency-ms': { type: 'string' },
        'throttle-rate': { type: 'string' },
        'account-rps': { type: 'string' },
        concurrency: { type: 'string' },
        'account-concurrency': { type: 'string' },
        json: { type: 'boolean', default: false },
        timeline: { type: 'boolean', default: false },
        out: { type: 'string' },
        'raw-calls': { type: 'string' },
        'skip-reference': { type: 'boolean', default: false },
        'node-defaults': { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  return {
    accounts: number('accounts', values.accounts, 100, 3, 10_000),
    regions: number('regions', values.regions, DEFAULT_REGIONS.length, 1, DEFAULT_REGIONS.length),
    latencyMs: number('latency-ms', values['latency-ms'], 50, 0, 10_000),
    throttleRate: number('throttle-rate', values['throttle-rate'], 0, 0, 0.9, false),
    accountRps: number('account-rps', values['account-rps'], 0, 0, 100_000, false),
    concurrency: number('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1, 1024),
    accountConcurrency: number('account-concurrency', values['account-concurrency'], DEFAULT_ACCOUNT_CONCURRENCY, 1, 256),
    json: values.json === true,
    timeline: values.timeline === true,
    /** Keep snapshot.json and the reports here (default: a temporary directory, removed). */
    out: values.out,
    /** Requests the raw baseline replays (the scan's first N); 0 = no baseline. */
    rawCalls: number('raw-calls', values['raw-calls'], 25_000, 0, 1_000_000),
    /** With throttling, also scan without it (same organization, latency, limits) to compare walls. */
    reference: values['skip-reference'] !== true,
    /** Run the scan with Node's default heap instead of the flags the bin gives a scan. */
    nodeDefaults: values['node-defaults'] === true,
    /** Write V8 CPU profiles of the scan and of the raw baseline here (each only itself; the profiler's own cost is in the figures of that run). */
    cpuProf: values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']),
  };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
/** process.resourceUsage().maxRSS is in kilobytes: the process's peak resident set so far. */
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

type Options = ReturnType<typeof parse>;

/** fn under the V8 sampling profiler (1 ms), its profile written to `file`; fn alone when there is no file. */
async function profiled<T>(file: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!file) return fn();
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.start');
    let result: T;
    try {
      result = await fn();
    } finally {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
    }
    return result;
  } finally {
    session.disconnect();
  }
}

/** One scan of the synthetic organization, as `trailwarden scan` runs it with the bench's limits. */
async function runScan(opts: Options, endpointUrl: string) {
  // Loaded by the scan's image only, as the CLI loads them (the evaluating image has no AWS SDK),
  // and from dist/, as the bin runs it.
  const scan = await builtScan('bench');
  const counter = new CallCounter();
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const { snapshot } = await scan({
    toolVersion: 'bench',
    roleName: 'OrganizationAccountAccessRole',
    concurrency: opts.concurrency,
    perAccountConcurrency: opts.accountConcurrency,
    endpointUrl,
    region: 'us-east-1',
    counter,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { snapshot, counter, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * What the scan's image hands to the image that evaluates (as `trailwarden scan` hands its snapshot
 * over: src/cli/handoff.ts): the figures so far and where the snapshot is.
 */
interface BenchHandoff {
  opts: Options;
  out: string;
  result: Record<string, unknown>;
  lines: string[];
  timeline: number[];
  reference: boolean;
}
async function main(): Promise<void> {
  const opts = parse();
  execWithScanRuntime();
  const managementAccountId = buildSyntheticOrg(3, 1).managementAccountId;
  const endpoint = await launchSyntheticAws({
    accounts: opts.accounts,
    regions: opts.regions,
    latencyMs: opts.latencyMs,
    throttleRate: opts.throttleRate,
    accountRps: opts.accountRps,
    recordRequests: opts.rawCalls,
  });
  const out = opts.out ? resolve(opts.out) : await mkdtemp(join(tmpdir(), 'trailwarden-bench-'));
  if (opts.out) await mkdir(out, { recursive: true });
  let handedOver = false;
  try {
    useManagementCredentials(managementAccountId);

    // As `trailwarden scan` does: the rules pack is loaded and checked before the first call.
    await prepare({}, process.cwd());
    const rssBefore = process.memoryUsage().rss;
    if (opts.cpuProf) await mkdir(opts.cpuProf, { recursive: true });
    const profileOf = (name: string) => (opts.cpuProf ? join(opts.cpuProf, `${name}.cpuprofile`) : undefined);
    const { snapshot, counter, wallSeconds, cpuSeconds: scanCpuSeconds } = await profiled(profileOf('scan'), () => runScan(opts, endpoint.url));
    const t1 = performance.now();
    // As `trailwarden scan` hands it to the image that evaluates: in chunks (src/util/json-chunks.ts).
    await writeFileAtomic(join(out, 'snapshot.json'), prettyJsonChunks(snapshot));
    const snapshotWriteSeconds = (performance.now() - t1) / 1000;
    // The scan's image, all of it: what it holds once it has written its snapshot is part of the run.
    const scanPeakRssMb = peakRssMb();

    let raw: RawBaselineResult | null = null;
    if (opts.rawCalls > 0) {
      const { rawBaseline } = await import('./raw-baseline.js');
      const recorded = await endpoint.requests();
      raw = await profiled(profileOf('raw'), () => rawBaseline(endpoint.url, recorded, opts.concurrency));
    }
    let reference: { wallSeconds: number; cpuSeconds: number; complete: boolean; errors: number } | null = null;
    if (opts.reference && (opts.throttleRate > 0 || opts.accountRps > 0)) {
      const clean = await launchSyntheticAws({ accounts: opts.accounts, regions: opts.regions, latencyMs: opts.latencyMs, throttleRate: 0, accountRps: 0 });
      try {
        const r = await runScan(opts, clean.url);
        reference = { wallSeconds: r.wallSeconds, cpuSeconds: r.cpuSeconds, complete: r.snapshot.complete, errors: r.snapshot.errors.length };
      } finally {
        await clean.stop();
      }
    }

    // What the profiles are divided by, for profile-compare.ts.
    if (opts.cpuProf) await writeFile(join(opts.cpuProf, 'calls.json'), JSON.stringify({ scan: counter.total, raw: raw?.requests ?? 0 }));
    const callsByAccount = new Map<string, number>();
    for (const row of counter.stats()) callsByAccount.set(row.accountId, (callsByAccount.get(row.accountId) ?? 0) + row.calls);
    const org = buildSyntheticOrg(opts.accounts, opts.regions);
    const bound = lowerBound({
      latencyMs: opts.latencyMs,
      globalConcurrency: opts.concurrency,
      perAccountConcurrency: opts.accountConcurrency,
      accountRps: opts.accountRps,
      callsByAccount,
      criticalPathCalls: criticalPathCalls(org),
    });
    const scanned = snapshot.accounts.filter((a) => a.status === 'scanned');
    const accountRegions = scanned.reduce((n, a) => n + a.regions.filter((r) => r.status === 'scanned').length, 0);
    const endpointStats = await endpoint.stats();
    const result = {
      nodeFlags: process.execArgv.filter((f) => /^--(max-semi-space-size|heap-growing-percent)\b/.test(f)),
      accounts: opts.accounts,
      accountsScanned: scanned.length,
      accountsSkipped: snapshot.accounts.filter((a) => a.status === 'skipped').length,
      accountsError: snapshot.accounts.filter((a) => a.status === 'error').length,
      regions: opts.regions,
      accountRegions,
      latencyMs: opts.latencyMs,
      throttleRate: opts.throttleRate,
      accountRps: opts.accountRps,
      concurrency: opts.concurrency,
      accountConcurrency: opts.accountConcurrency,
      apiCalls: counter.total,
      apiCallsPerAccountRegion: round(counter.total / Math.max(1, accountRegions)),
      retries: counter.retries,
      endpointRequests: endpointStats.requests,
      endpointThrottled: endpointStats.throttled,
      endpointConnections: endpointStats.connections,
      collectionErrors: snapshot.errors.length,
      trails: snapshot.trails.length,
      buckets: snapshot.buckets.length,
      complete: snapshot.complete,
      wallSeconds: round(wallSeconds),
      lowerBoundSeconds: round(bound.seconds),
      lowerBoundBinding: bound.binding,
      lowerBoundTerms: Object.fromEntries(Object.entries(bound.terms).map(([k, v]) => [k, round(v)])),
      // With no latency there is no bound to compare against.
      ratio: bound.seconds > 0 ? round(wallSeconds / bound.seconds) : null,
      scanCpuSeconds: round(scanCpuSeconds),
      // The scan runs on one thread: it cannot finish before its own CPU time has passed either.
      cpuBoundSeconds: round(scanCpuSeconds),
      cpuAwareRatio: round(wallSeconds / Math.max(bound.seconds, scanCpuSeconds)),
      cpuPerCallMs: round((scanCpuSeconds * 1000) / Math.max(1, counter.total), 3),
      rawCpuPerCallMs: raw ? round(raw.cpuPerCallMs, 3) : null,
      cpuPerCallRatio: raw ? round((scanCpuSeconds * 1000) / Math.max(1, counter.total) / raw.cpuPerCallMs) : null,
      rawRequests: raw?.requests ?? null,
      rawWallSeconds: raw ? round(raw.wallSeconds) : null,
      rawErrorResponses: raw?.errorResponses ?? null,
      unthrottledWallSeconds: reference ? round(reference.wallSeconds) : null,
      unthrottledComplete: reference ? reference.complete : null,
      unthrottledCollectionErrors: reference ? reference.errors : null,
      wallToUnthrottled: reference ? round(wallSeconds / reference.wallSeconds) : null,
      endpointCpuSeconds: endpoint.cpuSeconds(),
      scanPeakRssMb,
      rssBeforeScanMb: mb(rssBefore),
      snapshotWriteSeconds: round(snapshotWriteSeconds),
      // The profiler's own cost is in this run's CPU figures: they are not to be compared with an unprofiled run's.
      cpuProfiled: opts.cpuProf !== undefined,
    };
    const lines = [
      `accounts ${result.accounts} (scanned ${result.accountsScanned}, skipped ${result.accountsSkipped}, error ${result.accountsError}) x regions ${result.regions} = ${accountRegions} account-regions`,
      `latency ${opts.latencyMs} ms, throttle rate ${opts.throttleRate}, account rps ${opts.accountRps || 'unlimited'}, concurrency ${opts.concurrency} global / ${opts.accountConcurrency} per account`,
      `API calls ${result.apiCalls} (${result.apiCallsPerAccountRegion} per account-region), retries ${result.retries}, endpoint requests ${result.endpointRequests} (throttled ${result.endpointThrottled}) on ${result.endpointConnections} connections`,
      `collection errors ${result.collectionErrors}, trails ${result.trails}, buckets ${result.buckets}`,
      `wall ${result.wallSeconds} s; lower bound ${result.lowerBoundSeconds} s (${bound.binding}; terms ${JSON.stringify(result.lowerBoundTerms)}); ratio ${result.ratio}`,
      `scan CPU ${result.scanCpuSeconds} s (${result.cpuPerCallMs} ms a call; wall / max(bound, scan CPU) ${result.cpuAwareRatio}), endpoint CPU ${result.endpointCpuSeconds ?? 'n/a'} s`,
      raw
        ? `raw baseline (SigV4 + node:http + parse, ${raw.requests} of the scan's requests): ${result.rawCpuPerCallMs} ms CPU a call; scan / raw ${result.cpuPerCallRatio}`
        : 'raw baseline: skipped',
    ];
    if (reference) lines.push(`unthrottled scan of the same configuration: wall ${result.unthrottledWallSeconds} s; throttled / unthrottled ${result.wallToUnthrottled}`);
    const state: BenchHandoff = { opts, out, result, lines, timeline: endpointStats.perSecond, reference: !!reference };
    const stateFile = join(out, '.bench-handoff.json');
    await writeFileAtomic(stateFile, JSON.stringify(state));
    await endpoint.stop();
    // `trailwarden scan` evaluates in a fresh image of its process (src/cli/handoff.ts), and so does
    // the benchmark: evaluate-image.mjs, from dist/ with the scan's heap flags only, not under the
    // TypeScript loader this image runs under (the product's evaluating image has none).
    const image = await evaluateImage();
    if (typeof process.execve === 'function') {
      handedOver = true;
      // The evaluation's heap flags where the scan has the bin's (bin/runtime.js), as trailwarden scan's handoff does.
      const heapFlags = process.execArgv.filter((f) => /^--(max-semi-space-size|heap-growing-percent)\b/.test(f));
      const evaluateFlags = heapFlags.length && heapFlags.every((f) => LOG_VERIFY_NODE_FLAGS.includes(f)) ? [...EVALUATE_NODE_FLAGS] : heapFlags;
      process.execve(process.execPath, [process.execPath, ...evaluateFlags, image.path], { ...process.env, [image.env]: stateFile });
    }
    handedOver = false;
    await image.evaluatePhase(stateFile);
  } finally {
    await endpoint.stop();
    if (!opts.out && !handedOver) await rm(out, { recursive: true, force: true });
  }
}

interface EvaluateImage {
  BENCH_HANDOFF_ENV: string;
  evaluatePhase(stateFile: string): Promise<void>;
}

/** The evaluating image's script (plain JavaScript: it runs without a loader), its handoff variable, and its evaluation for a platform without execve. */
async function evaluateImage(): Promise<{ path: string; env: string; evaluatePhase: (stateFile: string) => Promise<void> }> {
  const url = new URL('./evaluate-image.mjs', import.meta.url);
  const mod = (await import(url.href)) as EvaluateImage;
  return { path: fileURLToPath(url), env: mod.BENCH_HANDOFF_ENV, evaluatePhase: mod.evaluatePhase };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
