// Sharded scans and CloudTrail Lake: an event data store or channel seen by one shard only is in
// the merged snapshot, once, and the organization data store is credited to every account again.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Snapshot } from '../inventory/schema.js';
import { shardOf } from './assign.js';
import { mergeShards } from './merge.js';

const base = Snapshot.parse(JSON.parse(readFileSync(new URL('../../test/rules/base-snapshot.json', import.meta.url), 'utf8')));
const COUNT = [2, 3, 4, 5, 6, 7, 8].find((n) => new Set(base.accounts.map((a) => shardOf(a.id, n))).size > 1)!;
const channel = {
  arn: 'arn:aws:cloudtrail:us-east-1:333333333333:channel/11112222-3333-4444-5555-666677778888',
  name: 'partner-feed', ownerAccountId: '333333333333', region: 'us-east-1',
  configuration: { source: 'Custom', applyToAllRegions: true, destinations: [], latestIngestionSuccessTime: null, latestIngestionErrorCode: null },
};

function shard(index: number): Snapshot {
  const s = structuredClone(base);
  s.shard = { index, count: COUNT };
  // Only the shard of the workload account saw its channel; only shard 1 kept the organization data store.
  s.channels = shardOf('333333333333', COUNT) === index ? [channel] : [];
  if (index !== 1) s.eventDataStores = [];
  s.accounts = s.accounts.map((a) => ({ ...a, coveringEventDataStoreArns: [] }));
  return s;
}

describe('mergeShards with event data stores and channels', () => {
  it('joins them by ARN and derives the coverage again', () => {
    const inputs = Array.from({ length: COUNT }, (_, i) => ({ file: `shard-${i + 1}.json`, snapshot: shard(i + 1) }));
    const { snapshot } = mergeShards(inputs);
    expect(snapshot.eventDataStores).toEqual(base.eventDataStores);
    expect(snapshot.channels).toEqual([channel]);
    for (const a of snapshot.accounts) expect(a.coveringEventDataStoreArns, a.id).toEqual([base.eventDataStores[0]!.arn]);
  });
});
