import { describe, expect, it } from 'vitest';
import type { DataEvents, EventSelectors, NetworkActivity } from '../../inventory/schema.js';
import type { Recorder } from '../recorders.js';
import { CannotJudge } from './cannot-judge.js';
import { recordsDataEventTypes, unmetDataEvents, unmetNetworkActivity } from './data-events.js';

// Normalized selectors as the collector writes them (src/collect/data-events.ts, tested there).
type Dir = { read?: DataEvents['read']; write?: DataEvents['write']; readResources?: string[]; writeResources?: string[] };
const de = (resourceType: string, d: Dir = {}): DataEvents => ({
  resourceType, read: d.read ?? 'all', readResources: d.readResources ?? [], write: d.write ?? 'all', writeResources: d.writeResources ?? [],
});
const na = (eventSource: string, d: Partial<NetworkActivity> = {}): NetworkActivity => ({ eventSource, read: 'all', write: 'all', conditions: [], ...d });
const selectors = (dataEvents: DataEvents[], networkActivity: NetworkActivity[] = []): EventSelectors => ({
  source: 'advanced',
  management: { read: true, write: true, excludedSources: [], onlySources: null },
  s3Data: { read: 'none', write: 'none', resources: [] },
  otherDataResourceTypes: [],
  dataEvents,
  networkActivity,
  raw: { eventSelectors: [], advancedEventSelectors: [] },
});
let n = 0;
const recorder = (s: EventSelectors | null, over: Partial<Recorder> = {}): Recorder => ({
  kind: 'trail', arn: `arn:aws:cloudtrail:us-east-1:111111111111:trail/t${n++}`, name: 't', ownerAccountId: '111111111111', homeRegion: 'us-east-1',
  multiRegion: true, organization: true, recording: true, eventSelectors: s, ...over,
});
const TABLE = 'arn:aws:dynamodb:us-east-1:111111111111:table/payments';

describe('recordsDataEventTypes', () => {
  it('any type of the prefix, read and write, for all resources', () => {
    expect(recordsDataEventTypes(selectors([de('AWS::Bedrock::Guardrail')]), 'AWS::Bedrock::')).toBe(true);
    expect(recordsDataEventTypes(selectors([de('AWS::BedrockAgentCore::Runtime')]), 'AWS::Bedrock::')).toBe(false);
    expect(recordsDataEventTypes(selectors([de('AWS::Bedrock::Guardrail', { write: 'none' })]), 'AWS::Bedrock::')).toBe(false);
  });

  it('cannot judge selectors that were not collected, or a snapshot without the per-type model', () => {
    expect(() => recordsDataEventTypes(null, 'AWS::Bedrock::')).toThrow(CannotJudge);
    const old = selectors([de('AWS::Bedrock::Guardrail')]);
    delete old.dataEvents;
    expect(() => recordsDataEventTypes(old, 'AWS::Bedrock::')).toThrow(/schema 1.2/);
  });
});

describe('unmetDataEvents', () => {
  it('a prefix inside a recorded prefix is met; a sibling prefix is not', () => {
    const r = recorder(selectors([de('AWS::DynamoDB::Table', { read: 'some', readResources: [TABLE], write: 'some', writeResources: [TABLE] })]));
    expect(unmetDataEvents([r], [{ resourceType: 'AWS::DynamoDB::Table', arnPrefix: `${TABLE}-prod` }])).toEqual([]);
    expect(unmetDataEvents([r], [{ resourceType: 'AWS::DynamoDB::Table', arnPrefix: 'arn:aws:dynamodb:us-east-1:111111111111:table/orders' }])).toEqual([
      'AWS::DynamoDB::Table read and write data events for arn:aws:dynamodb:us-east-1:111111111111:table/orders*',
    ]);
    expect(unmetDataEvents([r], [{ resourceType: 'AWS::DynamoDB::Table' }])).toHaveLength(1);
  });

  it('an exact resource (Equals) meets only the same ARN; a narrowed selector meets nothing', () => {
    const exact = recorder(selectors([de('AWS::DynamoDB::Table', { read: 'some', readResources: [`resources.ARN=${TABLE}`], write: 'some', writeResources: [`resources.ARN=${TABLE}`] })]));
    expect(unmetDataEvents([exact], [{ resourceType: 'AWS::DynamoDB::Table', arnPrefix: TABLE }])).toEqual([]);
    expect(unmetDataEvents([exact], [{ resourceType: 'AWS::DynamoDB::Table', arnPrefix: `${TABLE}-prod` }])).toHaveLength(1);
    const narrowed = recorder(selectors([de('AWS::DynamoDB::Table', { read: 'some', readResources: [`${TABLE} & eventName=GetItem`], write: 'some', writeResources: [`${TABLE} & eventName=GetItem`] })]));
    expect(unmetDataEvents([narrowed], [{ resourceType: 'AWS::DynamoDB::Table', arnPrefix: TABLE }])).toHaveLength(1);
  });

  it('directions: read and write may come from different recorders; read alone does not meet write', () => {
    const reads = recorder(selectors([de('AWS::Lambda::Function', { write: 'none' })]));
    const writes = recorder(selectors([de('AWS::Lambda::Function', { read: 'none' })]), { kind: 'event-data-store', arn: 'arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/x' });
    expect(unmetDataEvents([reads], [{ resourceType: 'AWS::Lambda::Function', read: false }])).toHaveLength(1);
    expect(unmetDataEvents([reads, writes], [{ resourceType: 'AWS::Lambda::Function' }])).toEqual([]);
  });

  it('ignores recorders that are not multi-region or not recording', () => {
    const all = selectors([de('AWS::Lambda::Function')]);
    expect(unmetDataEvents([recorder(all, { multiRegion: false }), recorder(all, { recording: false })], [{ resourceType: 'AWS::Lambda::Function' }])).toHaveLength(1);
  });

  it('an unmet requirement beside a recorder that could not be read is unknown, never FAIL; a met one stays met', () => {
    const unknown = recorder(null, { arn: 'arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/unread', recording: null, multiRegion: null });
    expect(() => unmetDataEvents([recorder(selectors([])), unknown], [{ resourceType: 'AWS::Lambda::Function' }])).toThrow(/eventdatastore\/unread could not be read/);
    expect(unmetDataEvents([recorder(selectors([de('AWS::Lambda::Function')])), unknown], [{ resourceType: 'AWS::Lambda::Function' }])).toEqual([]);
  });
});

describe('unmetNetworkActivity', () => {
  it('met only by an unnarrowed selector of the same event source', () => {
    expect(unmetNetworkActivity([recorder(selectors([], [na('s3.amazonaws.com')]))], [{ eventSource: 's3.amazonaws.com' }])).toEqual([]);
    const denied = na('s3.amazonaws.com', { read: 'some', write: 'some', conditions: ['errorCode=VpceAccessDenied'] });
    expect(unmetNetworkActivity([recorder(selectors([], [denied]))], [{ eventSource: 's3.amazonaws.com' }])).toEqual([
      'network activity events of s3.amazonaws.com (read and write)',
    ]);
    const writesOnly = na('kms.amazonaws.com', { read: 'none' });
    expect(unmetNetworkActivity([recorder(selectors([], [writesOnly]))], [{ eventSource: 'kms.amazonaws.com', read: false }])).toEqual([]);
    expect(unmetNetworkActivity([recorder(selectors([], [writesOnly]))], [{ eventSource: 'kms.amazonaws.com' }])).toHaveLength(1);
  });
});
