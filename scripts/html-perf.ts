// npm run perf:html [-- --accounts 1000 --runs 5]
//
// The HTML report at organization scale: a synthetic snapshot of N accounts (valid against the
// Snapshot schema; built from the rules fixtures' base snapshot), evaluated with the real rules
// pack, rendered, then opened in Chromium a few times. Prints the HTML size, the evaluate and
// render times, and the time from navigation start until the page has drawn everything once
// (the `data-ready` attribute its script sets). Targets: < 15 MB, interactive < 3 s.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluateSnapshot, prepare } from '../src/core/pipeline.js';
import { finalizeSnapshot } from '../src/inventory/derive.js';
import { Snapshot, type AccountRecord, type Bucket, type CollectionError, type Trail } from '../src/inventory/schema.js';
import { htmlFormat } from '../src/report/formats/html.js';
import { renderText } from '../src/report/formats/index.js';
import { launchChromium } from '../test/harness/chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}test-artifacts/perf`;

const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-central-1', 'eu-west-1', 'eu-west-2',
  'eu-west-3', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
];
const NOT_OPTED_IN = ['af-south-1', 'ap-east-1', 'me-south-1'];
const TEAMS = ['payments', 'search', 'data', 'platform', 'identity', 'web', 'mobile', 'ml', 'billing', 'research'];
const ENVS = ['prod', 'staging', 'dev', 'sandbox'];

const clone = <T>(v: T): T => structuredClone(v);
/** Copies a template object with every occurrence of `from` in its strings replaced by `to`. */
const renamed = <T>(v: T, from: string, to: string): T => JSON.parse(JSON.stringify(v).split(from).join(to)) as T;

