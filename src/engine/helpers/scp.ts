// Do service control policies protect the trails? An account is protected when the SCPs attached
// to it or to any OU or root above it deny every trail-tampering action on every trail, allowing at
// most an exemption for narrowly named administrator principals. SCPs never apply to the
// management account. Deny statements inherit down the tree, so protection is the union of the
// denies on the account's path.
//
// Each account gets one of three answers. `protected` needs every fact seen; `unprotected` needs
// certainty that no policy we could not read would change it; anything else is `unknown`, which the
// rule reports as ERROR with the reason, never as PASS or FAIL.
import { CannotJudge } from './cannot-judge.js';
import type { AccountRecord, OrganizationRecord, Scp } from '../../inventory/schema.js';
import { actionMatches, glob } from './policy.js';

const asList = (value: unknown): string[] => (value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const TRAIL_TAMPERING_ACTIONS = ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'];

/** Does a value carry something specific, not only wildcards? `*`, `?*`, `` are not specific. */
const specific = (v: string): boolean => /[^*?]/.test(v.trim());

/**
 * Who one deny statement leaves out. `null`: the statement is no protection at all (its condition
 * scopes it to a region, a tag on the request, ... or its exemption is so wide it exempts everyone).
 * Otherwise a predicate over accounts: true when the exemption covers principals of that account
 * (all of them or `unknown` when the OU path needed to decide is missing).
 */
type Exemption = (account: AccountRecord, organization: OrganizationRecord) => boolean | 'unknown';

const OPERATOR = /^(?:ForAnyValue:|ForAllValues:)?(ArnNotLike|ArnNotEquals|StringNotLike|StringNotEquals|StringNotEqualsIgnoreCase)(?:IfExists)?$/;

/** aws:PrincipalArn values that name specific roles or users: the last path segment must be specific. */
function narrowPrincipalArn(v: string): boolean {
  const m = /^arn:[^:]*:(?:iam|sts)::[^:]*:(?:role|user|assumed-role)\/(.+)$/.exec(v.trim());
  if (!m) return false;
  const segments = m[1]!.split('/');
  return specific(segments[segments.length - 1]!) && !/^\*+$/.test(segments[segments.length - 1]!);
}

function exemptionOf(condition: unknown): Exemption | null {
  if (condition === undefined) return () => false;
  if (!isRecord(condition)) return null;
  const parts: Exemption[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!OPERATOR.test(operator) || !isRecord(block)) return null;
    for (const [rawKey, rawValues] of Object.entries(block)) {
      const key = rawKey.toLowerCase();
      const values = asList(rawValues);
      if (!values.length) return null;
      if (key === 'aws:principalarn') {
        // Administrators by name: principals in every account stay denied, so no account is exempt.
        if (!values.every(narrowPrincipalArn)) return null;
        parts.push(() => false);
      } else if (key === 'aws:userid' || key.startsWith('aws:principaltag/')) {
        if (!values.every(specific)) return null;
        parts.push(() => false);
      } else if (key === 'aws:principalaccount') {
        // Every principal of a listed account is exempt: that account's trails are open to it.
        if (!values.every((v) => /^\d{12}$/.test(v.trim()))) return null;
        parts.push((account) => values.some((v) => v.trim() === account.id));
      } else if (key === 'aws:principalorgpaths') {
        if (!values.every(specific)) return null;
        parts.push((account, organization) => {
          if (!account.ouPath.length || !organization.id) return 'unknown';
          const path = `${organization.id}/${account.ouPath.map((o) => o.id).join('/')}/`;
          return values.some((v) => glob(v.trim(), path, true) || glob(v.trim(), `${path}${account.id}`, true));
        });
      } else {
        return null;
      }
    }
  }
  return (account, organization) => {
    let unknown = false;
    for (const p of parts) {
      const r = p(account, organization);
      if (r === true) return true;
      if (r === 'unknown') unknown = true;
    }
    return unknown ? 'unknown' : false;
  };
}

/** Trail ARNs of every shape a pattern must match to cover all trails, in any region and account. */
function probes(partition: string): string[] {
  return [
    `arn:${partition}:cloudtrail:us-east-1:111122223333:trail/a`,
    `arn:${partition}:cloudtrail:ap-southeast-3:999988887777:trail/organization-trail-with-a-long-name`,
    `arn:${partition}:cloudtrail:eu-west-1:123456789012:trail/Z_9.x-y`,
  ];
}

function coversEveryTrail(resource: unknown, partition: string): boolean {
  const patterns = asList(resource);
  return probes(partition).every((arn) => patterns.some((p) => p.trim() === '*' || glob(p.trim(), arn, false)));
}

export interface DenyStatement {
  actions: string[];
  exemption: Exemption;
}

