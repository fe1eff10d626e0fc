import { describe, expect, it } from 'vitest';
import type { AccountRecord, OrganizationRecord, Scp } from '../../inventory/schema.js';
import { accountsUnprotectedByScp, deniedTamperingActions } from './scp.js';

const DENY_ALL = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'],
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/CloudTrailAdmin' } },
    },
  ],
};

const scp = (id: string, document: unknown, targets: string[]): Scp => ({
  id,
  arn: `arn:aws:organizations::111111111111:policy/o-x/service_control_policy/${id}`,
  name: id,
  awsManaged: false,
  document,
  targets: targets.map((t) => ({ id: t, type: t.startsWith('r-') ? 'ROOT' : t.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT', name: t })),
});

const account = (id: string, ouPath: string[], extra: Partial<AccountRecord> = {}): AccountRecord =>
  ({ id, name: id, isManagementAccount: false, organizationStatus: 'ACTIVE', ouPath: ouPath.map((o) => ({ id: o, name: o })), ...extra }) as AccountRecord;

const org = (scps: Scp[] | null): OrganizationRecord =>
  ({ available: true, serviceControlPolicies: scps }) as OrganizationRecord;

const accounts = [
  account('111111111111', ['r-ab12'], { isManagementAccount: true }),
  account('222222222222', ['r-ab12', 'ou-ab12-security1']),
  account('333333333333', ['r-ab12', 'ou-ab12-workload1']),
];

describe('SCP protection of trails', () => {
  it('an SCP on the root with an admin exemption protects every member; the management account is out of SCP reach', () => {
    expect(accountsUnprotectedByScp(org([scp('p-1', DENY_ALL, ['r-ab12'])]), accounts)).toEqual([]);
  });

  it('an SCP on only one OU leaves the other OU unprotected', () => {
    expect(accountsUnprotectedByScp(org([scp('p-1', DENY_ALL, ['ou-ab12-security1'])]), accounts)).toEqual(['333333333333']);
  });

  it('actions can be split across SCPs attached at different levels', () => {
    const [first, second] = [
      { Statement: [{ Effect: 'Deny', Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail'], Resource: '*' }] },
      { Statement: { Effect: 'Deny', Action: ['cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'], Resource: '*' } },
    ];
    expect(accountsUnprotectedByScp(org([scp('p-1', first, ['r-ab12']), scp('p-2', second, ['ou-ab12-workload1'])]), accounts)).toEqual(['222222222222']);
  });

  it('wildcards count; a missing action does not', () => {
    expect(deniedTamperingActions({ document: { Statement: [{ Effect: 'Deny', Action: 'cloudtrail:*', Resource: '*' }] } })).toHaveLength(4);
    const partial = { Statement: [{ Effect: 'Deny', Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail'], Resource: '*' }] };
    expect(accountsUnprotectedByScp(org([scp('p-1', partial, ['r-ab12'])]), accounts)).toEqual(['222222222222', '333333333333']);
  });

  it('a condition other than a principal exemption (a region, say) does not protect everywhere', () => {
    const regional = { Statement: [{ ...DENY_ALL.Statement[0], Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }] };
    expect(deniedTamperingActions({ document: regional })).toEqual([]);
  });

  it('an Allow is not a protection', () => {
    expect(deniedTamperingActions({ document: { Statement: [{ ...DENY_ALL.Statement[0], Effect: 'Allow' }] } })).toEqual([]);
  });

  it('returns null when the policies were not collected', () => {
    expect(accountsUnprotectedByScp(org(null), accounts)).toBeNull();
  });
});
