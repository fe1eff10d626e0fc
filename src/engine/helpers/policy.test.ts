import { describe, expect, it } from 'vitest';
import {
  actionMatches,
  bucketPublicExposure,
  cloudTrailWritesWithoutSourceCondition,
  deniesInsecureTransport,
  normalizeStatements,
  publicAclGrants,
  publicPolicyStatements,
  type AclGrant,
  type PublicAccessBlockFlags,
} from './policy.js';

const BUCKET = 'arn:aws:s3:::org-trail-logs';
const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail';

// The policy the CloudTrail User Guide ("Amazon S3 bucket policy for CloudTrail") documents,
// with its recommended aws:SourceArn condition.
const cloudTrailPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AWSCloudTrailAclCheck20150319',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: BUCKET,
      Condition: { StringEquals: { 'aws:SourceArn': TRAIL } },
    },
    {
      Sid: 'AWSCloudTrailWrite20150319',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${BUCKET}/AWSLogs/111122223333/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL } },
    },
  ],
};

// The older documented form, without the confused-deputy condition.
const legacyCloudTrailPolicy = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AWSCloudTrailAclCheck20150319', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: BUCKET },
    {
      Sid: 'AWSCloudTrailWrite20150319',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${BUCKET}/AWSLogs/111122223333/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
    },
  ],
};

// An organization-trail bucket in the Control Tower style: aws:SourceOrgID on the write.
const orgTrailPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: ['cloudtrail.amazonaws.com', 'config.amazonaws.com'] },
      Action: 's3:PutObject',
      Resource: [`${BUCKET}/AWSLogs/o-a1b2c3d4e5/*`, `${BUCKET}/AWSLogs/111122223333/*`],
      Condition: { StringEquals: { 'aws:SourceOrgID': 'o-a1b2c3d4e5', 's3:x-amz-acl': 'bucket-owner-full-control' } },
    },
  ],
};

