// scan --verify-logs on a corpus of real-format CloudTrail digests and log files in moto: every
// planted defect found, named and located, nothing else flagged, no PASS where a read failed,
// and the AWS CLI's own `aws cloudtrail validate-logs` agreeing stream by stream.
// moto has no cloudtrail:ListPublicKeys: the fault proxy answers it in the real wire shape.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeManifest } from '../../src/evidence/manifest.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import type { LogStream, Snapshot } from '../../src/inventory/schema.js';
import { validateStream, type ValidateLogsResult } from '../harness/aws-cli-validate.js';
import { cli } from '../harness/cli.js';
import { emulatorEnv } from '../harness/context.js';
import { kmsDecryptDeniedRule, startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { createCorpusTrails, seedLogCorpus, type CorpusStreamName, type LogCorpusManifest } from '../harness/log-corpus.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { assertValidSnapshot } from '../harness/scan-run.js';
import { shardOf } from '../../src/shard/assign.js';

let moto: MotoServer;
let proxy: FaultProxy;
let m: LogCorpusManifest;
let snapshot: Snapshot;
let findings: Finding[];
const oracle = {} as Record<CorpusStreamName, ValidateLogsResult>;

const window = () => ['--since', m.window.start.toISOString(), '--until', m.window.end.toISOString()];
const scanArgs = (dir: string, ...extra: string[]) => [
  'scan', '--endpoint-url', proxy.endpoint, '--out', dir, '--regions', 'us-east-1,eu-west-1', '--fail-on', 'none', '--allow-incomplete', '--quiet', '--verify-logs', ...window(), ...extra,
];
const read = <T>(dir: string, file: string): T => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;

function streamOf(s: Snapshot, name: CorpusStreamName): LogStream {
  const c = m.streams[name];
  const found = s.logIntegrity!.streams.find((x) => x.trailArn === c.trailArn && x.accountId === c.spec.accountId && x.region === c.spec.region);
  expect(found, name).toBeDefined();
  return found!;
}

const verdict = (ruleId: string, s: LogStream) => findings.find((f) => f.ruleId === ruleId && f.resource.id === s.id)!;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint });
  emulatorEnv(proxy.endpoint);
  m = await seedLogCorpus(moto.endpoint);
  await createCorpusTrails(moto.endpoint, m);
  proxy.setPublicKeys((region) => m.keys.publicKeys(region));
  const names = Object.keys(m.streams) as CorpusStreamName[];
  await Promise.all(names.map(async (n) => void (oracle[n] = await validateStream(proxy.endpoint, m.streams[n]))));
  const dir = mkdtempSync(join(tmpdir(), 'tw-verify-logs-'));
  const run = await cli(scanArgs(dir));
  expect(run.code, run.stderr).toBe(0);
  snapshot = read<Snapshot>(dir, 'snapshot.json');
  findings = read<{ findings: Finding[] }>(dir, 'report.json').findings;
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('scan --verify-logs', () => {
  it('records the window and one stream per trail, account and region in a valid snapshot', () => {
    assertValidSnapshot(snapshot);
    expect(snapshot.schemaVersion).toBe('1.2');
    const li = snapshot.logIntegrity!;
    expect([li.since, li.until, li.depth]).toEqual([m.window.start.toISOString(), m.window.end.toISOString(), 'logs']);
    for (const name of Object.keys(m.streams) as CorpusStreamName[]) streamOf(snapshot, name);
    expect(li.objects).toBeGreaterThan(100);
  });

  it('agrees with aws cloudtrail validate-logs on every stream: digests, log files and gaps', () => {
    for (const name of Object.keys(m.streams) as CorpusStreamName[]) {
      const ours = streamOf(snapshot, name);
      const cli = oracle[name];
      const ctx = `${name}\n${cli.stdout}\n${cli.stderr}\n${JSON.stringify(ours, null, 1)}`;
      // The CLI counts a missing digest or log file among the invalid ones.
      expect({ valid: ours.digests.valid, invalid: ours.digests.invalid + ours.digests.missing }, ctx).toEqual({ valid: cli.digests.valid, invalid: cli.digests.invalid });
      expect({ valid: ours.logs.valid, invalid: ours.logs.invalid + ours.logs.missing }, ctx).toEqual({ valid: cli.logs.valid, invalid: cli.logs.invalid });
      const gaps = (g: { start: string | Date; end: string | Date }[]) => g.map((x) => `${new Date(x.start).toISOString()}/${new Date(x.end).toISOString()}`).sort();
      expect(gaps(ours.gaps), ctx).toEqual(gaps(cli.gaps));
    }
  });

  it('finds, names and locates every planted defect', () => {
    const expectedKind: Record<string, string[]> = {
      'modified-log': ['log-hash-mismatch'],
      'log-trailing-data': ['log-hash-mismatch', 'log-invalid-format'],
      'deleted-log': ['log-missing'],
      'unlisted-log': ['log-unlisted'],
      'deleted-digest': ['digest-missing'],
      'modified-digest': ['digest-invalid-signature'],
      'moved-digest': ['digest-missing'],
      'unknown-key-digest': ['digest-unknown-key'],
    };
    for (const [name, planted] of Object.entries(m.defects)) {
      const s = streamOf(snapshot, planted.stream);
      const found = s.defects.find((d) => d.key === planted.key);
      expect(found, `${name}: ${planted.key} in ${JSON.stringify(s.defects, null, 1)}`).toBeDefined();
      expect(expectedKind[name], name).toContain(found!.kind);
      if (planted.movedTo) expect(s.defects.find((d) => d.key === planted.movedTo)?.kind, name).toBe('digest-moved');
      expect(verdict('trail-log-integrity', s).status, name).toBe('FAIL');
    }
    const planted = s('org-a-euw1').defects.find((d) => d.kind === 'log-unlisted')!;
    expect(planted.reason).toMatch(/planted/);
    expect(s('org-a-euw1').logs.unlistedInChain).toBe(1);
  });

  it('flags nothing on the clean stream: both rules PASS, every digest and log file valid', () => {
    const clean = s('org-a-use1');
    expect(clean.defects).toEqual([]);
    expect(clean.gaps).toEqual([]);
    expect(clean.readErrors).toEqual([]);
    expect(clean.digests.valid).toBe(m.streams['org-a-use1'].digests.length);
    expect(clean.logs.valid).toBe(m.streams['org-a-use1'].logs.length);
    expect(clean.spans.map((x) => x.state)).toEqual(['verified']);
    expect(verdict('trail-log-integrity', clean).status).toBe('PASS');
    expect(verdict('trail-log-continuity', clean).status).toBe('PASS');
    // Defects only where they were planted: the other streams' defects are all named in the manifest.
    const plantedKeys = new Set(Object.values(m.defects).flatMap((d) => [d.key, ...(d.movedTo ? [d.movedTo] : [])]));
    for (const name of ['org-a-euw1', 'org-b-use1', 'org-b-euw1'] as const) {
      for (const d of s(name).defects) expect(plantedKeys.has(d.key), `${name}: unexpected ${d.kind} ${d.key}`).toBe(true);
    }
  });

  it('gaps: validation off and stopped logging are gaps with their reason, and FAIL continuity', () => {
    for (const name of ['member-a-use1', 'member-a-euw1'] as const) {
      const st = s(name);
      expect(st.gaps.length, name).toBe(2);
      const [off, stopped] = [...st.gaps].sort((a, b) => a.start.localeCompare(b.start));
      expect(off!.unlistedLogs, name).toBeGreaterThan(0);
      expect(off!.reason, name).toMatch(/validation was off/);
      expect(stopped!.unlistedLogs, name).toBe(0);
      expect(stopped!.reason, name).toMatch(/logging was stopped|no log file and no digest/);
      expect(st.logs.unlistedInChain, name).toBe(0);
      const continuity = verdict('trail-log-continuity', st);
      expect(continuity.status, name).toBe('FAIL');
      expect(continuity.message, name).toContain(`between ${off!.start}`);
      // Log files delivered while validation was off are the gap's, not tampering.
      expect(verdict('trail-log-integrity', st).status, name).toBe('PASS');
      expect(st.spans.some((x) => x.state === 'gap'), name).toBe(true);
    }
  });

  it('a stream the organization trail covers but that holds no digest is ERROR, never PASS', () => {
    const empty = snapshot.logIntegrity!.streams.filter((x) => x.validationEnabled && x.digests.valid === 0 && x.readErrorCount === 0);
    expect(empty.length).toBeGreaterThan(0);
    for (const x of empty) {
      expect(verdict('trail-log-integrity', x).status).toBe('ERROR');
      expect(verdict('trail-log-integrity', x).message).toMatch(/no digest of the window/);
    }
  });
});

