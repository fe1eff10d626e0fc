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

type Fixable = Pick<Finding, 'fingerprint' | 'ruleId' | 'severity' | 'status' | 'waiver' | 'accountId' | 'accountName' | 'fixedOn'> & { remediation: { summary: string } | null };

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
  findings: readonly Fixable[];
  /** The evaluated rules: their `fixedOn.action` words the titles. */
  rules?: readonly Pick<Rule, 'id' | 'fixedOn'>[];
}

export function buildFixPlan({ findings, rules = [] }: FixPlanInput): FixAction[] {
  // A loop, not a map() of pairs: a large run has hundreds of thousands of findings here.
  const accountNames = new Map<string, string>();
  for (const f of findings) accountNames.set(f.accountId, f.accountName);
  const verbs = new Map(rules.map((r) => [r.id, r.fixedOn?.action]));
  const groups = new Map<string, { on: FixTarget; findings: Fixable[] }>();
  for (const f of findings) {
    if ((f.status !== 'FAIL' && f.status !== 'ERROR') || f.waiver || !f.fixedOn) continue;
    const key = `${f.fixedOn.kind}\n${f.fixedOn.target}`;
    const g = groups.get(key) ?? { on: f.fixedOn, findings: [] };
    g.findings.push(f);
    groups.set(key, g);
  }
  const actions = [...groups.values()].map(({ on, findings: fs }): FixAction => {
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as FixAction['bySeverity'];
    const byStatus = { FAIL: 0, ERROR: 0 };
    let impact = 0;
    for (const f of fs) {
      bySeverity[f.severity]++;
      byStatus[f.status as 'FAIL' | 'ERROR']++;
      impact += SCORE_WEIGHTS[f.severity];
    }
    const ruleIds = [...new Set(fs.map((f) => f.ruleId))].sort();
    const targetName = on.kind === 'account' && accountNames.has(on.target) ? `${accountNames.get(on.target)} (${on.target})` : shortName(on.target);
    // The title words the change most of the findings ask for, and counts the rules it leaves out.
    const byVerb = new Map<string | undefined, number>();
    for (const f of fs) byVerb.set(verbs.get(f.ruleId), (byVerb.get(verbs.get(f.ruleId)) ?? 0) + 1);
    // An ERROR's action grants access: the rules' words for fixing a FAIL do not apply.
    const verb = on.kind === 'access' || on.kind === 'permission' ? undefined : [...byVerb].sort((a, b) => b[1] - a[1])[0]?.[0];
    const others = verb ? ruleIds.filter((id) => verbs.get(id) !== verb).length : 0;
    const accounts = [...new Set(fs.map((f) => f.accountId))].sort();
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
      findings: fs.map((f) => f.fingerprint).sort(),
      remediation: leadingRemediation(fs),
    };
  });
  return actions.sort((a, b) => b.impact - a.impact || a.rules.length - b.rules.length || a.id.localeCompare(b.id));
}

/** The remediation of the rule behind most of the findings (then the most severe, then by id). */
function leadingRemediation(fs: readonly Fixable[]): string {
  const perRule = new Map<string, number>();
  for (const f of fs) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
  const rank = (f: Fixable) => SEVERITIES.indexOf(f.severity);
  // Ordered first, then the first with a remediation taken: a spilled store's findings read their
  // remediation back from disk when asked (findings/store.ts), so it is asked of one finding, not all.
  const ordered = [...fs].sort((a, b) => perRule.get(b.ruleId)! - perRule.get(a.ruleId)! || rank(a) - rank(b) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  for (const f of ordered) {
    const remediation = f.remediation;
    if (remediation) return remediation.summary;
  }
  return '';
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
