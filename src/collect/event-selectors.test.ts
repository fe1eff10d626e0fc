import { describe, it, expect } from 'vitest';
import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';
import { normalizeEventSelectors } from './event-selectors.js';
import { EventSelectors } from '../inventory/schema.js';

const ALL_MGMT = { read: true, write: true, excludedSources: [], onlySources: null };
const NO_MGMT = { read: false, write: false, excludedSources: [], onlySources: null };
const NO_DATA = { read: 'none', write: 'none', resources: [] };

function basic(eventSelectors: EventSelector[]) {
  const out = normalizeEventSelectors({ hasCustomEventSelectors: true, eventSelectors });
  expect(EventSelectors.parse(out)).toEqual(out);
  return out;
}

function advanced(advancedEventSelectors: AdvancedEventSelector[]) {
  const out = normalizeEventSelectors({ hasCustomEventSelectors: true, advancedEventSelectors });
  expect(EventSelectors.parse(out)).toEqual(out);
  return out;
}

// As GetEventSelectors returns the AWS console default for a new trail.
const CONSOLE_MGMT: AdvancedEventSelector = {
  Name: 'Management events selector',
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
};

const s3Data = (name: string, extra: AdvancedEventSelector['FieldSelectors'] = []): AdvancedEventSelector => ({
  Name: name,
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
    ...(extra ?? []),
  ],
});

describe('normalizeEventSelectors: default and empty', () => {
  it('treats a default trail with empty lists (emulator) as all management events', () => {
    expect(normalizeEventSelectors({ hasCustomEventSelectors: false, eventSelectors: [], advancedEventSelectors: [] })).toEqual({
      source: 'default',
      management: ALL_MGMT,
      s3Data: NO_DATA,
      otherDataResourceTypes: [],
      dataEvents: [],
      networkActivity: [],
      raw: { eventSelectors: [], advancedEventSelectors: [] },
    });
  });

  it('treats a default trail with the default basic selector (real AWS) as default', () => {
    const sel: EventSelector = { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] };
    const out = normalizeEventSelectors({ hasCustomEventSelectors: false, eventSelectors: [sel] });
    expect(out.source).toBe('default');
    expect(out.management).toEqual(ALL_MGMT);
    expect(out.s3Data).toEqual(NO_DATA);
    expect(out.raw).toEqual({ eventSelectors: [sel], advancedEventSelectors: [] });
  });

  it('records nothing for a custom trail with empty lists', () => {
    expect(normalizeEventSelectors({ hasCustomEventSelectors: true, eventSelectors: [], advancedEventSelectors: [] })).toEqual({
      source: 'basic',
      management: NO_MGMT,
      s3Data: NO_DATA,
      otherDataResourceTypes: [],
      dataEvents: [],
      networkActivity: [],
      raw: { eventSelectors: [], advancedEventSelectors: [] },
    });
  });
});