describe('a window that opens while logging is off', () => {
  it('the chain starting inside the window, with a digest before it, is an opening gap that FAILs continuity; a new chain is not', async () => {
    const c = m.streams['member-a-use1'];
    const [from, to] = c.spec.stoppedHours!;
    // The window opens half an hour into the stopped period: the first digest in it has no link.
    const since = new Date(c.spec.start.getTime() + (from + 0.5) * 3_600_000);
    const dir = mkdtempSync(join(tmpdir(), 'tw-verify-logs-opening-'));
    const run = await cli(['scan', '--endpoint-url', proxy.endpoint, '--out', dir, '--regions', 'us-east-1', '--fail-on', 'none', '--allow-incomplete', '--quiet', '--verify-logs', '--since', since.toISOString(), '--until', m.window.end.toISOString()]);
    expect(run.code, run.stderr).toBe(0);
    const snap = read<Snapshot>(dir, 'snapshot.json');
    const st = snap.logIntegrity!.streams.find((x) => x.trailArn === c.trailArn && x.accountId === c.spec.accountId && x.region === 'us-east-1')!;
    expect(st.gaps).toEqual([]);
    expect(st.openingGap).toMatchObject({ end: new Date(c.spec.start.getTime() + to * 3_600_000).toISOString().replace('.000Z', 'Z'), hours: to - from - 0.5 });
    expect(Date.parse(st.openingGap!.start)).toBeLessThan(since.getTime());
    const report = read<{ findings: Finding[] }>(dir, 'report.json').findings;
    const continuity = report.find((f) => f.ruleId === 'trail-log-continuity' && f.resource.id === st.id)!;
    expect(continuity.status).toBe('FAIL');
    expect(continuity.message).toMatch(/began before the window/);
    // The organization trail's clean stream in the same window starts mid-chain: no gap at all.
    const clean = snap.logIntegrity!.streams.find((x) => x.trailArn === m.streams['org-a-use1'].trailArn && x.accountId === m.streams['org-a-use1'].spec.accountId && x.region === 'us-east-1')!;
    expect(clean.openingGap).toBeNull();
    expect(report.find((f) => f.ruleId === 'trail-log-continuity' && f.resource.id === clean.id)!.status).toBe('PASS');
  });
});

