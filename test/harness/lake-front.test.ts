// The Lake front answers what moto lacks in the real CloudTrail wire shape (the real SDK v3 parses
// its answers and its errors into the documented exception classes) and forwards everything else.
import {
  CloudTrailClient, CreateEventDataStoreCommand, CreateTrailCommand, EventDataStoreNotFoundException, GetEventDataStoreCommand,
  GetInsightSelectorsCommand, InsightNotEnabledException, ListEventDataStoresCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './moto.js';

let moto: MotoServer;
let ct: (region: string) => CloudTrailClient;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  moto = await startMoto();
  ct = (region) => {
    const c = new CloudTrailClient({ endpoint: moto.endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    clients.push(c);
    return c;
  };
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await moto?.stop();
});

describe('lake front', () => {
  it('creates, lists and reads an event data store per account and region, with the documented defaults', async () => {
    const created = await ct('eu-west-1').send(new CreateEventDataStoreCommand({ Name: 'lf-store' }));
    expect(created.EventDataStoreArn).toMatch(/^arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore\/[0-9a-f-]{36}$/);
    expect((await ct('us-east-1').send(new ListEventDataStoresCommand({}))).EventDataStores).toEqual([]);
    const listed = await ct('eu-west-1').send(new ListEventDataStoresCommand({}));
    expect(listed.EventDataStores?.map((d) => d.Name)).toEqual(['lf-store']);
    const got = await ct('eu-west-1').send(new GetEventDataStoreCommand({ EventDataStore: created.EventDataStoreArn }));
    expect(got).toMatchObject({ Status: 'ENABLED', MultiRegionEnabled: true, OrganizationEnabled: false, RetentionPeriod: 366, TerminationProtectionEnabled: true, BillingMode: 'EXTENDABLE_RETENTION_PRICING' });
    expect(got.CreatedTimestamp).toBeInstanceOf(Date);
    expect(got.AdvancedEventSelectors?.[0]?.FieldSelectors).toEqual([{ Field: 'eventCategory', Equals: ['Management'] }]);
    expect(moto.lake.answered.map((a) => a.operation)).toContain('GetEventDataStore');
  });

  it('answers errors as the SDK\'s exception classes', async () => {
    await expect(ct('us-east-1').send(new GetEventDataStoreCommand({ EventDataStore: 'arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/none' }))).rejects.toBeInstanceOf(EventDataStoreNotFoundException);
    const store = (await ct('us-east-1').send(new CreateEventDataStoreCommand({ Name: 'no-insights' }))).EventDataStoreArn;
    await expect(ct('us-east-1').send(new GetInsightSelectorsCommand({ EventDataStore: store }))).rejects.toBeInstanceOf(InsightNotEnabledException);
  });

  it('forwards a trail\'s GetInsightSelectors to moto', async () => {
    const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    clients.push(s3);
    await s3.send(new CreateBucketCommand({ Bucket: 'lf-trail-bucket' }));
    await ct('us-east-1').send(new CreateTrailCommand({ Name: 'lf-trail', S3BucketName: 'lf-trail-bucket' }));
    const before = moto.lake.answered.length;
    const answer = await ct('us-east-1').send(new GetInsightSelectorsCommand({ TrailName: 'lf-trail' }));
    expect(answer.TrailARN).toBe('arn:aws:cloudtrail:us-east-1:123456789012:trail/lf-trail');
    expect(moto.lake.answered.length).toBe(before);
  });
});