describe('normalizeEventSelectors: basic selectors', () => {
  it('All with management events', () => {
    const sel: EventSelector = { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] };
    expect(basic([sel])).toEqual({
      source: 'basic',
      management: ALL_MGMT,
      s3Data: NO_DATA,
      otherDataResourceTypes: [],
      dataEvents: [],
      networkActivity: [],
      raw: { eventSelectors: [sel], advancedEventSelectors: [] },
    });
  });

  it('absent ReadWriteType and IncludeManagementEvents mean All and true; raw drops undefined', () => {
    const out = basic([{ ReadWriteType: undefined, IncludeManagementEvents: undefined }]);
    expect(out.management).toEqual(ALL_MGMT);
    expect(out.raw.eventSelectors).toEqual([{}]);
    expect(Object.keys(out.raw.eventSelectors[0] as object)).toEqual([]);
  });

  it('WriteOnly', () => {
    const out = basic([{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [] }]);
    expect(out.management).toEqual({ ...ALL_MGMT, read: false });
  });

  it('ReadOnly and WriteOnly selectors combine to read and write', () => {
    const out = basic([
      { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [] },
      { ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [] },
    ]);
    expect(out.management).toEqual(ALL_MGMT);
  });

  it('ExcludeManagementEventSources', () => {
    const out = basic([
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: ['rdsdata.amazonaws.com', 'kms.amazonaws.com'],
      },
    ]);
    expect(out.management).toEqual({ ...ALL_MGMT, excludedSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] });
  });

  it.each(['arn:aws:s3:::', 'arn:aws:s3'])('IncludeManagementEvents false with S3 data for all buckets (%s)', (arn) => {
    const out = basic([
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::S3::Object', Values: [arn] }],
        ExcludeManagementEventSources: [],
      },
    ]);
    expect(out.management).toEqual(NO_MGMT);
    expect(out.s3Data).toEqual({ read: 'all', write: 'all', resources: [] });
    expect(out.otherDataResourceTypes).toEqual([]);
  });

  it('S3 data for the gov partition', () => {
    const out = basic([{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws-us-gov:s3'] }] }]);
    expect(out.s3Data).toEqual({ read: 'all', write: 'all', resources: [] });
  });

  it('S3 data for one bucket is some; ReadWriteType applies to data events', () => {
    const out = basic([
      { ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::audit-bucket/'] }] },
    ]);
    expect(out.s3Data).toEqual({ read: 'none', write: 'some', resources: ['arn:aws:s3:::audit-bucket/'] });
  });

  it('Lambda and DynamoDB data resources go to otherDataResourceTypes', () => {
    const out = basic([
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [
          { Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] },
          { Type: 'AWS::DynamoDB::Table', Values: ['arn:aws:dynamodb'] },
        ],
      },
      { ReadWriteType: 'ReadOnly', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }] },
    ]);
    expect(out.otherDataResourceTypes).toEqual(['AWS::DynamoDB::Table', 'AWS::Lambda::Function']);
    expect(out.s3Data).toEqual(NO_DATA);
    expect(out.management).toEqual(ALL_MGMT);
  });
});