const tlsDeny = {
  Sid: 'AllowSSLRequestsOnly',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [BUCKET, `${BUCKET}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const anyoneGet = (Condition?: unknown) => ({ Sid: 'Get', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: `${BUCKET}/*`, Condition });

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTH_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const grant = (uri: string | null, permission: string, id: string | null = null): AclGrant => ({ granteeType: uri ? 'Group' : 'CanonicalUser', uri, id, permission });
const ownerOnly = { grants: [grant(null, 'FULL_CONTROL', 'abc123')] };
const pab = (flags: Partial<PublicAccessBlockFlags>): PublicAccessBlockFlags & { configured: boolean } => ({
  configured: true,
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
  ...flags,
});
const publicGetPolicy = policy({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET}/*` });

describe('actionMatches', () => {
  it('applies IAM wildcards case-insensitively', () => {
    expect(actionMatches('s3:*', 's3:PutObject')).toBe(true);
    expect(actionMatches('*', 's3:PutObject')).toBe(true);
    expect(actionMatches('S3:put*', 's3:PutObject')).toBe(true);
    expect(actionMatches('s3:?utObject', 's3:PutObject')).toBe(true);
    expect(actionMatches('s3:Get*', 's3:PutObject')).toBe(false);
    expect(actionMatches('s3:PutObject', 's3:PutObjectAcl')).toBe(false);
    expect(actionMatches('s3:Put.bject', 's3:PutObject')).toBe(false);
  });
});

describe('normalizeStatements', () => {
  it('reads Statement as an object or a list, and values as strings or lists', () => {
    const single = normalizeStatements({ Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET}/*` } });
    const listed = normalizeStatements({ Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`${BUCKET}/*`] }] });
    expect(single).toEqual(listed);
    expect(single[0]).toMatchObject({ index: 0, sid: null, effect: 'Allow', actions: ['s3:GetObject'], notActions: null, resources: [`${BUCKET}/*`] });
    expect(single[0]?.principal?.any).toBe(true);
  });
  it('reads every principal form and NotPrincipal', () => {
    const [a, b, c] = normalizeStatements(
      policy(
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root', '444455556666'], Service: 'cloudtrail.amazonaws.com', Federated: 'cognito-identity.amazonaws.com', CanonicalUser: 'abc' }, Action: '*', Resource: '*' },
        { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, NotAction: 's3:Delete*', NotResource: `${BUCKET}/private/*` },
      ),
    );
    expect(a?.principal?.any).toBe(true);
    expect(b?.principal).toEqual({
      any: false,
      aws: ['arn:aws:iam::111122223333:root', '444455556666'],
      service: ['cloudtrail.amazonaws.com'],
      federated: ['cognito-identity.amazonaws.com'],
      canonicalUser: ['abc'],
      other: [],
    });
    expect(c).toMatchObject({ principal: null, actions: null, notActions: ['s3:Delete*'], resources: null, notResources: [`${BUCKET}/private/*`] });
    expect(c?.notPrincipal?.aws).toEqual(['arn:aws:iam::111122223333:root']);
  });
  it('splits condition operators and lower-cases keys but not values', () => {
    const [s] = normalizeStatements(
      policy({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { 'ForAnyValue:StringLikeIfExists': { 'AWS:SourceVpce': ['VPCE-1a'] }, Bool: { 'aws:SecureTransport': false } },
      }),
    );
    expect(s?.conditions).toEqual([
      { operator: 'ForAnyValue:StringLikeIfExists', base: 'stringlike', qualifier: 'foranyvalue', ifExists: true, key: 'aws:sourcevpce', values: ['VPCE-1a'] },
      { operator: 'Bool', base: 'bool', qualifier: null, ifExists: false, key: 'aws:securetransport', values: ['false'] },
    ]);
  });
  it('accepts the policy text and ignores what is not a policy', () => {
    expect(normalizeStatements(JSON.stringify(cloudTrailPolicy))).toHaveLength(2);
    expect(normalizeStatements('{not json')).toEqual([]);
    expect(normalizeStatements(null)).toEqual([]);
    expect(normalizeStatements({ Version: '2012-10-17' })).toEqual([]);
  });
});

describe('publicPolicyStatements', () => {
  it('finds Principal "*" granting GetObject', () => {
    expect(publicPolicyStatements(publicGetPolicy)).toEqual([
      { sid: 'PublicRead', index: 0, reason: 'statement 0 ("PublicRead") allows everyone (Principal "*") with no condition' },
    ]);
  });
  it('finds {"AWS": "*"} and NotPrincipal with Allow', () => {
    expect(publicPolicyStatements(policy(anyoneGet()))).toHaveLength(1);
    const notPrincipal = policy({ Sid: 'AllButOne', Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:GetObject', Resource: `${BUCKET}/*` });
    expect(publicPolicyStatements(notPrincipal)).toEqual([
      { sid: 'AllButOne', index: 0, reason: 'statement 0 ("AllButOne") allows everyone except the NotPrincipal list with no condition' },
    ]);
  });
  it('treats fixed AWS, service and canonical principals as non-public, federated and wildcard ones as public', () => {
    expect(publicPolicyStatements(cloudTrailPolicy)).toEqual([]);
    expect(publicPolicyStatements(legacyCloudTrailPolicy)).toEqual([]);
    expect(publicPolicyStatements(policy({ Effect: 'Allow', Principal: { AWS: ['111122223333', 'arn:aws:iam::444455556666:role/r'] }, Action: 's3:*', Resource: '*' }))).toEqual([]);
    // AWS's own example of a public policy.
    expect(publicPolicyStatements(policy({ Principal: { Federated: 'graph.facebook.com' }, Resource: '*', Action: 's3:PutObject', Effect: 'Allow' }))).toHaveLength(1);
    expect(publicPolicyStatements(policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::*:root' }, Action: 's3:GetObject', Resource: '*' }))[0]?.reason).toContain('wildcard principal');
  });
  it('aws:SourceIp restricts with fixed CIDRs, not with 0.0.0.0/0 or broader than /8', () => {
    expect(publicPolicyStatements(policy(anyoneGet({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })))).toEqual([]);
    expect(publicPolicyStatements(policy(anyoneGet({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/48'] } })))).toEqual([]);
    const open = publicPolicyStatements(policy(anyoneGet({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } })));
    expect(open).toHaveLength(1);
    expect(open[0]?.reason).toBe('statement 0 ("Get") allows everyone (Principal "*"); its conditions (IpAddress aws:sourceip) do not limit it to fixed values');
    expect(publicPolicyStatements(policy(anyoneGet({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '0.0.0.0/1'] } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ IpAddress: { 'aws:SourceIp': '2001:db8::/16' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })))).toHaveLength(1);
  });
  it('aws:PrincipalOrgID and aws:SourceVpce with fixed values restrict', () => {
    expect(publicPolicyStatements(policy(anyoneGet({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } })))).toEqual([]);
    expect(publicPolicyStatements(policy(anyoneGet({ StringEquals: { 'aws:sourcevpce': 'vpce-1a2b3c4d' } })))).toEqual([]);
    expect(publicPolicyStatements(policy(anyoneGet({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/reader' } })))).toEqual([]);
    // s3:DataAccessPointArn may wildcard the access point name when the account is fixed.
    expect(publicPolicyStatements(policy(anyoneGet({ StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:123456789012:accesspoint/*' } })))).toEqual([]);
    expect(publicPolicyStatements(policy(anyoneGet({ StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:*:accesspoint/*' } })))).toHaveLength(1);
  });
  it('wildcards, policy variables, negations and IfExists/set operators do not restrict', () => {
    expect(publicPolicyStatements(policy(anyoneGet({ StringLike: { 'aws:SourceAccount': '*' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ StringLike: { 'aws:SourceAccount': '1111*' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ StringLike: { 'aws:PrincipalOrgID': 'o-*' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ StringEquals: { 'aws:userid': '${aws:userid}' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ StringNotEquals: { 'aws:SourceAccount': '111122223333' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ 'ForAllValues:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy(anyoneGet({ 'ForAnyValue:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })))).toHaveLength(1);
    // AWS's example pair: StringLike vpc-* is public, a fixed aws:SourceVpc is not.
    const vpc = (Condition: unknown) => policy({ Principal: '*', Resource: '*', Action: 's3:PutObject', Effect: 'Allow', Condition });
    expect(publicPolicyStatements(vpc({ StringLike: { 'aws:SourceVpc': 'vpc-*' } }))).toHaveLength(1);
    expect(publicPolicyStatements(vpc({ StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } }))).toEqual([]);
  });
  it('aws:SecureTransport or s3:x-amz-acl alone do not restrict', () => {
    expect(publicPolicyStatements(policy(anyoneGet({ Bool: { 'aws:SecureTransport': 'true' } })))).toHaveLength(1);
    expect(publicPolicyStatements(policy({ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: `${BUCKET}/*`, Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } }))).toHaveLength(1);
    // ...but one restricting key among other conditions is enough.
    expect(publicPolicyStatements(policy(anyoneGet({ Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } })))).toEqual([]);
  });
  it('ignores Deny statements and reports only the public statements of a mixed policy', () => {
    expect(publicPolicyStatements(policy(tlsDeny, { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `${BUCKET}/*` }))).toEqual([]);
    const mixed = policy(...cloudTrailPolicy.Statement, { Sid: 'Account2', Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 's3:GetObject', Resource: `${BUCKET}/*` }, anyoneGet());
    expect(publicPolicyStatements(mixed).map((s) => [s.index, s.sid])).toEqual([[3, 'Get']]);
  });
});

describe('publicAclGrants', () => {
  it('finds AllUsers and AuthenticatedUsers grants, not canonical users', () => {
    expect(publicAclGrants({ grants: [grant(null, 'FULL_CONTROL', 'abc123'), grant(ALL_USERS, 'READ'), grant(AUTH_USERS, 'WRITE')] })).toEqual([
      { group: 'AllUsers', permission: 'READ' },
      { group: 'AuthenticatedUsers', permission: 'WRITE' },
    ]);
    expect(publicAclGrants({ grants: [grant('http://acs.amazonaws.com/groups/s3/LogDelivery', 'WRITE')] })).toEqual([]);
    expect(publicAclGrants(ownerOnly)).toEqual([]);
    expect(publicAclGrants(null)).toEqual([]);
  });
});

describe('bucketPublicExposure', () => {
  const base = { policy: null, acl: ownerOnly, bucketBlock: null, accountBlock: null, policyStatusIsPublic: false };
  it('is private with a fixed-principal policy and an owner-only ACL', () => {
    expect(bucketPublicExposure({ ...base, policy: cloudTrailPolicy })).toEqual({ public: false, reasons: [], mitigatedBy: [] });
  });
  it('is private with a Deny-only policy', () => {
    expect(bucketPublicExposure({ ...base, policy: policy(tlsDeny) }).public).toBe(false);
  });
  it('is public through a policy even when AWS says IsPublic=false, and says so', () => {
    const r = bucketPublicExposure({ ...base, policy: publicGetPolicy });
    expect(r.public).toBe(true);
    expect(r.reasons).toEqual([
      'bucket policy statement 0 ("PublicRead") allows everyone (Principal "*") with no condition',
      'AWS GetBucketPolicyStatus reports IsPublic=false, but the policy grants public access by the documented rules',
    ]);
  });
  it("is public on AWS's verdict alone", () => {
    expect(bucketPublicExposure({ ...base, policyStatusIsPublic: true })).toEqual({
      public: true,
      reasons: ['AWS GetBucketPolicyStatus reports the policy as public'],
      mitigatedBy: [],
    });
  });
  it('is public through AllUsers READ and AuthenticatedUsers WRITE ACL grants', () => {
    const r = bucketPublicExposure({ ...base, acl: { grants: [grant(ALL_USERS, 'READ'), grant(AUTH_USERS, 'WRITE')] } });
    expect(r).toEqual({ public: true, reasons: ['ACL grants READ to AllUsers', 'ACL grants WRITE to AuthenticatedUsers'], mitigatedBy: [] });
  });
  it('RestrictPublicBuckets at account level only mitigates a public policy', () => {
    const r = bucketPublicExposure({ ...base, policy: publicGetPolicy, policyStatusIsPublic: true, accountBlock: pab({ restrictPublicBuckets: true }) });
    expect(r.public).toBe(false);
    expect(r.reasons).toEqual([]);
    expect(r.mitigatedBy).toEqual([
      'bucket policy statement 0 ("PublicRead") allows everyone (Principal "*") with no condition: RestrictPublicBuckets (account) limits it to AWS service principals and the owner account',
      'AWS GetBucketPolicyStatus reports the policy as public: RestrictPublicBuckets (account) limits it to AWS service principals and the owner account',
    ]);
  });
  it('BlockPublicPolicy alone does not mitigate an existing public policy', () => {
    const r = bucketPublicExposure({ ...base, policy: publicGetPolicy, bucketBlock: pab({ blockPublicPolicy: true }), accountBlock: pab({ blockPublicPolicy: true }) });
    expect(r.public).toBe(true);
    expect(r.mitigatedBy).toEqual([]);
    expect(r.reasons).toContain('BlockPublicPolicy (bucket and account) only rejects new public policies; it does not restrict the existing one');
  });
  it('IgnorePublicAcls mitigates a public ACL; BlockPublicAcls does not', () => {
    const acl = { grants: [grant(ALL_USERS, 'READ')] };
    expect(bucketPublicExposure({ ...base, acl, bucketBlock: pab({ ignorePublicAcls: true }) })).toEqual({
      public: false,
      reasons: [],
      mitigatedBy: ['ACL grants READ to AllUsers: ignored by IgnorePublicAcls (bucket)'],
    });
    const blocked = bucketPublicExposure({ ...base, acl, accountBlock: pab({ blockPublicAcls: true }) });
    expect(blocked.public).toBe(true);
    expect(blocked.reasons).toEqual(['ACL grants READ to AllUsers', 'BlockPublicAcls (account) only rejects new public ACLs; it does not neutralise existing grants']);
  });
  it('settings mitigate only their own channel', () => {
    const r = bucketPublicExposure({
      ...base,
      policy: publicGetPolicy,
      acl: { grants: [grant(ALL_USERS, 'READ')] },
      accountBlock: pab({ ignorePublicAcls: true }),
    });
    expect(r.public).toBe(true);
    expect(r.reasons[0]).toContain('bucket policy statement 0');
    expect(r.mitigatedBy).toEqual(['ACL grants READ to AllUsers: ignored by IgnorePublicAcls (account)']);
    const all = pab({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true });
    expect(bucketPublicExposure({ ...base, policy: publicGetPolicy, acl: { grants: [grant(ALL_USERS, 'READ')] }, bucketBlock: all }).public).toBe(false);
  });
});

describe('deniesInsecureTransport', () => {
  it('accepts the documented form, with or without the bucket ARN', () => {
    const p = policy(...cloudTrailPolicy.Statement, tlsDeny);
    expect(deniesInsecureTransport(p, BUCKET)).toBe(true);
    expect(deniesInsecureTransport(p)).toBe(true);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Principal: { AWS: '*' }, Action: '*', Condition: { Bool: { 'aws:SecureTransport': false } } }), BUCKET)).toBe(true);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Action: ['s3:GetObject', 's3:PutObject'], Condition: { BoolIfExists: { 'aws:securetransport': 'false' } } }), BUCKET)).toBe(true);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Resource: BUCKET }, { ...tlsDeny, Resource: `${BUCKET}/*` }), BUCKET)).toBe(true);
  });
  it('rejects broken forms', () => {
    expect(deniesInsecureTransport(null)).toBe(false);
    expect(deniesInsecureTransport(cloudTrailPolicy, BUCKET)).toBe(false);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Effect: 'Allow' }), BUCKET)).toBe(false);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), BUCKET)).toBe(false);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Resource: BUCKET }), BUCKET)).toBe(false);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Resource: `${BUCKET}/AWSLogs/*` }), BUCKET)).toBe(false);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Resource: ['arn:aws:s3:::other', 'arn:aws:s3:::other/*'] }), BUCKET)).toBe(false);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Principal: { AWS: 'arn:aws:iam::111122223333:root' } }), BUCKET)).toBe(false);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Action: 's3:GetObject' }), BUCKET)).toBe(false);
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringEquals: { 'aws:SourceVpce': 'vpce-1' } } }), BUCKET)).toBe(false);
  });
  it('does not accept the s3:TlsVersion form: it does not test plain HTTP', () => {
    expect(deniesInsecureTransport(policy({ ...tlsDeny, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }), BUCKET)).toBe(false);
  });
});

describe('cloudTrailWritesWithoutSourceCondition', () => {
  it('passes the documented policy with aws:SourceArn and the org policy with aws:SourceOrgID', () => {
    expect(cloudTrailWritesWithoutSourceCondition(cloudTrailPolicy)).toEqual([]);
    expect(cloudTrailWritesWithoutSourceCondition(orgTrailPolicy)).toEqual([]);
    expect(cloudTrailWritesWithoutSourceCondition(policy({ ...legacyCloudTrailPolicy.Statement[1], Condition: { StringEquals: { 'AWS:SOURCEACCOUNT': '111122223333' } } }))).toEqual([]);
    expect(cloudTrailWritesWithoutSourceCondition(policy({ ...legacyCloudTrailPolicy.Statement[1], Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:111122223333:trail/*' } } }))).toEqual([]);
  });
  it('flags writes without a source condition', () => {
    expect(cloudTrailWritesWithoutSourceCondition(legacyCloudTrailPolicy)).toEqual([{ sid: 'AWSCloudTrailWrite20150319', index: 1 }]);
    const wide = policy({ Effect: 'Allow', Principal: { Service: ['cloudtrail.amazonaws.com'] }, Action: 's3:*', Resource: `${BUCKET}/*` });
    expect(cloudTrailWritesWithoutSourceCondition(wide)).toEqual([{ sid: null, index: 0 }]);
    const notAction = policy({ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, NotAction: 's3:Delete*', Resource: `${BUCKET}/*` });
    expect(cloudTrailWritesWithoutSourceCondition(notAction)).toHaveLength(1);
  });
  it('flags conditions that do not tie the writer to a fixed trail, account or organization', () => {
    const write = legacyCloudTrailPolicy.Statement[1];
    for (const Condition of [
      { StringLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } },
      { StringLike: { 'aws:SourceAccount': '*' } },
      { StringNotEquals: { 'aws:SourceAccount': '111122223333' } },
      { StringEqualsIfExists: { 'aws:SourceArn': TRAIL } },
      { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
    ]) {
      expect(cloudTrailWritesWithoutSourceCondition(policy({ ...write, Condition }))).toHaveLength(1);
    }
  });
  it('ignores other principals, reads and Deny statements', () => {
    expect(cloudTrailWritesWithoutSourceCondition(policy(legacyCloudTrailPolicy.Statement[0]))).toEqual([]);
    expect(cloudTrailWritesWithoutSourceCondition(policy({ Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: 's3:PutObject', Resource: '*' }))).toEqual([]);
    expect(cloudTrailWritesWithoutSourceCondition(policy({ Effect: 'Deny', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: '*' }))).toEqual([]);
  });
});
