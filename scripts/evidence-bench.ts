// npx tsx scripts/evidence-bench.ts [--accounts N] [--regions R] [--latency-ms L] [--no-evidence] [--keep DIR]
// What `scan --evidence` costs: runs the real scan command (in this process) against the
// synthetic AWS endpoint of scripts/bench, then `verify` on the bundle, and prints wall time,
// peak RSS, the bundle's size and the call log's size. Run it with and without --no-evidence
// (one run per process, so each peak RSS is its own) to compare. --keep DIR leaves the bundle in
// DIR/evidence, e.g. to measure `trailwarden verify` alone in its own process.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../src/cli/main.js';
import { listFiles } from '../src/evidence/manifest.js';
import { launchSyntheticAws } from './bench/endpoint-process.js';
import { buildSyntheticOrg, DEFAULT_REGIONS } from './bench/synthetic-org.js';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '1000' },
    regions: { type: 'string', default: String(DEFAULT_REGIONS.length) },
    'latency-ms': { type: 'string', default: '5' },
    'no-evidence': { type: 'boolean', default: false },
    keep: { type: 'string' },
  },
  strict: true,
});
const accounts = Number(values.accounts);
const regions = Number(values.regions);
const withEvidence = !values['no-evidence'];
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

const managementAccountId = buildSyntheticOrg(3, 1).managementAccountId;
const endpoint = await launchSyntheticAws({ accounts, regions, latencyMs: Number(values['latency-ms']), throttleRate: 0, accountRps: 0 });
const work = values.keep ?? (await mkdtemp(join(tmpdir(), 'trailwarden-evidence-bench-')));
process.env.AWS_ACCESS_KEY_ID = `AKIA${managementAccountId}BNCH`;
process.env.AWS_SECRET_ACCESS_KEY = 'bench-secret';
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
let stderr = '';
const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), stderrIsTTY: false, env: process.env, cwd: work };
try {
  const t0 = performance.now();
  const args = ['scan', '--endpoint-url', endpoint.url, '--out', 'out', '--quiet', '--allow-incomplete', '--fail-on', 'none', '--format', 'json'];
  const code = await runCli(withEvidence ? [...args, '--evidence', 'evidence'] : args, io);
  const scanSeconds = (performance.now() - t0) / 1000;
  const scanPeak = peakRssMb();
  const lines = [
    `accounts ${accounts} x regions ${regions}, evidence ${withEvidence ? 'on' : 'off'}: scan exit ${code} in ${scanSeconds.toFixed(1)} s, peak RSS ${scanPeak} MB`,
  ];
  if (withEvidence) {
    const files = await listFiles(join(work, 'evidence'));
    const total = files.reduce((n, f) => n + f.bytes, 0);
    const calls = (await stat(join(work, 'evidence', 'api-calls.jsonl'))).size;
    const t1 = performance.now();
    const verify = await runCli(['verify', 'evidence'], { ...io, stdout: () => undefined });
    lines.push(
      `bundle ${files.length} files, ${mb(total)} MB (api-calls.jsonl ${mb(calls)} MB); verify exit ${verify} in ${((performance.now() - t1) / 1000).toFixed(1)} s; peak RSS after verify ${peakRssMb()} MB`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (code === 2) process.stderr.write(stderr);
} finally {
  await endpoint.stop();
  if (!values.keep) await rm(work, { recursive: true, force: true });
}
