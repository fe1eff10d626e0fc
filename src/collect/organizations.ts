// The organization: its accounts (with OU path and tags), its OU tree and its service control
// policies, read from the management (or delegated administrator) account as the caller.
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { OrganizationRecord, Scp } from '../inventory/schema.js';
import { ScanContext, type CollectorSpec } from './context.js';
import { ErrorLog } from './errors.js';

export const collector: CollectorSpec = {
  name: 'organizations',
  service: 'organizations',
  principal: 'management',
  operations: {
    DescribeOrganization: 'organizations:DescribeOrganization',
    ListAccounts: 'organizations:ListAccounts',
    ListRoots: 'organizations:ListRoots',
    ListOrganizationalUnitsForParent: 'organizations:ListOrganizationalUnitsForParent',
    ListAccountsForParent: 'organizations:ListAccountsForParent',
    ListTagsForResource: 'organizations:ListTagsForResource',
    ListPolicies: 'organizations:ListPolicies',
    DescribePolicy: 'organizations:DescribePolicy',
    ListTargetsForPolicy: 'organizations:ListTargetsForPolicy',
  },
};

export interface OrgAccount {
  id: string;
  name: string;
  email: string | null;
  /** ACTIVE | SUSPENDED | PENDING_CLOSURE */
  status: string;
  ouPath: { id: string; name: string }[];
}

export interface OrgDiscovery {
  organization: OrganizationRecord;
  /** Empty when the organization's accounts could not be listed: scan the caller alone. */
  accounts: OrgAccount[];
}

const NO_ORGANIZATION: Omit<OrganizationRecord, 'reason'> = {
  available: false,
  id: null,
  arn: null,
  managementAccountId: null,
  featureSet: null,
  roots: [],
  organizationalUnits: [],
  serviceControlPolicies: null,
};

async function pages<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...page.items);
    token = page.next;
  } while (token);
  return all;
}

export async function discoverOrganization(ctx: ScanContext, callerAccountId: string): Promise<OrgDiscovery> {
  const org = ctx.client('organizations', callerAccountId, ctx.homeRegion);
  const site = { accountId: callerAccountId, region: null, service: 'organizations', resource: null };

  const described = await ctx.attempt(
    { ...site, operation: 'DescribeOrganization', facts: ['organization'] },
    () => org.send(new DescribeOrganizationCommand({})),
    ['AWSOrganizationsNotInUseException'],
  );
  if (described.status === 'absent') {
    return { organization: { ...NO_ORGANIZATION, reason: 'the caller\'s account is not in an AWS Organization' }, accounts: [] };
  }
  if (described.status === 'error') {
    const e = described.error;
    return { organization: { ...NO_ORGANIZATION, reason: `could not describe the organization (${e.code}: ${e.message})` }, accounts: [] };
  }
  const o = described.value.Organization;
  const base: OrganizationRecord = {
    ...NO_ORGANIZATION,
    available: true,
    reason: null,
    id: o?.Id ?? null,
    arn: o?.Arn ?? null,
    managementAccountId: o?.MasterAccountId ?? null,
    featureSet: o?.FeatureSet ?? null,
  };

  // The OU tree and the SCPs are read while ListAccounts pages through the organization (one
  // page of 20 at a time: the longest chain of calls before any account can be visited). Their
  // errors are kept aside and only recorded when the accounts could be listed, as before.
  const sideLog = new ErrorLog();
  const side = new ScanContext(ctx.partition, ctx.homeRegion, ctx.pool, ctx.broker, sideLog);
  const treeRead = readTree(side, org, callerAccountId);
  const scpsRead = readServiceControlPolicies(side, org, callerAccountId);
  const listed = await ctx.attempt({ ...site, operation: 'ListAccounts', facts: ['organization.accounts'] }, () =>
    pages<Account>(async (NextToken) => {
      const r = await org.send(new ListAccountsCommand({ NextToken }));
      return { items: r.Accounts ?? [], next: r.NextToken };
    }),
  );
  if (listed.status !== 'ok') {
    await Promise.allSettled([treeRead, scpsRead]);
    const why = listed.status === 'error' ? `${listed.error.code}: ${listed.error.message}` : 'not listed';
    return {
      organization: { ...base, available: false, reason: `cannot list the organization's accounts from ${callerAccountId} (${why}); scanning the caller's account alone` },
      accounts: [],
    };
  }

  const [tree, scps] = await Promise.all([treeRead, scpsRead]);
  ctx.log.errors.push(...sideLog.errors);
  const accounts = listed.value
    .filter((a): a is Account & { Id: string } => typeof a.Id === 'string')
    .map((a) => ({
      id: a.Id,
      name: a.Name ?? a.Id,
      email: a.Email ?? null,
      status: String(a.State ?? a.Status ?? 'ACTIVE'),
      ouPath: tree.pathOf.get(a.Id) ?? [],
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return {
    organization: { ...base, roots: tree.roots, organizationalUnits: tree.units, serviceControlPolicies: scps },
    accounts,
  };
}

interface Tree {
  roots: { id: string; name: string }[];
  units: { id: string; name: string; parentId: string }[];
  /** account id -> OUs from the root down to its parent (the root included first). */
  pathOf: Map<string, { id: string; name: string }[]>;
}

async function readTree(ctx: ScanContext, org: OrganizationsClient, callerAccountId: string): Promise<Tree> {
  const tree: Tree = { roots: [], units: [], pathOf: new Map() };
  const site = { accountId: callerAccountId, region: null, service: 'organizations', resource: null, facts: ['account.ouPath'] };
  const roots = await ctx.attempt({ ...site, operation: 'ListRoots' }, () =>
    pages(async (NextToken) => {
      const r = await org.send(new ListRootsCommand({ NextToken }));
      return { items: r.Roots ?? [], next: r.NextToken };
    }),
  );
  if (roots.status !== 'ok') return tree;
  tree.roots = roots.value.map((r) => ({ id: r.Id ?? '', name: r.Name ?? 'Root' }));

  // Breadth-first over the OU tree: one listing of child OUs and one of accounts per parent.
  let frontier = tree.roots.map((root) => ({ id: root.id, path: [root] }));
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    await Promise.all(
      frontier.map(async (parent) => {
        const [children, accounts] = await Promise.all([
          ctx.attempt({ ...site, operation: 'ListOrganizationalUnitsForParent' }, () =>
            pages(async (NextToken) => {
              const r = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent.id, NextToken }));
              return { items: r.OrganizationalUnits ?? [], next: r.NextToken };
            }),
          ),
          ctx.attempt({ ...site, operation: 'ListAccountsForParent' }, () =>
            pages(async (NextToken) => {
              const r = await org.send(new ListAccountsForParentCommand({ ParentId: parent.id, NextToken }));
              return { items: r.Accounts ?? [], next: r.NextToken };
            }),
          ),
        ]);
        if (accounts.status === 'ok') {
          for (const a of accounts.value) if (a.Id) tree.pathOf.set(a.Id, parent.path);
        }
        if (children.status === 'ok') {
          for (const ou of children.value) {
            if (!ou.Id) continue;
            const ref = { id: ou.Id, name: ou.Name ?? ou.Id };
            tree.units.push({ ...ref, parentId: parent.id });
            next.push({ id: ou.Id, path: [...parent.path, ref] });
          }
        }
      }),
    );
    frontier = next;
  }
  tree.units.sort((a, b) => a.id.localeCompare(b.id));
  return tree;
}