describe('scan --verify-logs when reads fail', () => {
  it('AccessDenied on the bucket and KMS Decrypt denied: ERROR naming what could not be read, the other streams still judged', async () => {
    const b = m.streams['org-b-euw1'];
    const a = m.streams['org-a-use1'];
    proxy.setRules([
      { match: { service: 's3', operation: /^ListObjects/, bucket: b.spec.bucket, keyPrefix: b.digestPrefix }, fault: 'AccessDenied' },
      kmsDecryptDeniedRule({ bucket: a.spec.bucket, keyPrefix: a.logPrefix, kmsKeyArn: `arn:aws:kms:us-east-1:${m.accounts.logArchive}:key/00000000-0000-0000-0000-000000000000` }),
    ]);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'tw-verify-logs-denied-'));
      const run = await cli(scanArgs(dir));
      expect(run.code, run.stderr).toBe(0);
      const snap = read<Snapshot>(dir, 'snapshot.json');
      findings = read<{ findings: Finding[] }>(dir, 'report.json').findings;
      const denied = streamOf(snap, 'org-b-euw1');
      expect(denied.readErrors[0]).toMatchObject({ operation: 'ListObjectsV2', code: 'AccessDenied' });
      expect(verdict('trail-log-integrity', denied).status).toBe('ERROR');
      expect(verdict('trail-log-integrity', denied).message).toMatch(/AccessDenied/);
      expect(verdict('trail-log-continuity', denied).status).toBe('ERROR');
      const kms = streamOf(snap, 'org-a-use1');
      expect(kms.readErrorCount).toBeGreaterThan(0);
      expect(kms.readErrors[0]!.message).toMatch(/kms:Decrypt/);
      expect(verdict('trail-log-integrity', kms).status).toBe('ERROR');
      expect(verdict('trail-log-integrity', kms).message).toMatch(/kms:Decrypt/);
      expect(snap.errors.some((e) => e.resource?.type === 'log-stream' && e.resource.id === kms.id && e.message.includes('kms:Decrypt'))).toBe(true);
      // What was read elsewhere is still judged: the tampered stream still FAILs.
      expect(verdict('trail-log-integrity', streamOf(snap, 'org-b-use1')).status).toBe('FAIL');
    } finally {
      proxy.clearRules();
    }
  });
});