function syntheticSnapshot(accountCount: number): Snapshot {
  const base = Snapshot.parse(JSON.parse(readFileSync(`${ROOT}test/rules/base-snapshot.json`, 'utf8')));
  const [mgmt, logArchive] = base.accounts;
  const orgTrail = base.trails.find((t) => t.isOrganizationTrail)!;
  const bucketTemplate = base.buckets[0]!;
  const keyTemplate = base.keys[0]!;
  const rootOu = base.organization.roots[0]!;
  const ous = [...base.organization.organizationalUnits];
  const workloads = ous.find((o) => o.name === 'Workloads') ?? ous[0]!;
  const envOus = ENVS.map((env, i) => ({ id: `ou-ab12-env${i}xyz`, name: env, parentId: workloads.id }));
  ous.push(...envOus);

  const accounts: AccountRecord[] = [mgmt!, logArchive!].map((a) => ({
    ...clone(a),
    regions: [...REGIONS.map((name) => ({ name, status: 'scanned' as const, reason: null })), ...NOT_OPTED_IN.map((name) => ({ name, status: 'not-opted-in' as const, reason: 'region is not-opted-in for this account' }))],
  }));
  const trails: Trail[] = [orgTrail];
  const buckets: Bucket[] = clone(base.buckets);
  const keys = clone(base.keys);
  const errors: CollectionError[] = [];

  for (let i = accounts.length; i < accountCount; i++) {
    const id = String(200000000000 + i);
    const team = TEAMS[i % TEAMS.length]!;
    const env = ENVS[Math.floor(i / TEAMS.length) % ENVS.length]!;
    const ou = envOus[ENVS.indexOf(env)]!;
    const record: AccountRecord = {
      ...clone(logArchive!),
      id,
      name: `${team}-${env}-${String(i).padStart(4, '0')}`,
      email: `aws+${team}-${i}@example.com`,
      ouPath: [rootOu, workloads, ou].map((o) => ({ id: o.id, name: o.name })),
      tags: { team, env },
      roleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
      regions: [...REGIONS.map((name) => ({ name, status: 'scanned' as const, reason: null })), ...NOT_OPTED_IN.map((name) => ({ name, status: 'not-opted-in' as const, reason: 'region is not-opted-in for this account' }))],
      bucketNames: [],
      coveringTrailArns: [],
    };
    accounts.push(record);
    if (i % 97 === 5) {
      Object.assign(record, { organizationStatus: 'SUSPENDED', status: 'skipped', reason: 'account is SUSPENDED', access: null, regions: [], bucketNames: null, s3PublicAccessBlock: null });
      continue;
    }
    if (i % 211 === 7) {
      const reason = `cannot assume ${record.roleArn} (AccessDenied: not authorized to perform: sts:AssumeRole)`;
      Object.assign(record, { status: 'error', reason, access: null, regions: [], bucketNames: null, s3PublicAccessBlock: null });
      errors.push({ accountId: id, region: 'us-east-1', resource: { type: 'account', id }, facts: ['account'], service: 'sts', operation: 'AssumeRole', code: 'AccessDenied', message: reason });
      continue;
    }
    if (i % 53 === 11) {
      // An SCP denies one region: its trails cannot be listed.
      const region = record.regions.find((r) => r.name === 'ap-northeast-3')!;
      Object.assign(region, { status: 'unreachable', reason: 'DescribeTrails failed (AccessDenied: explicit deny in a service control policy)' });
      errors.push({ accountId: id, region: 'ap-northeast-3', resource: { type: 'account-region', id: `${id}/ap-northeast-3` }, facts: ['account-region.trails'], service: 'cloudtrail', operation: 'DescribeTrails', code: 'AccessDenied', message: 'explicit deny in a service control policy' });
    }
    if (i % 10 !== 3) continue;
    // One account in ten keeps a trail of its own, in one of four shapes.
    const shape = Math.floor(i / 10) % 4;
    const home = shape === 3 ? 'eu-west-1' : 'us-east-1';
    const name = `${team}-${env}-trail`;
    const arn = `arn:aws:cloudtrail:${home}:${id}:trail/${name}`;
    const bucketName = `cloudtrail-${team}-${env}-${id}`;
    const trail: Trail = {
      ...renamed(orgTrail, orgTrail.s3BucketName!, bucketName),
      arn, name, homeRegion: home, ownerAccountId: id, isOrganizationTrail: false,
      isMultiRegionTrail: shape === 0 || shape === 2, snsTopicArn: null, cloudWatchLogsLogGroupArn: null, cloudWatchLogsRoleArn: null,
      kmsKeyId: shape === 0 ? `arn:aws:kms:us-east-1:${id}:key/${id.slice(0, 8)}-aaaa-bbbb-cccc-${id}` : null,
      hasInsightSelectors: false, insightTypes: [], tags: shape === 1 ? {} : { team, env },
    };
    trail.status = { ...trail.status!, isLogging: shape !== 2, stopLoggingTime: shape === 2 ? '2026-10-01T00:00:00.000Z' : null };
    if (shape === 3) trail.eventSelectors = { ...trail.eventSelectors!, management: { read: false, write: true, excludedSources: [], onlySources: null } };
    if (i % 70 === 13) {
      trail.eventSelectors = null;
      errors.push({ accountId: id, region: home, resource: { type: 'trail', id: arn }, facts: ['trail.eventSelectors'], service: 'cloudtrail', operation: 'GetEventSelectors', code: 'ThrottlingException', message: 'Rate exceeded (after 10 attempts)' });
    }
    trails.push(trail);
    const bucket = renamed(bucketTemplate, bucketTemplate.name, bucketName);
    buckets.push({
      ...bucket, ownerAccountId: id, ownershipReason: `owned by ${id}`, usedByTrailArns: [arn], readAs: id, region: home,
      versioning: { status: shape === 1 ? 'Suspended' : 'Enabled', mfaDelete: 'Disabled' },
      objectLock: { enabled: false, defaultRetention: null },
    });
    record.bucketNames = [bucketName];
    if (trail.kmsKeyId) {
      keys.push({ ...renamed(keyTemplate, keyTemplate.arn, trail.kmsKeyId), ownerAccountId: id, readAs: id, usedByTrailArns: [arn], rotation: { enabled: i % 20 === 3, periodDays: 365 } });
    }
  }

  const snapshot: Snapshot = {
    ...base,
    startedAt: '2026-11-21T11:00:00.000Z',
    finishedAt: '2026-11-21T11:14:00.000Z',
    complete: true,
    organization: { ...base.organization, organizationalUnits: ous },
    accounts,
    trails,
    buckets,
    keys,
    errors,
    stats: { apiCalls: [] },
  };
  return Snapshot.parse(finalizeSnapshot(snapshot));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { accounts: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' } } });
  const accountCount = Number(values.accounts);
  const runs = Number(values.runs);
  mkdirSync(OUT, { recursive: true });

  const snapshot = syntheticSnapshot(accountCount);
  // Kept for `trailwarden evaluate test-artifacts/perf/snapshot.json` and for profiling.
  writeFileSync(`${OUT}/snapshot.json`, JSON.stringify(snapshot));
  const prepared = await prepare({}, ROOT);
  // Wall time and this process's CPU time: on a shared machine the CPU time is the steadier figure.
  const timed = async <T>(work: () => T | Promise<T>): Promise<[T, string]> => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const result = await work();
    const used = process.cpuUsage(cpu);
    return [result, `${seconds(performance.now() - wall)} wall, ${seconds((used.user + used.system) / 1000)} CPU`];
  };
  const [outcome, evaluateTime] = await timed(() => evaluateSnapshot(snapshot, prepared, undefined, new Date('2026-11-21T12:00:00Z')));
  const [html, renderTime] = await timed(() => renderText(htmlFormat, outcome));
  const file = `${OUT}/report.html`;
  writeFileSync(file, html);
  const bytes = statSync(file).size;

  const browser = await launchChromium();
  const ready: number[] = [];
  const problems: string[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(pathToFileURL(file).href, { timeout: 60_000 });
      await page.waitForSelector('html[data-ready]', { timeout: 60_000 });
      ready.push(Number(await page.getAttribute('html', 'data-ready')));
      await context.close();
    }
  } finally {
    await browser.close();
  }

  const counts = outcome.report.summary.byStatus;
  console.log(`accounts           ${accountCount} (${snapshot.trails.length} trails, ${snapshot.buckets.length} buckets, ${snapshot.errors.length} collection errors)`);
  console.log(`findings           ${outcome.report.findings.length} (PASS ${counts.PASS}, FAIL ${counts.FAIL}, ERROR ${counts.ERROR}, N/A ${counts.NOT_APPLICABLE})`);
  console.log(`evaluate           ${evaluateTime}`);
  console.log(`render HTML        ${renderTime}`);
  console.log(`report.html        ${(bytes / 1024 / 1024).toFixed(2)} MB  (target < 15 MB)`);
  console.log(`interactive        median ${seconds(median(ready))} over ${runs} runs [${ready.map((r) => (r / 1000).toFixed(2)).join(', ')}]  (target < 3 s)`);
  console.log(`written            ${file}  (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${cpus().length} CPUs)`);
  if (problems.length) {
    console.error(`console errors in the page: ${problems.slice(0, 5).join(' | ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
