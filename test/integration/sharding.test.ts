// A sharded scan joined by `trailwarden merge` is the same audit as one unsharded scan: the
// scenario organization scanned whole and as 3 shards, through the real CLI merge, evaluated
// with the real rules pack.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare } from '../../src/core/pipeline.js';
import { loadSnapshot } from '../../src/inventory/load.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { shardOf } from '../../src/shard/assign.js';
import { cli } from '../harness/cli.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { assertValidSnapshot, comparable, scanAt } from '../harness/scan-run.js';
import { seedScenarioOrganization, type ScenarioOrg } from '../harness/scenario-org.js';

const COUNT = 3;
let moto: MotoServer;
let proxy: FaultProxy;
let org: ScenarioOrg;
let whole: Snapshot;
const shards: Snapshot[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tw-shard-'));
const shardFile = (i: number) => join(dir, `shard-${i}.json`);
const NOW = new Date('2026-11-21T12:00:00Z');

beforeAll(async () => {
  moto = await startMoto();
  org = await seedScenarioOrganization({ endpoint: moto.endpoint });
  proxy = await startFaultProxy({ target: moto.endpoint });
  // The member whose role trust denies us: its error must survive the merge too.
  proxy.setRules([{ match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: org.accounts.denied }, fault: 'AccessDenied' }]);
  const regions = ['us-east-1', 'eu-west-1'];
  whole = (await scanAt(proxy.endpoint, { regions })).snapshot;
  for (let index = 1; index <= COUNT; index++) {
    const s = (await scanAt(proxy.endpoint, { regions, shard: { index, count: COUNT } })).snapshot;
    shards.push(s);
    writeFileSync(shardFile(index), `${JSON.stringify(s, null, 2)}\n`);
  }
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

/** What the snapshot says about the organization, without what differs by construction. */
function audited(s: Snapshot): unknown {
  const { stats: _stats, shard: _shard, ...rest } = comparable(s) as Snapshot;
  return rest;
}

// moto reports trail deliveries as "now", so each scan sees new delivery times (as comparable() masks).
const maskTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');

async function findings(s: Snapshot) {
  const prepared = await prepare({}, process.cwd());
  return evaluateSnapshot(s, prepared, undefined, NOW)
    .findings.map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, status: f.status, accountId: f.accountId, resource: f.resource.id, message: maskTimes(f.message) }))
    .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
}