async function readServiceControlPolicies(ctx: ScanContext, org: OrganizationsClient, callerAccountId: string): Promise<Scp[] | null> {
  const site = { accountId: callerAccountId, region: null, service: 'organizations', resource: { type: 'organization' as const, id: 'organization' } };
  const listed = await ctx.attempt(
    { ...site, operation: 'ListPolicies', facts: ['organization.serviceControlPolicies'] },
    () =>
      pages(async (NextToken) => {
        const r = await org.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', NextToken }));
        return { items: r.Policies ?? [], next: r.NextToken };
      }),
    // SCPs switched off for the organization: there are none to protect anything.
    ['PolicyTypeNotEnabledException'],
  );
  if (listed.status === 'absent') return [];
  if (listed.status === 'error') return null;
  const policies = await Promise.all(
    listed.value.map(async (summary): Promise<Scp> => {
      const id = summary.Id ?? '';
      const facts = ['organization.serviceControlPolicies'];
      const [described, targets] = await Promise.all([
        ctx.attempt({ ...site, operation: 'DescribePolicy', facts }, () => org.send(new DescribePolicyCommand({ PolicyId: id }))),
        ctx.attempt({ ...site, operation: 'ListTargetsForPolicy', facts }, () =>
          pages(async (NextToken) => {
            const r = await org.send(new ListTargetsForPolicyCommand({ PolicyId: id, NextToken }));
            return { items: r.Targets ?? [], next: r.NextToken };
          }),
        ),
      ]);
      let document: unknown = null;
      if (described.status === 'ok') {
        const content = described.value.Policy?.Content;
        try {
          document = content ? JSON.parse(content) : null;
        } catch {
          document = null;
        }
      }
      return {
        id,
        arn: summary.Arn ?? '',
        name: summary.Name ?? id,
        awsManaged: summary.AwsManaged ?? false,
        document,
        targets:
          targets.status === 'ok'
            ? targets.value
                .map((t) => ({ id: t.TargetId ?? '', type: String(t.Type ?? ''), name: t.Name ?? '' }))
                .sort((a, b) => a.id.localeCompare(b.id))
            : null,
      };
    }),
  );
  return policies.sort((a, b) => a.id.localeCompare(b.id));
}

/** Account tags, read from the management account; null when they could not be read. */
export async function readAccountTags(ctx: ScanContext, callerAccountId: string, accountId: string): Promise<Record<string, string> | null> {
  const org = ctx.client('organizations', callerAccountId, ctx.homeRegion);
  const r = await ctx.attempt(
    { accountId, region: null, service: 'organizations', operation: 'ListTagsForResource', resource: { type: 'account', id: accountId }, facts: ['account.tags'] },
    () =>
      pages(async (NextToken) => {
        const page = await org.send(new ListTagsForResourceCommand({ ResourceId: accountId, NextToken }));
        return { items: page.Tags ?? [], next: page.NextToken };
      }),
  );
  if (r.status !== 'ok') return null;
  return Object.fromEntries(r.value.map((t) => [t.Key ?? '', t.Value ?? '']).sort(([a], [b]) => String(a).localeCompare(String(b))));
}
