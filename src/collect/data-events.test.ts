import { describe, expect, it } from 'vitest';
import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';
import { normalizeEventSelectors } from './event-selectors.js';
import { EventSelectors } from '../inventory/schema.js';

const data = (type: string, extra: NonNullable<AdvancedEventSelector['FieldSelectors']> = []): AdvancedEventSelector => ({
  Name: type,
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: [type] }, ...extra],
});
const net = (source: string, extra: NonNullable<AdvancedEventSelector['FieldSelectors']> = []): AdvancedEventSelector => ({
  Name: source,
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['NetworkActivity'] }, { Field: 'eventSource', Equals: [source] }, ...extra],
});

function advanced(selectors: AdvancedEventSelector[]) {
  const out = normalizeEventSelectors({ hasCustomEventSelectors: true, advancedEventSelectors: selectors });
  // Byte for byte, key order included: evaluate and verify re-read snapshots through the schema.
  expect(JSON.stringify(EventSelectors.parse(out))).toBe(JSON.stringify(out));
  return out;
}
const basic = (selectors: EventSelector[]) => normalizeEventSelectors({ hasCustomEventSelectors: true, eventSelectors: selectors });

describe('dataEvents: every resources.type', () => {
  it('a type with no narrowing is recorded for all resources, read and write', () => {
    expect(advanced([data('AWS::Lambda::Function')]).dataEvents).toEqual([
      { resourceType: 'AWS::Lambda::Function', read: 'all', readResources: [], write: 'all', writeResources: [] },
    ]);
  });

  it('readOnly narrows the direction; two selectors of one type are united', () => {
    const out = advanced([
      data('AWS::DynamoDB::Table', [{ Field: 'readOnly', Equals: ['true'] }]),
      data('AWS::DynamoDB::Table', [{ Field: 'readOnly', Equals: ['false'] }, { Field: 'resources.ARN', StartsWith: ['arn:aws:dynamodb:eu-west-1:111111111111:table/payments'] }]),
    ]);
    expect(out.dataEvents).toEqual([
      { resourceType: 'AWS::DynamoDB::Table', read: 'all', readResources: [], write: 'some', writeResources: ['arn:aws:dynamodb:eu-west-1:111111111111:table/payments'] },
    ]);
  });

  it('Equals names one resource; eventName and NotStartsWith are narrowings, kept with the prefix they narrow', () => {
    const out = advanced([
      data('AWS::SNS::Topic', [{ Field: 'resources.ARN', Equals: ['arn:aws:sns:us-east-1:111111111111:alerts'] }]),
      data('AWS::S3Express::Object', [{ Field: 'resources.ARN', StartsWith: ['arn:aws:s3express:us-east-1:111111111111:bucket/fast--use1-az4--x-s3/'] }, { Field: 'eventName', Equals: ['PutObject'] }]),
      data('AWS::Bedrock::AgentAlias', [{ Field: 'resources.ARN', NotStartsWith: ['arn:aws:bedrock:us-east-1:111111111111:agent-alias/TEST'] }]),
    ]);
    expect(out.dataEvents).toEqual([
      { resourceType: 'AWS::Bedrock::AgentAlias', read: 'some', readResources: ['resources.ARN!^=arn:aws:bedrock:us-east-1:111111111111:agent-alias/TEST'], write: 'some', writeResources: ['resources.ARN!^=arn:aws:bedrock:us-east-1:111111111111:agent-alias/TEST'] },
      { resourceType: 'AWS::S3Express::Object', read: 'some', readResources: ['arn:aws:s3express:us-east-1:111111111111:bucket/fast--use1-az4--x-s3/ & eventName=PutObject'], write: 'some', writeResources: ['arn:aws:s3express:us-east-1:111111111111:bucket/fast--use1-az4--x-s3/ & eventName=PutObject'] },
      { resourceType: 'AWS::SNS::Topic', read: 'some', readResources: ['resources.ARN=arn:aws:sns:us-east-1:111111111111:alerts'], write: 'some', writeResources: ['resources.ARN=arn:aws:sns:us-east-1:111111111111:alerts'] },
    ]);
  });

  it('a whole-service prefix (StartsWith arn:aws:lambda) is every resource', () => {
    expect(advanced([data('AWS::Lambda::Function', [{ Field: 'resources.ARN', StartsWith: ['arn:aws:lambda'] }])]).dataEvents?.[0]?.read).toBe('all');
  });

  it('basic selectors: S3 values are prefixes, other types name single resources, arn:aws:lambda is all functions', () => {
    const out = basic([
      {
        ReadWriteType: 'WriteOnly',
        IncludeManagementEvents: true,
        DataResources: [
          { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::customer-exports/'] },
          { Type: 'AWS::DynamoDB::Table', Values: ['arn:aws:dynamodb:us-east-1:111111111111:table/payments'] },
          { Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] },
        ],
      },
    ]);
    expect(out.dataEvents).toEqual([
      { resourceType: 'AWS::DynamoDB::Table', read: 'none', readResources: [], write: 'some', writeResources: ['resources.ARN=arn:aws:dynamodb:us-east-1:111111111111:table/payments'] },
      { resourceType: 'AWS::Lambda::Function', read: 'none', readResources: [], write: 'all', writeResources: [] },
      { resourceType: 'AWS::S3::Object', read: 'none', readResources: [], write: 'some', writeResources: ['arn:aws:s3:::customer-exports/'] },
    ]);
  });

  it('management selectors add no data events; the S3 model is unchanged beside it', () => {
    const out = advanced([{ Name: 'm', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }, data('AWS::S3::Object')]);
    expect(out.dataEvents?.map((d) => d.resourceType)).toEqual(['AWS::S3::Object']);
    expect(out.s3Data).toEqual({ read: 'all', write: 'all', resources: [] });
  });
});

describe('networkActivity: per VPC endpoint event source', () => {
  it('an eventSource with no other field is recorded in full', () => {
    expect(advanced([net('s3.amazonaws.com'), net('kms.amazonaws.com', [{ Field: 'readOnly', Equals: ['false'] }])]).networkActivity).toEqual([
      { eventSource: 'kms.amazonaws.com', read: 'none', write: 'all', conditions: [] },
      { eventSource: 's3.amazonaws.com', read: 'all', write: 'all', conditions: [] },
    ]);
  });

  it('errorCode VpceAccessDenied or a vpcEndpointId records only some of it', () => {
    const out = advanced([
      net('secretsmanager.amazonaws.com', [{ Field: 'errorCode', Equals: ['VpceAccessDenied'] }]),
      net('ec2.amazonaws.com', [{ Field: 'vpcEndpointId', Equals: ['vpce-0123456789abcdef0'] }]),
    ]);
    expect(out.networkActivity).toEqual([
      { eventSource: 'ec2.amazonaws.com', read: 'some', write: 'some', conditions: ['vpcEndpointId=vpce-0123456789abcdef0'] },
      { eventSource: 'secretsmanager.amazonaws.com', read: 'some', write: 'some', conditions: ['errorCode=VpceAccessDenied'] },
    ]);
    expect(out.management.read || out.management.write).toBe(false);
    expect(out.dataEvents).toEqual([]);
  });
});
