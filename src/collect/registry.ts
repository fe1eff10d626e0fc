// Every collector and the IAM actions it declares. The least-privilege policy is generated from
// these declarations, and a test checks that a full scan sends nothing undeclared.
import { collectors as bucketCollectors } from './buckets.js';
import type { CollectorSpec } from './context.js';
import { collector as keys } from './keys.js';
import { collector as lake } from './lake.js';
import { collectors as logGroupCollectors } from './log-groups.js';
import { collector as organizations } from './organizations.js';
import { collector as regions } from './regions.js';
import { collector as topics } from './topics.js';
import { collector as trails } from './trails.js';
import { collector as identity } from './identity.js';
import { collectors as logIntegrityCollectors } from './log-integrity.js';
import { collectors as verifyTrailCollectors } from './verify-trail.js';

export const COLLECTORS: readonly CollectorSpec[] = [
  identity,
  organizations,
  regions,
  trails,
  lake,
  ...bucketCollectors,
  keys,
  topics,
  ...logGroupCollectors,
  ...logIntegrityCollectors,
  ...verifyTrailCollectors,
];

/** Whether a collector declares this SDK operation for this service (opt-in collectors only when enabled). */
export function isDeclaredOperation(service: string, operation: string, optIns: ReadonlySet<string>): boolean {
  return COLLECTORS.some((c) => c.service === service && operation in c.operations && (!c.optIn || optIns.has(c.optIn)));
}

/** IAM action for an SDK operation name, or undefined when no collector declares it. */
export function iamActionFor(service: string, operation: string): string | undefined {
  for (const c of COLLECTORS) if (c.service === service && operation in c.operations) return c.operations[operation];
  return undefined;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: string; Condition?: Record<string, Record<string, string>> }[];
}

const UNSCOPED_EXCLUDED = new Set(['sts:GetCallerIdentity', 'sts:AssumeRole']);

function actions(principal: CollectorSpec['principal'], optIns: ReadonlySet<string> = new Set()): string[] {
  const set = new Set<string>();
  for (const c of COLLECTORS) {
    if (c.principal !== principal || (c.optIn && !optIns.has(c.optIn))) continue;
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
export function iamPolicy(kind: 'member' | 'scanner', roleName: string, partition = 'aws', options: { withLogVerification?: boolean } = {}): PolicyDocument {
  const statements: PolicyDocument['Statement'] = [
    { Sid: 'TrailwardenReadCloudTrailAndLinkedResources', Effect: 'Allow', Action: actions('member'), Resource: '*' },
  ];
  if (options.withLogVerification) {
    // Reading log content is more than the configuration scan needs: only when asked.
    statements.push(
      { Sid: 'TrailwardenReadLogFilesAndDigests', Effect: 'Allow', Action: actions('member', new Set(['log-verification'])).filter((a) => !statements[0]!.Action.includes(a)), Resource: '*' },
      // SSE-KMS log files: S3 decrypts them with the trail's key on the reader's behalf, and only through S3.
      { Sid: 'TrailwardenDecryptLogFilesThroughS3', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: '*', Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } } },
    );
  }
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