describe('normalizeEventSelectors: advanced selectors', () => {
  it('console default management events selector: read and write', () => {
    expect(advanced([CONSOLE_MGMT])).toEqual({
      source: 'advanced',
      management: ALL_MGMT,
      s3Data: NO_DATA,
      otherDataResourceTypes: [],
      dataEvents: [],
      networkActivity: [],
      raw: { eventSelectors: [], advancedEventSelectors: [CONSOLE_MGMT] },
    });
  });

  it('readOnly false only: write only', () => {
    const out = advanced([
      { Name: 'Write mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] },
    ]);
    expect(out.management).toEqual({ ...ALL_MGMT, read: false });
  });

  it('readOnly NotEquals true: write only', () => {
    const out = advanced([
      { Name: 'x', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', NotEquals: ['true'] }] },
    ]);
    expect(out.management).toEqual({ ...ALL_MGMT, read: false });
  });

  it('eventSource NotEquals kms excludes kms', () => {
    const out = advanced([
      {
        Name: 'Management events, no KMS',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
        ],
      },
    ]);
    expect(out.management).toEqual({ ...ALL_MGMT, excludedSources: ['kms.amazonaws.com'] });
  });

  it('eventSource Equals and eventName narrowing become onlySources', () => {
    expect(
      advanced([{ Name: 'iam', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', Equals: ['iam.amazonaws.com'] }] }])
        .management,
    ).toEqual({ ...ALL_MGMT, onlySources: ['iam.amazonaws.com'] });
    expect(
      advanced([{ Name: 'logins', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventName', Equals: ['ConsoleLogin'] }] }])
        .management,
    ).toEqual({ ...ALL_MGMT, onlySources: ['eventName=ConsoleLogin'] });
  });

  it('data only: no management, S3 all', () => {
    const sel = s3Data('Log all S3 data events');
    expect(advanced([sel])).toEqual({
      source: 'advanced',
      management: NO_MGMT,
      s3Data: { read: 'all', write: 'all', resources: [] },
      otherDataResourceTypes: [],
      dataEvents: [{ resourceType: 'AWS::S3::Object', read: 'all', readResources: [], write: 'all', writeResources: [] }],
      networkActivity: [],
      raw: { eventSelectors: [], advancedEventSelectors: [sel] },
    });
  });

  it('data with readOnly true: read all, write none', () => {
    const out = advanced([s3Data('S3 reads', [{ Field: 'readOnly', Equals: ['true'] }])]);
    expect(out.s3Data).toEqual({ read: 'all', write: 'none', resources: [] });
  });

  it('S3 data for a prefix is some', () => {
    const out = advanced([s3Data('bucket prefix', [{ Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::audit-bucket/logs/'] }])]);
    expect(out.s3Data).toEqual({ read: 'some', write: 'some', resources: ['arn:aws:s3:::audit-bucket/logs/'] });
  });

  it('S3 data with an all-buckets StartsWith, gov partition, is all', () => {
    const out = advanced([s3Data('gov', [{ Field: 'resources.ARN', StartsWith: ['arn:aws-us-gov:s3:::'] }])]);
    expect(out.s3Data).toEqual({ read: 'all', write: 'all', resources: [] });
  });

  it('S3 data excluding a bucket or narrowed by eventName is some', () => {
    expect(advanced([s3Data('x', [{ Field: 'resources.ARN', NotStartsWith: ['arn:aws:s3:::noisy/'] }])]).s3Data).toEqual({
      read: 'some',
      write: 'some',
      resources: ['resources.ARN!^=arn:aws:s3:::noisy/'],
    });
    expect(
      advanced([
        s3Data('y', [
          { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::b/'] },
          { Field: 'eventName', Equals: ['PutObject', 'DeleteObject'] },
        ]),
      ]).s3Data,
    ).toEqual({ read: 'some', write: 'some', resources: ['arn:aws:s3:::b/ & eventName=PutObject|DeleteObject'] });
  });

  it('all beats some across selectors, per direction', () => {
    const out = advanced([
      s3Data('reads', [{ Field: 'readOnly', Equals: ['true'] }]),
      s3Data('one bucket', [{ Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::b/'] }]),
    ]);
    expect(out.s3Data).toEqual({ read: 'all', write: 'some', resources: ['arn:aws:s3:::b/'] });
  });

  it('a selector named "Management events" with eventCategory Data is not management', () => {
    const out = advanced([s3Data('Management events')]);
    expect(out.management).toEqual(NO_MGMT);
    expect(out.s3Data).toEqual({ read: 'all', write: 'all', resources: [] });
  });

  it('other data resource types', () => {
    const out = advanced([
      { Name: 'lambda', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] }] },
      CONSOLE_MGMT,
    ]);
    expect(out.otherDataResourceTypes).toEqual(['AWS::Lambda::Function']);
    expect(out.s3Data).toEqual(NO_DATA);
    expect(out.management).toEqual(ALL_MGMT);
  });

  it('read unrestricted + write excluding kms: kms reported excluded (write only)', () => {
    const out = advanced([
      { Name: 'reads', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] },
      {
        Name: 'writes',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['false'] },
          { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
        ],
      },
    ]);
    expect(out.management).toEqual({ read: true, write: true, excludedSources: ['kms.amazonaws.com'], onlySources: null });
  });

  it('an unrestricted selector lifts the exclusion of another for the same direction', () => {
    const out = advanced([
      CONSOLE_MGMT,
      { Name: 'no kms', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }] },
    ]);
    expect(out.management).toEqual(ALL_MGMT);
  });

  it('a restricted selector naming an excluded source lifts that exclusion; onlySources stays null', () => {
    const out = advanced([
      { Name: 'kms', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', Equals: ['kms.amazonaws.com'] }] },
      {
        Name: 'rest',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
        ],
      },
    ]);
    expect(out.management).toEqual({ ...ALL_MGMT, excludedSources: ['rdsdata.amazonaws.com'] });
  });
});