describe('scan --shard K/N --verify-logs, joined by merge', () => {
  it('each shard verifies its own accounts\' streams, and the merged snapshot holds every stream once, as the whole scan does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-verify-logs-shards-'));
    const files: string[] = [];
    for (const k of [1, 2]) {
      const out = join(dir, `shard-${k}`);
      // Shard 1 named on the command line, shard 2 taken from an AWS Batch array child's variables.
      const run = k === 1
        ? await cli(scanArgs(out, '--shard', '1/2'))
        : await cli(scanArgs(out, '--shard', 'auto'), { env: { ...process.env, AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '2' } });
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8')) as Snapshot).shard).toEqual({ index: k, count: 2 });
      files.push(join(out, 'snapshot.json'));
    }
    const shardStreams = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Snapshot).map((x) => x.logIntegrity!.streams.filter((st) => st.validationEnabled).map((st) => st.id));
    // The shards split the streams: none verified twice.
    expect(shardStreams[0]!.filter((id) => shardStreams[1]!.includes(id))).toEqual([]);
    const merged = join(dir, 'merged.json');
    const m2 = await cli(['merge', ...files, '--out', merged, '--quiet']);
    expect(m2.code, m2.stderr).toBe(0);
    const joined = JSON.parse(readFileSync(merged, 'utf8')) as Snapshot;
    const counts = (x: Snapshot) => x.logIntegrity!.streams.map((st) => `${st.id} ${JSON.stringify(st.digests)} ${JSON.stringify(st.logs)} ${st.gaps.length}`).sort();
    expect(counts(joined)).toEqual(counts(snapshot));
  });
});

