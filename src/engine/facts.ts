// The collectable facts a rule may depend on. A fact is "missing" when the scanner tried and
// failed to collect it (its value is null while the resource was seen). A rule that needs a
// missing fact is ERROR, with the collection error that explains it, never PASS or FAIL.
import type { CollectionError, ResourceType } from '../inventory/schema.js';

interface FactSpec {
  /** The CEL variable the fact hangs off. */
  variable: 'trail' | 'bucket' | 'key' | 'topic' | 'logGroup' | 'eventDataStore' | 'recorder' | 'account' | 'organization';
  resourceType: ResourceType;
  /** The fact names collectors use in CollectionError.facts for it. */
  errorFacts: string[];
  missing(owner: Record<string, unknown>): boolean;
  /** The error behind a missing fact when it is not recorded against the owner itself. */
  cause?(owner: Record<string, unknown>, errors: readonly CollectionError[]): CollectionError | undefined;
}

/**
 * A bucket's owner is unknown when no account whose buckets could be listed owns it; the accounts
 * that could not be listed are named in ownershipReason by the collector. The error that kept
 * one of them from being listed (its role could not be assumed, or ListBuckets failed) is the cause:
 * granting that access is what lets the owner be found.
 */
function unlistedAccountCause(owner: Record<string, unknown>, errors: readonly CollectionError[]): CollectionError | undefined {
  const unlisted = new Set(String(owner.ownershipReason ?? '').match(/\b\d{12}\b/g) ?? []);
  const accountErrors = errors.filter((e) => e.accountId !== null && unlisted.has(e.accountId));
  return accountErrors.find((e) => e.facts.includes('account.bucketNames')) ?? accountErrors.find((e) => e.service === 'sts' && e.operation === 'AssumeRole') ?? accountErrors[0];
}

const nullField = (field: string) => (o: Record<string, unknown>) => o[field] === null && o.exists !== false;

function spec(variable: FactSpec['variable'], resourceType: ResourceType, field: string, errorFacts?: string[]): FactSpec {
  return { variable, resourceType, errorFacts: errorFacts ?? [`${variable}.${field}`], missing: nullField(field) };
}

