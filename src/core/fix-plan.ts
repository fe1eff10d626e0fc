// The fix plan: a pure step after evaluation and waivers. FAIL and ERROR findings are grouped by
// what has to change (finding.fixedOn, declared by each rule file and, for ERRORs, by what could
// not be read) into actions, ordered by impact: the severity-weighted findings an action resolves,
// ties by fewer distinct rules (less effort), then by id. A waived FAIL is an accepted risk, not
// work: it is left out. Knows no rule by name.
import { createHash } from 'node:crypto';
import type { Rule } from '../engine/load.js';
import { SEVERITIES } from '../engine/rule-schema.js';
import type { Finding, FixTarget } from '../findings/finding.js';
import { SCORE_WEIGHTS } from '../findings/weights.js';
import type { FixAction } from '../report/actions.js';

/**
 * What the plan reads of a FAIL or ERROR finding. `hasRemediation`, where given, tells whether it
 * has a remediation without reading it (a spilled store's findings read theirs back from disk).
 */
type Fixable = Pick<Finding, 'fingerprint' | 'ruleId' | 'severity' | 'status' | 'waiver' | 'accountId' | 'accountName' | 'fixedOn'> & {
  remediation: { summary: string } | null;
  readonly hasRemediation?: boolean;
};

const KIND_LABEL: Record<FixTarget['kind'], string> = {
  trail: 'trail',
  'log-group': 'log group',
  bucket: 'bucket',
  key: 'KMS key',
  topic: 'SNS topic',
  account: 'account',
  organization: 'organization',
  scp: 'the service control policies of organization',
  access: 'role',
  permission: 'permission',
  'event-data-store': 'event data store',
};

export function actionId(kind: string, target: string): string {
  return createHash('sha256').update(`${kind}\n${target}`).digest('hex').slice(0, 16);
}

/** A short name for an ARN (the part after its resource type), or the id itself. */
export function shortName(target: string): string {
  if (!target.startsWith('arn:')) return target;
  const resource = target.split(':').slice(5).join(':');
  return resource.replace(/^(log-group:|trail\/|key\/|role\/|alias\/)/, '').replace(/:\*$/, '') || target;
}

export interface FixPlanInput {
  /** Read once, in one pass: a spilled store gives its notable findings one at a time, and none is kept. */
  findings: Iterable<Fixable>;
  /** The evaluated rules: their `fixedOn.action` words the titles. */
  rules?: readonly Pick<Rule, 'id' | 'fixedOn'>[];
}

/** One rule's findings within an action: how many, and its leading candidate for the remediation. */
interface RuleShare {
  count: number;
  /** The first of its findings with a remediation, by severity then fingerprint. */
  lead: Fixable | null;
}

interface Group {
  on: FixTarget;
  fingerprints: string[];
  bySeverity: FixAction['bySeverity'];
  byStatus: FixAction['byStatus'];
  impact: number;
  accounts: Set<string>;
  rules: Map<string, RuleShare>;
}

const rank = (f: Pick<Fixable, 'severity'>) => SEVERITIES.indexOf(f.severity);
const hasRemediation = (f: Fixable) => f.hasRemediation ?? f.remediation !== null;

