// Do service control policies protect the trails? An account is protected when the SCPs attached
// to it or to any OU or root above it deny every trail-tampering action, allowing at most an
// exemption for named administrator principals. SCPs never apply to the management account.
import type { AccountRecord, OrganizationRecord, Scp } from '../../inventory/schema.js';
import { actionMatches } from './policy.js';

const asList = (value: unknown): string[] => (value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String));

export const TRAIL_TAMPERING_ACTIONS = ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'];

/** Condition keys that only carve out who may still act: the deny stays a deny for everyone else. */
const EXEMPTION_KEYS = new Set(['aws:principalarn', 'aws:principaltag', 'aws:userid', 'aws:principalaccount', 'aws:principalorgpaths']);
const EXEMPTION_OPERATORS = /^(ArnNotLike|ArnNotEquals|StringNotLike|StringNotEquals|StringNotEqualsIgnoreCase)(IfExists)?$/;

interface Statement {
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function statementsOf(document: unknown): Statement[] {
  const s = (document as { Statement?: unknown } | null)?.Statement;
  if (!s) return [];
  return (Array.isArray(s) ? s : [s]) as Statement[];
}

function onlyExemptions(condition: Statement['Condition']): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(
    ([operator, block]) =>
      EXEMPTION_OPERATORS.test(operator) && Object.keys(block ?? {}).every((key) => EXEMPTION_KEYS.has(key.toLowerCase().split('/')[0]!)),
  );
}

/** The trail-tampering actions one SCP denies (to everyone but exempted administrators). */
export function deniedTamperingActions(scp: Pick<Scp, 'document'>): string[] {
  const denied = new Set<string>();
  for (const st of statementsOf(scp.document)) {
    if (st.Effect !== 'Deny' || !onlyExemptions(st.Condition)) continue;
    const resources = asList(st.Resource);
    if (!resources.some((r) => r === '*' || /^arn:[^:]+:cloudtrail:\*?/.test(r))) continue;
    for (const action of TRAIL_TAMPERING_ACTIONS) {
      const byAction = asList(st.Action).some((p) => actionMatches(p, action));
      const byNotAction = st.NotAction !== undefined && !asList(st.NotAction).some((p) => actionMatches(p, action));
      if (byAction || byNotAction) denied.add(action);
    }
  }
  return [...denied];
}

/**
 * Accounts (ids) not protected from trail tampering by SCPs. The management account is left
 * out: SCPs do not apply to it. Returns null when the policies could not be read.
 */
export function accountsUnprotectedByScp(organization: OrganizationRecord, accounts: AccountRecord[]): string[] | null {
  const scps = organization.serviceControlPolicies;
  if (scps === null) return null;
  const deniedByTarget = new Map<string, Set<string>>();
  for (const scp of scps) {
    const denied = deniedTamperingActions(scp);
    if (!denied.length) continue;
    for (const t of scp.targets ?? []) {
      const set = deniedByTarget.get(t.id) ?? new Set<string>();
      for (const a of denied) set.add(a);
      deniedByTarget.set(t.id, set);
    }
  }
  return accounts
    .filter((a) => !a.isManagementAccount && a.organizationStatus === 'ACTIVE')
    .filter((a) => {
      const denied = new Set<string>();
      for (const node of [...a.ouPath.map((o) => o.id), a.id]) for (const x of deniedByTarget.get(node) ?? []) denied.add(x);
      return !TRAIL_TAMPERING_ACTIONS.every((x) => denied.has(x));
    })
    .map((a) => a.id);
}
