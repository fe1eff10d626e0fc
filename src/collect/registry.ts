// Every collector and the IAM actions it declares. The least-privilege policy is generated from
// these declarations, and a test checks that a full scan sends nothing undeclared.
import { collectors as bucketCollectors } from './buckets.js';
import type { CollectorSpec } from './context.js';
import { collector as keys } from './keys.js';
import { collectors as logGroupCollectors } from './log-groups.js';
import { collector as organizations } from './organizations.js';
import { collector as regions } from './regions.js';
import { collector as topics } from './topics.js';
import { collector as trails } from './trails.js';
import { collector as identity } from './identity.js';

export const COLLECTORS: readonly CollectorSpec[] = [
  identity,
  organizations,
  regions,
  trails,
  ...bucketCollectors,
  keys,
  topics,
  ...logGroupCollectors,
];

/** IAM action for an SDK operation name, or undefined when no collector declares it. */
export function iamActionFor(service: string, operation: string): string | undefined {
  for (const c of COLLECTORS) if (c.service === service && operation in c.operations) return c.operations[operation];
  return undefined;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: string }[];
}

const UNSCOPED_EXCLUDED = new Set(['sts:GetCallerIdentity', 'sts:AssumeRole']);

function actions(principal: CollectorSpec['principal']): string[] {
  const set = new Set<string>();
  for (const c of COLLECTORS) {
    if (c.principal !== principal) continue;
    // sts:GetCallerIdentity needs no permission; sts:AssumeRole gets its own statement, scoped
    // to the member role rather than to every resource.
    for (const action of Object.values(c.operations)) if (!UNSCOPED_EXCLUDED.has(action)) set.add(action);
  }
  return [...set].sort();
}

/**
 * `member`: the read-only role trailwarden assumes in every account.
 * `scanner`: the principal that runs the scan in the management (or delegated administrator)
 * account: it reads the organization, assumes the member role, and reads its own account.
 */
export function iamPolicy(kind: 'member' | 'scanner', roleName: string, partition = 'aws'): PolicyDocument {
  const statements: PolicyDocument['Statement'] = [
    { Sid: 'TrailwardenReadCloudTrailAndLinkedResources', Effect: 'Allow', Action: actions('member'), Resource: '*' },
  ];
  if (kind === 'scanner') {
    statements.push(
      { Sid: 'TrailwardenReadOrganization', Effect: 'Allow', Action: actions('management'), Resource: '*' },
      {
        Sid: 'TrailwardenAssumeMemberRole',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: `arn:${partition}:iam::*:role/${roleName.replace(/^\/+/, '')}`,
      },
    );
  }
  return { Version: '2012-10-17', Statement: statements };
}