/** The statements of one SCP that deny trail tampering on every trail, with who they leave out. */
export function tamperingDenies(document: unknown, partition = 'aws'): DenyStatement[] {
  const raw = isRecord(document) ? document.Statement : undefined;
  const statements = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: DenyStatement[] = [];
  for (const st of statements) {
    if (!isRecord(st) || st.Effect !== 'Deny' || st.NotResource !== undefined) continue;
    if (!coversEveryTrail(st.Resource, partition)) continue;
    const exemption = exemptionOf(st.Condition);
    if (!exemption) continue;
    const actions = TRAIL_TAMPERING_ACTIONS.filter((action) =>
      st.NotAction !== undefined
        ? !asList(st.NotAction).some((p) => actionMatches(p, action))
        : asList(st.Action).some((p) => actionMatches(p, action)),
    );
    if (actions.length) out.push({ actions, exemption });
  }
  return out;
}

/** The trail-tampering actions one SCP denies to everyone in every account, exemptions for named administrators aside. */
export function deniedTamperingActions(scp: Pick<Scp, 'document'>, partition = 'aws'): string[] {
  const denied = new Set<string>();
  for (const d of tamperingDenies(scp.document, partition)) for (const a of d.actions) denied.add(a);
  return TRAIL_TAMPERING_ACTIONS.filter((a) => denied.has(a));
}

export interface ScpProtection {
  unprotected: { accountId: string; missing: string[] }[];
  unknown: { accountId: string; reason: string }[];
}

/**
 * Judges every active member account. The management account is left out (SCPs do not apply to
 * it), as are suspended accounts. Returns null when the organization's SCPs could not be listed.
 */
export function scpProtection(organization: OrganizationRecord, accounts: AccountRecord[]): ScpProtection | null {
  const scps = organization.serviceControlPolicies;
  if (scps === null) return null;
  const partition = /^arn:([^:]+):/.exec(organization.arn ?? '')?.[1] ?? 'aws';
  const result: ScpProtection = { unprotected: [], unknown: [] };
  const parsed = scps.map((scp) => ({ scp, denies: scp.document === null ? null : tamperingDenies(scp.document, partition) }));

  for (const account of accounts) {
    if (account.isManagementAccount || account.organizationStatus !== 'ACTIVE') continue;
    // Every member sits at least under a root; an empty path means the OU tree was not read.
    const treeKnown = account.ouPath.length > 0;
    const path = new Set([...account.ouPath.map((o) => o.id), account.id]);
    const denied = new Set<string>();
    const doubts: string[] = [];
    for (const { scp, denies } of parsed) {
      if (scp.targets === null) {
        doubts.push(`the targets of SCP ${scp.id} (${scp.name}) were not collected`);
        continue;
      }
      const attachedHere = scp.targets.some((t) => path.has(t.id));
      // With the OU tree unknown, a policy attached to any root or OU might be above the account.
      const mightBeAbove = !treeKnown && scp.targets.some((t) => t.type !== 'ACCOUNT');
      if (!attachedHere && !mightBeAbove) continue;
      if (denies === null) {
        doubts.push(`the document of SCP ${scp.id} (${scp.name}) was not collected`);
        continue;
      }
      if (!attachedHere) {
        if (denies.length) doubts.push(`the OU tree was not collected, so whether SCP ${scp.id} (${scp.name}) applies is unknown`);
        continue;
      }
      for (const d of denies) {
        const exempt = d.exemption(account, organization);
        if (exempt === 'unknown') doubts.push(`whether the aws:PrincipalOrgPaths exemption of SCP ${scp.id} covers the account is unknown (OU tree not collected)`);
        else if (!exempt) for (const a of d.actions) denied.add(a);
      }
    }
    const missing = TRAIL_TAMPERING_ACTIONS.filter((a) => !denied.has(a));
    if (!missing.length) continue;
    if (doubts.length) result.unknown.push({ accountId: account.id, reason: [...new Set(doubts)].join('; ') });
    else result.unprotected.push({ accountId: account.id, missing });
  }
  return result;
}

/**
 * Accounts (ids) not protected from trail tampering by SCPs. Throws when an account cannot be
 * judged and none is certainly unprotected (the rule then reports ERROR with the reason); returns
 * null when the policies were not collected at all.
 */
export function accountsUnprotectedByScp(organization: OrganizationRecord, accounts: AccountRecord[]): string[] | null {
  const p = scpProtection(organization, accounts);
  if (p === null) return null;
  if (p.unprotected.length) return p.unprotected.map((u) => u.accountId);
  if (p.unknown.length) {
    const first = p.unknown[0]!;
    throw new CannotJudge(`${p.unknown.length} account(s) cannot be judged, e.g. ${first.accountId}: ${first.reason}`);
  }
  return [];
}
