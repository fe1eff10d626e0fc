import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { finalizeSnapshot } from '../inventory/derive.js';
import { Snapshot, type AccountRecord } from '../inventory/schema.js';
import { InputError } from '../util/input-error.js';
import { shardOf } from './assign.js';
import { factCount, mergeShards, ShardSetError } from './merge.js';

const base = Snapshot.parse(JSON.parse(readFileSync(new URL('../../test/rules/base-snapshot.json', import.meta.url), 'utf8')));
/** The smallest shard count that splits the base organization's accounts over two shards or more. */
const COUNT = [2, 3, 4, 5, 6, 7, 8].find((n) => new Set(base.accounts.map((a) => shardOf(a.id, n))).size > 1)!;
const clone = <T>(v: T): T => structuredClone(v);

/** What shard `index` of COUNT would have written for the base organization. */
function shardView(index: number): Snapshot {
  const s = clone(base);
  s.shard = { index, count: COUNT };
  s.accounts = s.accounts.map((a): AccountRecord =>
    shardOf(a.id, COUNT) === index
      ? a
      : { ...a, status: 'skipped', inScope: false, reason: `scanned by another shard (this is shard ${index}/${COUNT})`, tags: null, bucketNames: null, regions: [], access: null, roleArn: null, s3PublicAccessBlock: null },
  );
  // --verify-logs: a shard verifies only its own accounts' streams, and counts only its own reads.
  if (s.logIntegrity) {
    const mine = s.logIntegrity.streams.filter((st) => shardOf(st.accountId, COUNT) === index);
    const share = mine.length / Math.max(1, base.logIntegrity!.streams.length);
    s.logIntegrity = { ...s.logIntegrity, streams: mine, objects: Math.round(base.logIntegrity!.objects * share), bytes: Math.round(base.logIntegrity!.bytes * share) };
  }
  return s;
}

const files = () => Array.from({ length: COUNT }, (_, i) => i + 1).map((i) => ({ file: `shard-${i}.json`, snapshot: shardView(i) }));

