// npm run bench:calls -- [--calls N] [--rounds R] [--json]
// CPU a call of the scan's client layer alone, the SDK's own send() against the direct path
// (src/collect/direct-send.ts), in one process and in interleaved rounds: DescribeTrails and
// ListEventDataStores for one account-region after another, as a scan's first calls in each are,
// against the synthetic endpoint (in its own process, no latency) at the scan's 32 calls in flight.
// With --json the last stdout line is one JSON object.
import { DescribeTrailsCommand, ListEventDataStoresCommand } from '@aws-sdk/client-cloudtrail';
import { parseArgs } from 'node:util';
import { ClientPool } from '../../src/collect/aws.js';
import { Limits } from '../../src/collect/limits.js';
import { CallCounter } from '../../src/collect/observer.js';
import { flags } from './args.js';
import { launchSyntheticAws } from './endpoint-process.js';
import { buildSyntheticOrg, DEFAULT_REGIONS } from './synthetic-org.js';

const cli = flags('bench:calls');
const { values } = parseArgs({ options: { calls: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
const pairs = Math.ceil(cli.number('calls', values.calls, 6000, 100, 1_000_000) / 2);
const rounds = cli.number('rounds', values.rounds, 3, 1, 20);
const ACCOUNTS = 200;
const REGIONS = 17;

const endpoint = await launchSyntheticAws({ accounts: ACCOUNTS, regions: REGIONS, latencyMs: 0, throttleRate: 0, accountRps: 0 });
const jobs: [string, string][] = [];
for (const a of buildSyntheticOrg(ACCOUNTS, REGIONS).accounts) for (const r of DEFAULT_REGIONS.slice(0, REGIONS)) jobs.push([a.id, r]);

async function run(direct: boolean, n: number): Promise<{ cpuPerCallMs: number; directCalls: number; calls: number }> {
  const pool = new ClientPool(
    { endpoint: endpoint.url, maxAttempts: 3, retryMode: 'adaptive', requestTimeoutMs: 20_000, connectionTimeoutMs: 5_000, maxSockets: 32, directSend: direct },
    new Limits(32, 8, 64),
    new CallCounter(),
  );
  let next = 0;
  const cpu0 = process.cpuUsage();
  const worker = async () => {
    while (next < n) {
      const [account, region] = jobs[next++ % jobs.length]!;
      // Member accounts' credentials, as the role the scan assumes hands them out.
      const client = pool.get('cloudtrail', account, region, { accessKeyId: `ASIA${account}BNCH`, secretAccessKey: 'bench', sessionToken: 'bench' });
      await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      await client.send(new ListEventDataStoresCommand({}));
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const cpu = process.cpuUsage(cpu0);
  pool.destroy();
  return { cpuPerCallMs: (cpu.user + cpu.system) / 1000 / (2 * n), directCalls: pool.directCalls, calls: 2 * n };
}

try {
  // Warm both paths (module loading, JIT) before anything is measured.
  await run(false, 500);
  await run(true, 500);
  const sdk: number[] = [];
  const direct: number[] = [];
  let directShare = 0;
  for (let i = 0; i < rounds; i++) {
    sdk.push((await run(false, pairs)).cpuPerCallMs);
    const d = await run(true, pairs);
    direct.push(d.cpuPerCallMs);
    directShare = d.directCalls / d.calls;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result = {
    calls: pairs * 2,
    rounds,
    sdkCpuPerCallMs: +median(sdk).toFixed(3),
    directCpuPerCallMs: +median(direct).toFixed(3),
    ratio: +(median(sdk) / median(direct)).toFixed(2),
    directShare: +directShare.toFixed(3),
    sdkRounds: sdk.map((x) => +x.toFixed(3)),
    directRounds: direct.map((x) => +x.toFixed(3)),
    node: process.version,
  };
  if (values.json) console.log(JSON.stringify(result));
  else console.log(`${result.calls} calls a round, ${rounds} rounds (median): SDK send() ${result.sdkCpuPerCallMs} ms of CPU a call, direct path ${result.directCpuPerCallMs} ms (${result.ratio}x less); ${(directShare * 100).toFixed(1)}% of the direct rounds' calls went direct`);
} finally {
  await endpoint.stop();
}