describe('scan --verify-logs --evidence', () => {
  it('the bundle records every read without the objects\' bytes, and trailwarden verify proves its reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-verify-logs-evidence-'));
    const bundle = join(dir, 'bundle');
    const run = await cli(scanArgs(join(dir, 'out'), '--evidence', bundle));
    expect(run.code, run.stderr).toBe(0);
    const calls = readFileSync(join(bundle, 'api-calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { operation: string; output: { Body?: unknown } | null });
    const gets = calls.filter((c) => c.operation === 'GetObject' && c.output);
    expect(gets.length).toBeGreaterThan(100);
    expect(new Set(gets.map((g) => g.output!.Body))).toEqual(new Set(['(object content, read by the verifier: not recorded)']));
    expect(calls.some((c) => c.operation === 'ListPublicKeys')).toBe(true);
    const verified = await cli(['verify', bundle]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout + verified.stderr).toMatch(/re-verified \d+ digest file\(s\) of \d+ log stream\(s\) offline/);
    const metadata = JSON.parse(readFileSync(join(bundle, 'evidence.json'), 'utf8')) as { logIntegrity: { digests: number; objects: number } };
    expect(metadata.logIntegrity.objects).toBeGreaterThan(50);

    // Files and manifest rewritten together: the hashes agree again, but no one can sign a
    // digest in CloudTrail's name, so the offline re-check still catches it.
    const index = readFileSync(join(bundle, 'log-integrity/digests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { streamId: string; file: string | null });
    const clean = snapshotStream('org-a-use1');
    const victim = index.find((l) => l.streamId === clean.id && l.file)!;
    const digest = JSON.parse(gunzipSync(readFileSync(join(bundle, victim.file!))).toString()) as { logFiles: { hashValue: string }[] };
    digest.logFiles.push({ ...digest.logFiles[0]!, hashValue: '0'.repeat(64) });
    writeFileSync(join(bundle, victim.file!), gzipSync(JSON.stringify(digest)));
    await writeManifest(bundle, { createdAt: new Date().toISOString(), toolVersion: 'test' });
    const tampered = await cli(['verify', bundle]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout + tampered.stderr).toMatch(new RegExp(`stream ${clean.id.replace(/[|.*+?^${}()[\]\\]/g, '\\$&')}: the bundled digests verify as`));
  });
});

describe('trailwarden verify-logs (the drop-in for aws cloudtrail validate-logs)', () => {
  const run = (name: CorpusStreamName, ...extra: string[]) => {
    const c = m.streams[name];
    return cli(['verify-logs', '--trail', c.trailArn, ...(c.spec.orgId ? ['--account', c.spec.accountId] : []), '--regions', c.spec.region, '--endpoint-url', proxy.endpoint, ...window(), ...extra]);
  };

  it('a tampered stream: a line per digest and log file, the AWS CLI\'s summary counts, exit 1', async () => {
    const r = await run('org-b-use1', '--verbose');
    expect(r.code, r.stderr).toBe(1);
    const cliResult = oracle['org-b-use1'];
    const total = cliResult.digests.valid + cliResult.digests.invalid;
    expect(r.stdout).toContain(`${cliResult.digests.valid}/${total} digest files valid, ${cliResult.digests.invalid}/${total} digest files INVALID`);
    expect(r.stdout).toContain(`${cliResult.logs.valid}/${cliResult.logs.valid + cliResult.logs.invalid} log files valid`);
    const digestLines = r.stdout.split('\n').filter((l) => l.startsWith('Digest file'));
    expect(digestLines.filter((l) => l.endsWith('  valid'))).toHaveLength(cliResult.digests.valid);
    expect(digestLines.some((l) => l.includes(m.defects['modified-digest'].key) && /INVALID: signature/.test(l))).toBe(true);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('Log file') && l.endsWith('  valid'))).toHaveLength(cliResult.logs.valid);
  });

  it('a clean stream exits 0; an organization trail without --account is a usage error', async () => {
    const r = await run('org-a-use1');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${oracle['org-a-use1'].digests.valid}/${oracle['org-a-use1'].digests.valid} digest files valid`);
    const noAccount = await cli(['verify-logs', '--trail', m.trails.org.arn, '--endpoint-url', proxy.endpoint, ...window()]);
    expect(noAccount.code).toBe(2);
    expect(noAccount.stderr).toMatch(/organization trail: name the member account/);
  });

  it('gaps are printed as the AWS CLI does, and are not invalid files (exit 0)', async () => {
    // As the AWS CLI, verify-logs runs as the trail's owner: here the member account's role.
    const sts = new STSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${m.accounts.memberA}:role/OrganizationAccountAccessRole`, RoleSessionName: 'verify-logs-test' }));
    sts.destroy();
    const c = m.streams['member-a-use1'];
    // The SDK's default credential chain reads the process environment.
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: assumed.Credentials!.AccessKeyId!, AWS_SECRET_ACCESS_KEY: assumed.Credentials!.SecretAccessKey!, AWS_SESSION_TOKEN: assumed.Credentials!.SessionToken! });
    let r;
    try {
      r = await cli(['verify-logs', '--trail', c.trailArn, '--regions', c.spec.region, '--endpoint-url', proxy.endpoint, ...window()]);
    } finally {
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const g of oracle['member-a-use1'].gaps) {
      expect(r.stdout).toContain(`No log files were delivered by CloudTrail between ${g.start.toISOString().replace('.000Z', 'Z')} and ${g.end.toISOString().replace('.000Z', 'Z')}`);
    }
  });
});