export const FACTS: Record<string, FactSpec> = {
  'trail.status': spec('trail', 'trail', 'status'),
  'trail.eventSelectors': spec('trail', 'trail', 'eventSelectors'),
  'trail.insightTypes': spec('trail', 'trail', 'insightTypes'),
  'trail.tags': spec('trail', 'trail', 'tags'),
  'bucket.exists': { variable: 'bucket', resourceType: 'bucket', errorFacts: ['bucket.region', 'bucket.exists'], missing: (b) => b.exists === null },
  'bucket.ownership': {
    variable: 'bucket',
    resourceType: 'bucket',
    errorFacts: ['account.bucketNames'],
    missing: (b) => b.ownership === 'unknown',
    cause: unlistedAccountCause,
  },
  // A policy that could not be parsed was not really seen: judging it would be guessing.
  'bucket.policy': { ...spec('bucket', 'bucket', 'policy'), missing: (b) => (b.policy === null && b.exists !== false) || (b.policy as { parseError?: unknown } | null)?.parseError != null },
  'bucket.policyStatus': spec('bucket', 'bucket', 'policyStatus'),
  'bucket.acl': spec('bucket', 'bucket', 'acl'),
  'bucket.publicAccessBlock': spec('bucket', 'bucket', 'publicAccessBlock'),
  'bucket.versioning': spec('bucket', 'bucket', 'versioning'),
  'bucket.objectLock': spec('bucket', 'bucket', 'objectLock'),
  'bucket.logging': spec('bucket', 'bucket', 'logging'),
  'bucket.encryption': spec('bucket', 'bucket', 'encryption'),
  'bucket.lifecycle': spec('bucket', 'bucket', 'lifecycle'),
  'key.exists': { variable: 'key', resourceType: 'key', errorFacts: ['key.metadata'], missing: (k) => k.exists === null },
  'key.metadata': spec('key', 'key', 'metadata'),
  'key.rotation': spec('key', 'key', 'rotation'),
  'key.policy': spec('key', 'key', 'policy'),
  'topic.exists': { variable: 'topic', resourceType: 'topic', errorFacts: ['topic.attributes'], missing: (t) => t.exists === null },
  'topic.attributes': spec('topic', 'topic', 'attributes'),
  'logGroup.exists': { variable: 'logGroup', resourceType: 'log-group', errorFacts: ['logGroup.config'], missing: (g) => g.exists === null },
  'logGroup.metricFilters': spec('logGroup', 'log-group', 'metricFilters'),
  'logGroup.alarms': spec('logGroup', 'log-group', 'alarms'),
  'eventDataStore.configuration': spec('eventDataStore', 'event-data-store', 'configuration'),
  'eventDataStore.eventSelectors': spec('eventDataStore', 'event-data-store', 'eventSelectors'),
  'eventDataStore.insightTypes': spec('eventDataStore', 'event-data-store', 'insightTypes'),
  // A recorder is a trail or an event data store (engine/recorders.ts); its error is found by ARN.
  'recorder.recording': { variable: 'recorder', resourceType: 'trail', errorFacts: ['trail.status', 'eventDataStore.configuration'], missing: (r) => r.recording === null },
  'recorder.eventSelectors': { variable: 'recorder', resourceType: 'trail', errorFacts: ['trail.eventSelectors', 'eventDataStore.eventSelectors'], missing: (r) => r.eventSelectors === null },
  'account.s3PublicAccessBlock': spec('account', 'account', 's3PublicAccessBlock'),
  'account.tags': spec('account', 'account', 'tags'),
  'account.bucketNames': spec('account', 'account', 'bucketNames'),
  'organization.serviceControlPolicies': spec('organization', 'organization', 'serviceControlPolicies'),
};

/** Facts named in an expression, so a rule cannot read a missing fact without saying ERROR. */
export function factsReferenced(expression: string): string[] {
  return Object.keys(FACTS).filter((path) => new RegExp(`(^|[^\\w.])${path.replace('.', '\\.')}\\b`).test(expression));
}

/** The identity collectors record errors under, for a fact's owner object. */
export function resourceIdOf(variable: FactSpec['variable'], owner: Record<string, unknown>): string {
  switch (variable) {
    case 'bucket':
      return String(owner.name);
    case 'account':
      return String(owner.id);
    case 'organization':
      return 'organization';
    default:
      return String(owner.arn);
  }
}

/** The collection error that left a fact missing, when one is recorded. */
export function causeOfMissing(path: string, owner: Record<string, unknown>, errors: readonly CollectionError[]): CollectionError | undefined {
  const f = FACTS[path]!;
  const id = resourceIdOf(f.variable, owner);
  const own = f.cause?.(owner, errors);
  if (own) return own;
  return (
    errors.find((e) => e.resource?.id === id && e.resource.type === f.resourceType && e.facts.some((x) => f.errorFacts.includes(x) || x === path)) ??
    errors.find((e) => e.resource?.id === id)
  );
}

/** Explains a missing fact with the collection error(s) behind it. */
export function explainMissing(path: string, owner: Record<string, unknown>, errors: readonly CollectionError[]): string {
  if (path === 'bucket.ownership') return `${path} is unknown: ${String(owner.ownershipReason)}`;
  const parseError = (owner.policy as { parseError?: unknown } | null | undefined)?.parseError;
  if (path === 'bucket.policy' && parseError != null) return `the bucket policy is not valid JSON, so it cannot be analysed (${String(parseError)})`;
  const cause = causeOfMissing(path, owner, errors);
  if (cause) return `${path} was not collected: ${cause.service}:${cause.operation} failed with ${cause.code} (${cause.message})`;
  return `${path} was not collected`;
}