export function buildFixPlan({ findings, rules = [] }: FixPlanInput): FixAction[] {
  const accountNames = new Map<string, string>();
  const verbs = new Map(rules.map((r) => [r.id, r.fixedOn?.action]));
  const groups = new Map<string, Group>();
  // One pass, keeping per action only its counts, fingerprints and one finding per rule: at 10,000
  // accounts there are 200,000 of them, read just as evaluation ends.
  for (const f of findings) {
    accountNames.set(f.accountId, f.accountName);
    if ((f.status !== 'FAIL' && f.status !== 'ERROR') || f.waiver || !f.fixedOn) continue;
    const key = `${f.fixedOn.kind}\n${f.fixedOn.target}`;
    let g = groups.get(key);
    if (!g) {
      g = { on: f.fixedOn, fingerprints: [], bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as FixAction['bySeverity'], byStatus: { FAIL: 0, ERROR: 0 }, impact: 0, accounts: new Set(), rules: new Map() };
      groups.set(key, g);
    }
    g.fingerprints.push(f.fingerprint);
    g.bySeverity[f.severity]++;
    g.byStatus[f.status]++;
    g.impact += SCORE_WEIGHTS[f.severity];
    g.accounts.add(f.accountId);
    const share = g.rules.get(f.ruleId) ?? g.rules.set(f.ruleId, { count: 0, lead: null }).get(f.ruleId)!;
    share.count++;
    if (hasRemediation(f) && (!share.lead || (rank(f) - rank(share.lead) || f.fingerprint.localeCompare(share.lead.fingerprint)) < 0)) share.lead = f;
  }
  const actions = [...groups.values()].map(({ on, fingerprints, bySeverity, byStatus, impact, accounts: seen, rules: shares }): FixAction => {
    const ruleIds = [...shares.keys()].sort();
    const targetName = on.kind === 'account' && accountNames.has(on.target) ? `${accountNames.get(on.target)} (${on.target})` : shortName(on.target);
    // The title words the change most of the findings ask for, and counts the rules it leaves out.
    const byVerb = new Map<string | undefined, number>();
    for (const [id, { count }] of shares) byVerb.set(verbs.get(id), (byVerb.get(verbs.get(id)) ?? 0) + count);
    // An ERROR's action grants access: the rules' words for fixing a FAIL do not apply.
    const verb = on.kind === 'access' || on.kind === 'permission' ? undefined : [...byVerb].sort((a, b) => b[1] - a[1])[0]?.[0];
    const others = verb ? ruleIds.filter((id) => verbs.get(id) !== verb).length : 0;
    const accounts = [...seen].sort();
    return {
      id: actionId(on.kind, on.target),
      title: titleOf(on, targetName, verb, accountNames, accounts) + (others ? `, and fix what ${others} more rule${others > 1 ? 's' : ''} found there` : ''),
      kind: on.kind,
      target: on.target,
      targetName,
      accountId: on.kind === 'permission' && accounts.length > 1 ? null : on.accountId,
      impact,
      bySeverity,
      byStatus,
      rules: ruleIds,
      accounts,
      findings: fingerprints.sort(),
      remediation: leadingRemediation(shares),
    };
  });
  return actions.sort((a, b) => b.impact - a.impact || a.rules.length - b.rules.length || a.id.localeCompare(b.id));
}

/**
 * The remediation of the rule behind most of the findings (then the most severe, then by id): of
 * the findings ordered so (then by fingerprint), the first with a remediation, which is the
 * leading finding of one of the rules. Only that one is asked for its text: a spilled store's
 * findings read their remediation back from disk when asked (findings/store.ts).
 */
function leadingRemediation(shares: ReadonlyMap<string, RuleShare>): string {
  let best: { id: string; count: number; lead: Fixable } | null = null;
  for (const [id, { count, lead }] of shares) {
    if (!lead) continue;
    const first = !best || (best.count - count || rank(lead) - rank(best.lead) || id.localeCompare(best.id) || lead.fingerprint.localeCompare(best.lead.fingerprint)) < 0;
    if (first) best = { id, count, lead };
  }
  return best?.lead.remediation?.summary ?? '';
}

function titleOf(on: FixTarget, name: string, verb: string | undefined, accountNames: Map<string, string>, accounts: string[]): string {
  const known = on.accountId ? accountNames.get(on.accountId) : undefined;
  const account = on.accountId ? (known ? `${known} (${on.accountId})` : on.accountId) : null;
  switch (on.kind) {
    case 'access':
      return `Let trailwarden assume ${name} in account ${account ?? on.target}`;
    case 'permission':
      return accounts.length === 1 && account ? `Grant ${on.target} to trailwarden's role in account ${account}` : `Grant ${on.target} to trailwarden's role in ${accounts.length} accounts`;
    case 'account':
      return `${verb ?? 'Fix'} account ${name}`;
    default:
      return `${verb ?? 'Fix'} ${KIND_LABEL[on.kind]} ${name}${account ? ` in account ${account}` : ''}`;
  }
}