describe('scan --shard K/N', () => {
  it('each shard scans a disjoint part of the organization; together they cover every account', () => {
    const scannedBy = shards.map((s) => s.accounts.filter((a) => a.status !== 'skipped' || a.inScope).map((a) => a.id));
    const all = scannedBy.flat();
    expect(new Set(all).size).toBe(all.length);
    const expected = whole.accounts.filter((a) => a.inScope).map((a) => a.id).sort();
    expect(all.sort()).toEqual(expected);
    for (const [i, s] of shards.entries()) {
      assertValidSnapshot(s);
      expect(s.shard).toEqual({ index: i + 1, count: COUNT });
      for (const a of s.accounts.filter((x) => x.inScope)) expect(shardOf(a.id, COUNT), a.id).toBe(i + 1);
      // Out-of-shard accounts are listed, skipped, and say why.
      const other = s.accounts.find((a) => shardOf(a.id, COUNT) !== i + 1 && a.organizationStatus === 'ACTIVE')!;
      expect(other).toMatchObject({ status: 'skipped', inScope: false, reason: `scanned by another shard (this is shard ${i + 1}/${COUNT})` });
    }
    // The organization splits over the shards (else the test would prove little). moto gives its
    // accounts random ids, so with 13 in scope one of the 3 shards is empty in about one run in 65
    // (the merge still has to join the other two, and the empty one's skipped accounts); fewer than
    // two non-empty shards would be about one run in 500,000.
    expect(scannedBy.filter((ids) => ids.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('a malformed --shard is a usage error naming the flag: exit 2, nothing written', async () => {
    for (const value of ['4/3', '0/3', '1/0', 'two']) {
      const out = join(dir, `bad-${value.replace('/', '-')}`);
      const run = await cli(['scan', '--shard', value, '--endpoint-url', proxy.endpoint, '--out', out]);
      expect(run.code, value).toBe(2);
      expect(run.stderr.trim()).toMatch(/^trailwarden: --shard: /);
      expect(() => readdirSync(out)).toThrow();
    }
  });

  it('every shard reads the organization-level facts and the organization trail', () => {
    for (const s of shards) {
      expect(s.organization).toEqual(whole.organization);
      expect(s.trails.map((t) => t.arn)).toContain(org.trails.org);
      const scanned = s.accounts.filter((a) => a.status === 'scanned');
      for (const a of scanned) expect(a.coveringTrailArns, a.id).toContain(org.trails.org);
    }
  });
});

describe('trailwarden merge', () => {
  let merged: Snapshot;
  const out = join(dir, 'merged', 'snapshot.json');

  beforeAll(async () => {
    // Given out of order: the merge sorts them.
    const run = await cli(['merge', shardFile(3), shardFile(1), shardFile(2), '--out', out]);
    expect(run.stderr).toMatch(/merged 3 shard\(s\) into .*: 14 accounts \(12 scanned, 1 error\)/);
    expect(run.code).toBe(0);
    merged = await loadSnapshot(out);
  });

  it('writes a valid, whole snapshot (no shard) atomically', () => {
    assertValidSnapshot(merged);
    expect(merged.shard).toBeUndefined();
    expect(merged.complete).toBe(true);
    expect(readdirSync(join(dir, 'merged'))).toEqual(['snapshot.json']);
  });

  it('holds the same facts as the unsharded scan (timestamps and call counts aside)', () => {
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/sharding-whole.json', JSON.stringify(audited(whole), null, 2));
    writeFileSync('test-artifacts/sharding-merged.json', JSON.stringify(audited(merged), null, 2));
    expect(audited(merged)).toEqual(audited(whole));
  });

  it('evaluates to the same findings as the unsharded scan', async () => {
    const expected = await findings(whole);
    expect(expected.length).toBeGreaterThan(100);
    expect(new Set(expected.map((f) => f.status))).toEqual(new Set(['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE']));
    expect(await findings(merged)).toEqual(expected);
  });

  it('sums the API call statistics of the shards', () => {
    const total = (s: Snapshot) => s.stats.apiCalls.reduce((n, c) => n + c.calls, 0);
    expect(total(merged)).toBe(shards.reduce((n, s) => n + total(s), 0));
  });

  it('refuses a missing shard, naming it; writes nothing', async () => {
    const target = join(dir, 'missing', 'snapshot.json');
    const run = await cli(['merge', shardFile(1), shardFile(3), '--out', target]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('trailwarden: missing shard 2/3: every shard of 3 is needed');
    expect(() => readdirSync(join(dir, 'missing'))).toThrow();
  });

  it('refuses a duplicate shard, naming both files', async () => {
    const twin = join(dir, 'twin.json');
    writeFileSync(twin, readFileSync(shardFile(2)));
    const run = await cli(['merge', shardFile(1), shardFile(2), twin, shardFile(3), '--out', join(dir, 'dup.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`trailwarden: ${twin}: shard 2/3 is given twice (also ${shardFile(2)})`);
  });

  it('refuses shards of another shard count or another organization, and unsharded snapshots', async () => {
    const edited = (name: string, edit: (s: Snapshot) => void) => {
      const s = JSON.parse(readFileSync(shardFile(2), 'utf8')) as Snapshot;
      edit(s);
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(s, null, 2));
      return file;
    };
    const four = edited('four.json', (s) => void (s.shard = { index: 2, count: 4 }));
    let run = await cli(['merge', shardFile(1), four, shardFile(3), '--out', join(dir, 'x.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${four}: shard 2/4, but ${shardFile(1)} is shard 1/3: the shard counts differ`);

    const otherOrg = edited('other-org.json', (s) => void (s.organization.id = 'o-otherorg12'));
    run = await cli(['merge', shardFile(1), otherOrg, shardFile(3), '--out', join(dir, 'x.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${otherOrg}: scans organization o-otherorg12, but ${shardFile(1)} scans organization ${org.organizationId}`);

    const otherScope = edited('other-scope.json', (s) => void (s.scope.regions = ['us-east-1']));
    run = await cli(['merge', shardFile(1), otherScope, shardFile(3), '--out', join(dir, 'x.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${otherScope}: the scan scope`);

    const wholeFile = join(dir, 'whole.json');
    writeFileSync(wholeFile, JSON.stringify(whole));
    run = await cli(['merge', wholeFile, '--out', join(dir, 'x.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${wholeFile}: not a shard snapshot`);
  });

  it('a malformed snapshot is a file:line error, exit 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, readFileSync(shardFile(2), 'utf8').replace('"complete": true', '"complete": "yes"'));
    const run = await cli(['merge', shardFile(1), bad, shardFile(3), '--out', join(dir, 'x.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^trailwarden: ${bad.replace(/[.]/g, '\\.')}:\\d+: .*complete`));
  });
});
