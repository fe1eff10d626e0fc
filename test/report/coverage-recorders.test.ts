// The coverage map says what records each cell: a trail, a CloudTrail Lake event data store where no
// trail does (an organization data store), or nothing. Built on the compliant base organization of
// the rule fixtures, judged by the shipped pack.
import { describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare } from '../../src/core/pipeline.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { coverageMap } from '../../src/report/formats/html-coverage.js';
import { applyOverlay, baseSnapshot, EVALUATION_NOW } from '../harness/fixture.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const EDS = 'arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const noTrail = { accounts: ACCOUNTS.map((id) => ({ id, coveringTrailArns: [] })) };

async function cells(snapshot: Snapshot) {
  const { report } = evaluateSnapshot(snapshot, await prepare({}, ROOT), undefined, EVALUATION_NOW);
  return coverageMap(snapshot, report, ACCOUNTS, ['us-east-1', 'ap-east-1']);
}

describe('coverage map: trail, event data store or none', () => {
  it('a cell a trail covers is recorded by the trail, and lists the event data store beside it', async () => {
    const map = await cells(baseSnapshot());
    for (const row of map) {
      expect(row[0]).toMatchObject({ state: 'covered', recordedBy: 'trail', eventDataStores: [{ arn: EDS, note: 'records' }] });
      expect(row[1]).toMatchObject({ state: 'not-opted-in', recordedBy: null, eventDataStores: [] });
    }
  });

  it('with no trail, the organization event data store records every member: the trail rule still says gap', async () => {
    const map = await cells(applyOverlay(baseSnapshot(), noTrail));
    for (const row of map) expect(row[0]).toMatchObject({ state: 'gap', recordedBy: 'event-data-store' });
  });

  it('a stopped event data store records nothing; one that could not be read is unknown', async () => {
    const stopped = await cells(applyOverlay(baseSnapshot(), { ...noTrail, eventDataStores: [{ arn: EDS, configuration: { status: 'STOPPED_INGESTION' } }] }));
    for (const row of stopped) expect(row[0]).toMatchObject({ state: 'gap', recordedBy: 'none', eventDataStores: [{ arn: EDS, note: 'not-enabled' }] });
    const unread = await cells(applyOverlay(baseSnapshot(), { ...noTrail, eventDataStores: [{ arn: EDS, configuration: null, eventSelectors: null }] }));
    for (const row of unread) expect(row[0]).toMatchObject({ state: 'gap', recordedBy: 'unknown', eventDataStores: [{ arn: EDS, note: 'not-collected' }] });
    // Not credited (whether it is an organization data store is unknown), still unknown rather than none.
    const uncredited = await cells(applyOverlay(baseSnapshot(), { accounts: ACCOUNTS.map((id) => ({ id, coveringTrailArns: [], coveringEventDataStoreArns: [] })), eventDataStores: [{ arn: EDS, configuration: null, eventSelectors: null }] }));
    for (const row of uncredited) expect(row[0]).toMatchObject({ state: 'gap', recordedBy: 'unknown', eventDataStores: [] });
  });
});