function snapshotStream(name: CorpusStreamName): LogStream {
  return streamOf(snapshot, name);
}

function s(name: CorpusStreamName): LogStream {
  return streamOf(snapshot, name);
}

describe('trailwarden verify-logs --shard (an organization trail\'s members over several runners)', () => {
  it('each shard verifies the members the scan\'s assignment gives it, names the others, and together they verify every member', async () => {
    const a = m.streams['org-a-use1'];
    const b = m.streams['org-b-use1'];
    expect(b.trailArn).toBe(a.trailArn);
    const [idA, idB] = [a.spec.accountId, b.spec.accountId];
    // The smallest count that puts the two members in different shards, with at least one shard holding neither.
    // moto gives members random ids: two ids share a shard for every count from 3 to 8 once in 840 runs, for every
    // count from 3 to 16 once in 720,720.
    const count = Array.from({ length: 14 }, (_, i) => i + 3).find((n) => shardOf(idA, n) !== shardOf(idB, n));
    expect(count, `no shard count from 3 to 16 separates ${idA} and ${idB}`).toBeDefined();
    const args = ['verify-logs', '--trail', a.trailArn, '--account', `${idA},${idB}`, '--regions', 'us-east-1', '--endpoint-url', proxy.endpoint, ...window()];
    // Shard k from an Indexed Job's index (k-1) with --shard-count, as on Kubernetes.
    const runs = await Promise.all(
      Array.from({ length: count! }, (_, i) => cli([...args, '--shard-count', String(count)], { env: { ...process.env, JOB_COMPLETION_INDEX: String(i) } })),
    );
    const shardA = shardOf(idA, count!);
    const shardB = shardOf(idB, count!);
    const header = (id: string) => `${id} us-east-1: results requested for`;
    expect(runs[shardA - 1]!.code, runs[shardA - 1]!.stderr).toBe(0);
    expect(runs[shardA - 1]!.stdout).toContain(header(idA));
    expect(runs[shardA - 1]!.stdout).not.toContain(header(idB));
    expect(runs[shardA - 1]!.stdout).toContain(`Shard ${shardA}/${count}: 1 of the accounts asked for belong to other shards (${idB})`);
    // Member B's stream holds the planted digest defects: its shard, and only its shard, exits 1.
    expect(runs[shardB - 1]!.code, runs[shardB - 1]!.stderr).toBe(1);
    expect(runs[shardB - 1]!.stdout).toContain(header(idB));
    expect(runs[shardB - 1]!.stdout).not.toContain(header(idA));
    for (const [i, r] of runs.entries()) {
      if (i + 1 === shardA || i + 1 === shardB) continue;
      expect(r.code).toBe(0);
      expect(r.stderr.trim()).toBe(`trailwarden: exit 0: shard ${i + 1}/${count} holds none of the accounts asked for; nothing to verify here`);
    }
  });

  it('an index past --shard-count is a usage error naming the variable', async () => {
    const a = m.streams['org-a-use1'];
    const r = await cli(['verify-logs', '--trail', a.trailArn, '--account', a.spec.accountId, '--shard-count', '2', '--endpoint-url', proxy.endpoint, ...window()], { env: { ...process.env, AWS_BATCH_JOB_ARRAY_INDEX: '2' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('trailwarden: AWS_BATCH_JOB_ARRAY_INDEX=2 is outside 2 shard(s): the index must be from 0 to 1 (--shard-count 2, AWS_BATCH_JOB_ARRAY_INDEX=2)');
  });
});