describe('mergeShards', () => {
  it('the shards of the base organization merge back into it', () => {
    expect(new Set(base.accounts.map((a) => shardOf(a.id, COUNT))).size).toBeGreaterThan(1);
    const { snapshot, notes } = mergeShards(files());
    expect(notes).toEqual([]);
    const { stats: _a, ...merged } = snapshot;
    const { stats: _b, ...expected } = finalizeSnapshot(clone(base));
    expect(merged).toEqual(expected);
    expect(snapshot.shard).toBeUndefined();
  });

  it('--verify-logs: the streams join as a union, and shards verified over different windows are refused', () => {
    expect(mergeShards(files()).snapshot.logIntegrity).toEqual(base.logIntegrity);
    const inputs = files();
    inputs[1]!.snapshot.logIntegrity!.since = '2026-11-01T00:00:00.000Z';
    expect(() => mergeShards(inputs)).toThrow(/run every shard with the same --verify-logs window/);
  });

  it('keeps the copy with more facts, says so, and keeps the other copy\'s error', () => {
    const inputs = files();
    const poor = inputs[1]!.snapshot;
    poor.buckets[0]!.policy = null;
    const error = { accountId: poor.buckets[0]!.ownerAccountId, region: 'us-east-1', resource: { type: 'bucket' as const, id: poor.buckets[0]!.name }, facts: ['bucket.policy'], service: 's3', operation: 'GetBucketPolicy', code: 'AccessDenied', message: 'denied' };
    poor.errors.push(error);
    const { snapshot, notes } = mergeShards(inputs);
    expect(snapshot.buckets[0]!.policy).toEqual(base.buckets[0]!.policy);
    expect(snapshot.errors).toContainEqual(error);
    expect(notes).toEqual([expect.stringMatching(new RegExp(`^bucket org-cloudtrail-logs-222222222222: the copies in shard 1/${COUNT} \\(shard-1\\.json\\), shard 2/${COUNT} \\(shard-2\\.json\\) differ; kept the one from shard 1/`))]);
  });

  it('takes each fact from whichever shard saw it: one copy lacks the status, the other the selectors', () => {
    const inputs = files();
    const trail = base.trails[0]!;
    inputs[0]!.snapshot.trails[0]!.status = null;
    inputs[1]!.snapshot.trails[0]!.eventSelectors = null;
    inputs[1]!.snapshot.trails[0]!.tags = null;
    const merged = mergeShards(inputs).snapshot.trails.find((t) => t.arn === trail.arn)!;
    expect(merged.status).toEqual(trail.status);
    expect(merged.eventSelectors).toEqual(trail.eventSelectors);
  });

  it('on copies with as many facts that disagree, keeps the most recent reading', () => {
    const inputs = files();
    for (const i of inputs) i.snapshot.finishedAt = '2026-11-21T10:00:00.000Z';
    inputs[1]!.snapshot.finishedAt = '2026-11-21T11:00:00.000Z';
    inputs[0]!.snapshot.trails[0]!.status!.isLogging = true;
    inputs[1]!.snapshot.trails[0]!.status!.isLogging = false;
    const { snapshot, notes } = mergeShards(inputs);
    expect(snapshot.trails[0]!.status!.isLogging).toBe(false);
    expect(notes.some((n) => n.includes(`kept the one from shard 2/${COUNT}`))).toBe(true);
  });

    it('unions the trails that use a resource across shards', () => {
    const inputs = files();
    for (const i of inputs) i.snapshot.buckets[0]!.usedByTrailArns = ['arn:a'];
    inputs[1]!.snapshot.buckets[0]!.usedByTrailArns = ['arn:b', 'arn:a'];
    expect(mergeShards(inputs).snapshot.buckets[0]!.usedByTrailArns).toEqual(['arn:a', 'arn:b']);
  });

  it('fills an owner record\'s context facts read by another shard', () => {
    const inputs = files();
    const id = base.accounts.find((a) => a.s3PublicAccessBlock !== null)!.id;
    const own = inputs[shardOf(id, COUNT) - 1]!.snapshot.accounts.find((a) => a.id === id)!;
    const other = inputs.find((_, i) => i !== shardOf(id, COUNT) - 1)!.snapshot.accounts.find((a) => a.id === id)!;
    other.s3PublicAccessBlock = own.s3PublicAccessBlock;
    own.s3PublicAccessBlock = null;
    expect(mergeShards(inputs).snapshot.accounts.find((a) => a.id === id)!.s3PublicAccessBlock).toEqual(other.s3PublicAccessBlock);
  });

  it('an owner\'s buckets that other shards\' trails deliver to are in its bucketNames, as an unsharded scan lists them', () => {
    const owner = base.buckets[0]!.ownerAccountId!;
    const expected = base.accounts.find((a) => a.id === owner)!.bucketNames;
    expect(expected).toContain(base.buckets[0]!.name);
    const inputs = files();
    // Its own shard saw no trail delivering there, so it kept none of its ListBuckets.
    inputs[shardOf(owner, COUNT) - 1]!.snapshot.accounts.find((a) => a.id === owner)!.bucketNames = [];
    expect(mergeShards(inputs).snapshot.accounts.find((a) => a.id === owner)!.bucketNames).toEqual(expected);
    // A ListBuckets that failed stays unknown.
    inputs[shardOf(owner, COUNT) - 1]!.snapshot.accounts.find((a) => a.id === owner)!.bucketNames = null;
    expect(mergeShards(inputs).snapshot.accounts.find((a) => a.id === owner)!.bucketNames).toBeNull();
  });

  it('an account its own shard never listed is an error, not silently skipped', () => {
    const inputs = files();
    const id = base.accounts[1]!.id;
    const owner = shardOf(id, COUNT);
    const ownSnapshot = inputs[owner - 1]!.snapshot;
    ownSnapshot.accounts = ownSnapshot.accounts.filter((a) => a.id !== id);
    const { snapshot, notes } = mergeShards(inputs);
    expect(snapshot.accounts.find((a) => a.id === id)).toMatchObject({ status: 'error', inScope: true, reason: expect.stringContaining(`shard ${owner}/${COUNT}, which owns it`) });
    expect(notes).toEqual([expect.stringContaining(`account ${id}`)]);
  });

  it('an incomplete shard makes the merge incomplete, naming the shard', () => {
    const inputs = files();
    inputs[1]!.snapshot.complete = false;
    inputs[1]!.snapshot.incompleteReason = 'interrupted (SIGINT)';
    expect(mergeShards(inputs).snapshot).toMatchObject({ complete: false, incompleteReason: `shard 2/${COUNT}: interrupted (SIGINT)` });
  });

  it('sums the API call statistics', () => {
    const total = (s: Snapshot) => s.stats.apiCalls.reduce((n, c) => n + c.calls, 0);
    expect(total(mergeShards(files()).snapshot)).toBe(COUNT * total(base));
  });

  it('refuses a missing shard, a duplicate one and an unsharded snapshot', () => {
    const [one, two] = files();
    expect(() => mergeShards(files().filter((f) => f.file !== 'shard-2.json'))).toThrow(new ShardSetError(`missing shard 2/${COUNT}: every shard of ${COUNT} is needed`));
    expect(() => mergeShards([one!, two!, { ...two!, file: 'again.json' }])).toThrow(InputError);
    expect(() => mergeShards([one!, { file: 'whole.json', snapshot: clone(base) }])).toThrow(/whole\.json: not a shard snapshot/);
    expect(() => mergeShards([])).toThrow(ShardSetError);
  });
});

describe('factCount', () => {
  it('counts collected leaves; null is a fact not collected', () => {
    expect(factCount({ a: 1, b: null, c: { d: 'x', e: [1, 2] } })).toBe(5);
    expect(factCount(null)).toBe(0);
  });
});
