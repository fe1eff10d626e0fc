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

  it('a deny limited to one region or one trail ARN does not protect every trail', () => {
    const withResource = (Resource: unknown) => ({ document: { Statement: [{ ...DENY_ALL.Statement[0], Resource }] } });
    expect(deniedTamperingActions(withResource('arn:aws:cloudtrail:us-east-1:*:trail/*'))).toEqual([]);
    expect(deniedTamperingActions(withResource('arn:aws:cloudtrail:*:*:trail/organization-trail'))).toEqual([]);
    expect(deniedTamperingActions(withResource('arn:aws:cloudtrail:*:222222222222:trail/*'))).toEqual([]);
    expect(deniedTamperingActions(withResource(['arn:aws:cloudtrail:*:*:trail/*']))).toHaveLength(4);
    expect(deniedTamperingActions(withResource('arn:*:cloudtrail:*'))).toHaveLength(4);
    const notResource = { Statement: [{ Effect: 'Deny', Action: 'cloudtrail:*', NotResource: 'arn:aws:cloudtrail:*:*:trail/sandbox' }] };
    expect(deniedTamperingActions({ document: notResource })).toEqual([]);
  });

  it('an exemption that exempts everyone (or every role) is no protection', () => {
    const exempting = (Condition: unknown) => ({ document: { Statement: [{ ...DENY_ALL.Statement[0], Condition }] } });
    expect(deniedTamperingActions(exempting({ ArnNotLike: { 'aws:PrincipalArn': '*' } }))).toEqual([]);
    expect(deniedTamperingActions(exempting({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }))).toEqual([]);
    expect(deniedTamperingActions(exempting({ ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/Admin', 'arn:aws:iam::*:*'] } }))).toEqual([]);
    expect(deniedTamperingActions(exempting({ StringNotLike: { 'aws:userid': '*' } }))).toEqual([]);
    expect(deniedTamperingActions(exempting({ StringNotLike: { 'aws:PrincipalAccount': '*' } }))).toEqual([]);
    // Named administrators, across every account of the organization, are a real exemption.
    expect(deniedTamperingActions(exempting({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSAdministratorAccess*' } }))).toHaveLength(4);
  });

  it('an account exempted by aws:PrincipalAccount or aws:PrincipalOrgPaths is not protected by that statement', () => {
    const byAccount = { Statement: [{ ...DENY_ALL.Statement[0], Condition: { StringNotEquals: { 'aws:PrincipalAccount': ['333333333333'] } } }] };
    expect(accountsUnprotectedByScp(org([scp('p-1', byAccount, ['r-ab12'])]), accounts)).toEqual(['333333333333']);
    const orgWithId = { ...org(null), id: 'o-abc1234567' } as OrganizationRecord;
    const byPath = { Statement: [{ ...DENY_ALL.Statement[0], Condition: { 'ForAnyValue:StringNotLike': { 'aws:PrincipalOrgPaths': ['o-abc1234567/r-ab12/ou-ab12-security1/*'] } } }] };
    expect(accountsUnprotectedByScp({ ...orgWithId, serviceControlPolicies: [scp('p-1', byPath, ['r-ab12'])] }, accounts)).toEqual(['222222222222']);
    const wholeOrg = { Statement: [{ ...DENY_ALL.Statement[0], Condition: { 'ForAnyValue:StringNotLike': { 'aws:PrincipalOrgPaths': ['o-abc1234567/*'] } } }] };
    expect(accountsUnprotectedByScp({ ...orgWithId, serviceControlPolicies: [scp('p-1', wholeOrg, ['r-ab12'])] }, accounts)).toEqual(['222222222222', '333333333333']);
  });

  it('cannot judge (throws, so the rule says ERROR) when a policy on the path or the OU tree was not collected', () => {
    const unread = { ...scp('p-2', null, ['r-ab12']) };
    expect(() => accountsUnprotectedByScp(org([unread]), accounts)).toThrow(/document of SCP p-2 .*not collected/);
    const untargeted = { ...scp('p-1', DENY_ALL, []), targets: null };
    expect(() => accountsUnprotectedByScp(org([untargeted]), accounts)).toThrow(/targets of SCP p-1/);
    const noTree = accounts.map((a) => ({ ...a, ouPath: [] }));
    expect(() => accountsUnprotectedByScp(org([scp('p-1', DENY_ALL, ['r-ab12'])]), noTree)).toThrow(/OU tree was not collected/);
    // A policy not above the account cannot change its verdict, read or not.
    expect(accountsUnprotectedByScp(org([scp('p-1', DENY_ALL, ['r-ab12']), scp('p-9', null, ['ou-ab12-elsewhere'])]), accounts)).toEqual([]);
    // An account attached directly is judged even without the tree.
    expect(accountsUnprotectedByScp(org([scp('p-1', DENY_ALL, ['222222222222', '333333333333'])]), noTree)).toEqual([]);
  });

  it('an account certainly unprotected is a FAIL even when another cannot be judged', () => {
    const unreadOnSecurity = scp('p-2', null, ['ou-ab12-security1']);
    expect(accountsUnprotectedByScp(org([unreadOnSecurity]), accounts)).toEqual(['333333333333']);
  });

  it('returns null when the policies were not collected', () => {
    expect(accountsUnprotectedByScp(org(null), accounts)).toBeNull();
  });
});
