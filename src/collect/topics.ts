// SNS topics that trails and monitoring alarms notify: encryption, confirmed subscriptions and
// access policy, read in the topic's region.
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import type { Topic } from '../inventory/schema.js';
import { parsePolicy } from './buckets.js';
import { parseArn, type CollectorSpec, type ScanContext } from './context.js';

export const collector: CollectorSpec = {
  name: 'topics',
  service: 'sns',
  principal: 'member',
  operations: { GetTopicAttributes: 'sns:GetTopicAttributes' },
};

export interface ReadTopicInput {
  arn: string;
  usedByTrailArns: string[];
  usedByAlarmArns: string[];
  readAs: string | null;
}

/** Reads one topic as `input.readAs`; a failure leaves exists/attributes null with the error recorded. */
export async function readTopic(ctx: ScanContext, input: ReadTopicInput): Promise<Topic> {
  const parsed = parseArn(input.arn);
  const region = parsed?.region || ctx.homeRegion;
  const topic: Topic = {
    arn: input.arn,
    name: parsed?.resource ?? input.arn,
    // The schema needs an account id; an unparseable ARN (recorded below) falls back to the reader.
    ownerAccountId: parsed && /^\d{12}$/.test(parsed.accountId) ? parsed.accountId : (input.readAs ?? ''),
    region,
    usedByTrailArns: [...input.usedByTrailArns],
    usedByAlarmArns: [...input.usedByAlarmArns],
    readAs: input.readAs,
    exists: null,
    attributes: null,
  };
  const resource = { type: 'topic' as const, id: input.arn };
  const facts = ['topic.attributes'];
  const readAs = input.readAs;
  if (!parsed || parsed.service !== 'sns') {
    ctx.log.record(
      { accountId: readAs, region, service: 'sns', operation: 'ReadTopic', resource, facts },
      Object.assign(new Error(`not an SNS topic ARN: ${input.arn}`), { name: 'InvalidArn' }),
    );
    return topic;
  }
  if (readAs === null) {
    ctx.log.record(
      { accountId: topic.ownerAccountId, region, service: 'sns', operation: 'ReadTopic', resource, facts },
      Object.assign(new Error(`no scanned account can read SNS topic ${input.arn}: neither its owner nor a user of it is accessible`), {
        name: 'NoAccess',
      }),
    );
    return topic;
  }
  const client = ctx.client('sns', readAs, region);
  const r = await ctx.attempt(
    { accountId: readAs, region, service: 'sns', operation: 'GetTopicAttributes', resource, facts },
    () => client.send(new GetTopicAttributesCommand({ TopicArn: input.arn })),
    ['NotFoundException', 'NotFound'],
  );
  if (r.status === 'absent') {
    topic.exists = false;
    return topic;
  }
  if (r.status === 'error') return topic;
  const a = r.value.Attributes ?? {};
  const confirmed = a.SubscriptionsConfirmed === undefined ? NaN : Number(a.SubscriptionsConfirmed);
  const policy = parsePolicy(a.Policy);
  if (policy.parseError !== null) {
    ctx.log.record(
      { accountId: readAs, region, service: 'sns', operation: 'GetTopicAttributes', resource, facts: ['topic.attributes.policy'] },
      Object.assign(new Error(`the topic policy is not valid JSON: ${policy.parseError}`), { name: 'PolicyParseError' }),
    );
  }
  topic.exists = true;
  topic.attributes = {
    kmsMasterKeyId: a.KmsMasterKeyId || null,
    subscriptionsConfirmed: Number.isFinite(confirmed) ? confirmed : null,
    policy: policy.document ?? null,
  };
  return topic;
}
