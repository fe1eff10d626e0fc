// evaluate(snapshot, rules, options) -> findings. Pure and synchronous: no I/O, no clock (now is
// passed in), no knowledge of any rule by name. The same inputs always give the same findings.
import type { Config } from '../config/config.js';
import { DEFAULT_CONFIG } from '../config/config.js';
import { fingerprint, type Finding, type Status } from '../findings/finding.js';
import type { CollectionError, Snapshot } from '../inventory/schema.js';
import { BUDGET_EXCEEDED, BudgetExceeded, EvaluationBudget } from './cel.js';
import { CannotJudge } from './helpers/cannot-judge.js';
import type { HelperDeps } from './helpers/index.js';
import { causeOfMissing, explainMissing, FACTS } from './facts.js';
import { fixFor, type FixContext, type IamActionFor } from './fixed-on.js';
import type { Rule } from './load.js';
import { capText } from '../util/cap-text.js';
import { render } from './template.js';
import { InventoryView, type Subject } from './view.js';

export interface EvaluateOptions {
  now: Date;
  config?: Config;
  /** Only rules mapped to this framework. */
  framework?: string;
  /** Names the IAM action of a failed collection in an ERROR's remediation (default service:Operation). */
  iamActionFor?: IamActionFor;
}

type Verdict = {
  status: Status;
  reason: string | null;
  vars: Record<string, unknown>;
  /** forAny FAIL: the facts of every item judged, so the finding says why each one fell short. */
  judged?: Record<string, unknown>[];
  /** FAIL: what the rule's `details` expression said. */
  details?: string[];
  /** ERROR: the collection error that left a required fact missing. */
  cause?: CollectionError;
};

export function selectRules(rules: readonly Rule[], options: Pick<EvaluateOptions, 'config' | 'framework'>): Rule[] {
  const config = options.config ?? DEFAULT_CONFIG;
  return rules.filter((r) => config.rules[r.id]?.enabled !== false && (!options.framework || r.frameworks[options.framework]));
}

export function evaluate(snapshot: Snapshot, rules: readonly Rule[], options: EvaluateOptions): Finding[] {
  const findings: Finding[] = [];
  evaluateEach(snapshot, rules, options, (f) => findings.push(f));
  return findings;
}

/**
 * evaluate(), one finding at a time, in report order (rules by id, each rule's findings by
 * resource id, as evaluate() sorts them): a caller can write each away instead of holding them.
 */
export function evaluateEach(snapshot: Snapshot, rules: readonly Rule[], options: EvaluateOptions, sink: (finding: Finding) => void): void {
  const config = options.config ?? DEFAULT_CONFIG;
  const view = new InventoryView(snapshot);
  const framework = options.framework;
  const cisVersion = framework === 'cis-aws-v1.4.0' || framework === 'cis-aws-v3.0.0' || framework === 'cis-aws-v5.0.0' ? framework : config.parameters.cisVersion;
  const deps: HelperDeps = { now: options.now, cisVersion };
  const params = config.parameters;
  const iamActionFor = options.iamActionFor ?? (() => undefined);
  // Rules of one id (a pack has none twice, a caller's list might) are judged as one group, so the
  // order is exactly that of a stable sort of all findings by rule id, then resource id.
  const groups = new Map<string, Rule[]>();
  for (const rule of selectRules(rules, options)) (groups.get(rule.id) ?? groups.set(rule.id, []).get(rule.id)!).push(rule);
  const ids = [...groups.keys()].sort((a, b) => a.localeCompare(b));
  for (const id of ids) {
    // Each subject is built only when it is judged (view.subjectRefs): they are not all in memory at once.
    const judged = groups.get(id)!.flatMap((rule) => view.subjectRefs(rule.scope).map((ref) => ({ rule, ref })));
    judged.sort((a, b) => a.ref.id.localeCompare(b.ref.id));
    for (const { rule, ref } of judged) {
      const subject = ref.subject();
      const vars: Record<string, unknown> = { ...subject.vars, params, resource: subject.resource };
      if (rule.scope === 'organization') vars.accounts = snapshot.accounts;
      const verdict = judge(rule, subject, vars, snapshot, deps);
      sink(toFinding(rule, subject, verdict, { snapshot, deps, iamActionFor, account: view.account(subject.accountId) }));
    }
  }
}

function missingFacts(rule: Rule, vars: Record<string, unknown>, snapshot: Snapshot): string[] {
  const reasons: string[] = [];
  for (const path of rule.effectiveRequires) {
    const spec = FACTS[path]!;
    const owner = vars[spec.variable];
    if (owner && typeof owner === 'object' && spec.missing(owner as Record<string, unknown>)) {
      reasons.push(explainMissing(path, owner as Record<string, unknown>, snapshot.errors));
    }
  }
  return reasons;
}

function missingCause(rule: Rule, vars: Record<string, unknown>, snapshot: Snapshot): CollectionError | undefined {
  for (const path of rule.effectiveRequires) {
    const spec = FACTS[path]!;
    const owner = vars[spec.variable];
    if (owner && typeof owner === 'object' && spec.missing(owner as Record<string, unknown>)) {
      const cause = causeOfMissing(path, owner as Record<string, unknown>, snapshot.errors);
      if (cause) return cause;
    }
  }
  return undefined;
}

/** The rule's own reason when it called cannotJudge (the CEL runtime may wrap the error). */
function cannotJudgeReason(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof CannotJudge) return e.message;
  return null;
}

function run(expr: NonNullable<Rule['compiled']['when']>, vars: Record<string, unknown>, deps: HelperDeps, budget: EvaluationBudget): boolean | string {
  try {
    const value = expr.evaluate(vars, deps, budget);
    return typeof value === 'boolean' ? value : `the expression returned ${typeof value}, not a boolean`;
  } catch (err) {
    if (err instanceof BudgetExceeded) return BUDGET_EXCEEDED;
    const judged = cannotJudgeReason(err);
    if (judged !== null) return judged;
    return `the expression could not be evaluated: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** One budget per rule and subject: a rule that runs away is that finding's ERROR, and the run goes on. */
function judge(rule: Rule, subject: Subject, vars: Record<string, unknown>, snapshot: Snapshot, deps: HelperDeps): Verdict {
  const budget = new EvaluationBudget();
  const verdict = judgeWithin(budget, rule, subject, vars, snapshot, deps);
  return budget.exceeded ? { status: 'ERROR', reason: BUDGET_EXCEEDED, vars } : verdict;
}

function judgeWithin(budget: EvaluationBudget, rule: Rule, subject: Subject, vars: Record<string, unknown>, snapshot: Snapshot, deps: HelperDeps): Verdict {
  if (subject.blocked) return { status: 'ERROR', reason: subject.blocked, vars };
  if (rule.compiled.when) {
    const missing = rule.forAny ? [] : missingFacts(rule, vars, snapshot);
    const applies = run(rule.compiled.when, vars, deps, budget);
    if (typeof applies === 'string') return { status: 'ERROR', reason: missing[0] ?? applies, vars, cause: missing.length ? missingCause(rule, vars, snapshot) : undefined };
    if (!applies) return { status: 'NOT_APPLICABLE', reason: null, vars };
  }
  if (!rule.forAny) {
    const missing = missingFacts(rule, vars, snapshot);
    if (missing.length) return { status: 'ERROR', reason: missing.join('; '), vars, cause: missingCause(rule, vars, snapshot) };
    const ok = run(rule.compiled.assert, vars, deps, budget);
    if (typeof ok === 'string') return { status: 'ERROR', reason: ok, vars, cause: readsRecorders(rule) ? (unreadRecorderCause(vars, snapshot) ?? subject.recordersCause) : undefined };
    if (!ok && subject.incomplete) return { status: 'ERROR', reason: subject.incomplete, vars };
    // A rule judging the recorders list cannot FAIL on what the scanner could not list.
    if (!ok && subject.recordersIncomplete && readsRecorders(rule)) return { status: 'ERROR', reason: subject.recordersIncomplete, vars, cause: subject.recordersCause };
    if (ok && subject.unseen) return { status: 'ERROR', reason: subject.unseen, vars };
    return withDetails(rule, { status: ok ? 'PASS' : 'FAIL', reason: null, vars }, deps, budget);
  }
  // forAny: one item that passes is a fact seen; a FAIL needs every item judged and nothing unseen.
  const unknown: string[] = [];
  let cause: CollectionError | undefined;
  const failed: Record<string, unknown>[] = [];
  const items = rule.forAny === 'recorders' ? (subject.recorders ?? []) : (subject.trails ?? []);
  for (const item of items) {
    if (budget.exceeded) break;
    const itemVars = { ...vars, ...item };
    const missing = missingFacts(rule, itemVars, snapshot);
    if (missing.length) {
      unknown.push(missing.join('; '));
      cause ??= missingCause(rule, itemVars, snapshot);
      continue;
    }
    const ok = run(rule.compiled.assert, itemVars, deps, budget);
    if (ok === true) return { status: 'PASS', reason: null, vars: itemVars };
    if (typeof ok === 'string') unknown.push(`${((item.trail ?? item.recorder) as { arn?: string } | undefined)?.arn ?? 'item'}: ${ok}`);
    else failed.push(itemVars);
  }
  if (unknown.length) return { status: 'ERROR', reason: unknown.join('; '), vars, cause };
  if (subject.incomplete) return { status: 'ERROR', reason: subject.incomplete, vars };
  if (rule.forAny === 'recorders' && subject.recordersIncomplete) return { status: 'ERROR', reason: subject.recordersIncomplete, vars, cause: subject.recordersCause };
  // The remediation is written for the trail closest to compliance, so its names are real.
  const representative = [...failed].sort((a, b) => closeness(b) - closeness(a))[0];
  return withDetails(rule, { status: 'FAIL', reason: null, vars: representative ?? vars, judged: failed.map((v) => evidence(rule, v)) }, deps, budget);
}

/** The collection error behind the first recorder whose facts are missing: an ERROR over `recorders` is fixed by granting that read. */
function unreadRecorderCause(vars: Record<string, unknown>, snapshot: Snapshot): CollectionError | undefined {
  for (const r of (vars.recorders as Record<string, unknown>[] | undefined) ?? []) {
    for (const path of ['recorder.recording', 'recorder.eventSelectors']) {
      if (FACTS[path]!.missing(r)) {
        const cause = causeOfMissing(path, r, snapshot.errors);
        if (cause) return cause;
      }
    }
  }
  return undefined;
}

function readsRecorders(rule: Rule): boolean {
  return /(?<![\w.])recorders\b/.test(`${rule.when ?? ''} ${rule.assert}`.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
}

/** On a FAIL, the rule's `details` expression says exactly what is wrong; it never changes the verdict. */
function withDetails(rule: Rule, verdict: Verdict, deps: HelperDeps, budget: EvaluationBudget): Verdict {
  if (verdict.status !== 'FAIL' || !rule.compiled.details) return verdict;
  let value: unknown;
  try {
    value = rule.compiled.details.evaluate(verdict.vars, deps, budget);
  } catch (err) {
    // A details expression that runs away spends the rule's budget: judge() makes the finding ERROR.
    if (err instanceof BudgetExceeded) return verdict;
    value = [`(details unavailable: ${cannotJudgeReason(err) ?? (err as Error).message.split('\n')[0]})`];
  }
  const details = (Array.isArray(value) ? value : [value]).map((v) => capText(typeof v === 'string' ? v : JSON.stringify(v)));
  return { ...verdict, vars: { ...verdict.vars, details }, details };
}

/** How far a trail got: multi-region, logging, delivering to an existing log group. */
function closeness(vars: Record<string, unknown>): number {
  const t = vars.trail as { isMultiRegionTrail?: boolean; status?: { isLogging?: boolean } | null } | undefined;
  const g = vars.logGroup as { exists?: boolean | null } | null | undefined;
  const r = vars.recorder as { multiRegion?: boolean | null; recording?: boolean | null } | undefined;
  return (t?.isMultiRegionTrail ? 1 : 0) + (t?.status?.isLogging ? 1 : 0) + (g?.exists ? 2 : 0) + (r?.multiRegion ? 1 : 0) + (r?.recording ? 1 : 0);
}

/** The facts a verdict read: every `variable.field` its expressions name, with its value. */
/** The facts each rule's expressions read (`owner.property`), found once per rule, not per finding. */
const evidenceRefs = new WeakMap<Rule, [owner: string, property: string][]>();

function refsOf(rule: Rule): [owner: string, property: string][] {
  let refs = evidenceRefs.get(rule);
  if (!refs) {
    const text = `${rule.when ?? ''} ${rule.assert}`.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    refs = [...text.matchAll(/(?<![\w.])(trail|bucket|key|topic|logGroup|stream|eventDataStore|recorder|account|region|organization|params)\.([a-zA-Z_]\w*)/g)].map((m) => [m[1]!, m[2]!]);
    evidenceRefs.set(rule, refs);
  }
  return refs;
}

function evidence(rule: Rule, vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, property] of refsOf(rule)) {
    const owner = vars[name];
    if (owner && typeof owner === 'object') out[`${name}.${property}`] = (owner as Record<string, unknown>)[property] ?? null;
    else out[name] = owner ?? null;
  }
  const trail = vars.trail as { arn?: string } | undefined;
  const recorder = vars.recorder as { arn?: string; kind?: string } | undefined;
  if (rule.forAny === 'trails' && trail?.arn) out.trailArn = trail.arn;
  if (rule.forAny === 'recorders' && recorder?.arn) {
    out.recorderArn = recorder.arn;
    out.recorderKind = recorder.kind ?? null;
  }
  return out;
}

// What toFinding writes into a message is capped as it goes in (render caps each placeholder);
// buildReport caps every string of the report as a whole.
function toFinding(rule: Rule, subject: Subject, verdict: Verdict, ctx: FixContext): Finding {
  const vars = verdict.vars;
  const fix = verdict.status === 'FAIL' || verdict.status === 'ERROR' ? fixFor(rule, subject, verdict.status, vars, verdict.cause, ctx) : null;
  const name = capText(subject.resource.name);
  const message =
    verdict.status === 'PASS'
      ? render(rule.message.pass, vars)
      : verdict.status === 'FAIL'
        ? render(rule.message.fail, vars) + (verdict.judged ? judgedSuffix(verdict.judged, rule.forAny === 'recorders') : '')
        : verdict.status === 'NOT_APPLICABLE'
          ? `Not applicable to ${name}.`
          : `Could not judge ${name}: ${capText(verdict.reason ?? '')}`;
  return {
    fingerprint: fingerprint(rule.id, subject.resource),
    ruleId: rule.id,
    title: rule.title,
    severity: rule.severity,
    status: verdict.status,
    waiver: null,
    accountId: subject.accountId,
    accountName: subject.accountName,
    region: subject.region,
    resource: subject.resource,
    message,
    frameworks: rule.frameworks,
    // Nothing to fix on a PASS or NOT_APPLICABLE: leaving it out keeps a 1,000-account report.json
    // to a fraction of its size (remediation was 60% of its bytes; docs/performance.md).
    // An ERROR that names what could not be read is fixed by granting it, not by the FAIL's fix.
    remediation: fix?.remediation
      ? fix.remediation
      : verdict.status === 'FAIL' || verdict.status === 'ERROR'
        ? {
            summary: render(rule.remediation.summary, vars),
            console: rule.remediation.console.map((c) => render(c, vars)),
            cli: render(rule.remediation.cli, vars),
            terraform: render(rule.remediation.terraform, vars),
            cloudformation: render(rule.remediation.cloudformation, vars),
          }
        : null,
    fixedOn: fix?.fixedOn ?? null,
    evidence:
      verdict.status === 'NOT_APPLICABLE'
        ? {}
        : verdict.judged
          ? {
              ...withoutItemFacts(evidence(rule, vars)),
              [rule.forAny === 'recorders' ? 'recordersJudged' : 'trailsJudged']: verdict.judged,
              ...(verdict.details ? { details: verdict.details } : {}),
            }
          : { ...evidence(rule, vars), ...(verdict.details ? { details: verdict.details } : {}) },
  };
}

function judgedSuffix(judged: Record<string, unknown>[], recorders = false): string {
  if (!judged.length) return recorders ? ' No trail or event data store covers it.' : ' No trail covers it.';
  const arns = judged.map((j) => capText(String(j.trailArn ?? j.recorderArn ?? j['trail.arn'] ?? '?')));
  const what = recorders ? 'Trails and event data stores' : 'Trails';
  return ` ${what} judged (${arns.length}), none passing: ${arns.slice(0, 5).join(', ')}${arns.length > 5 ? `, and ${arns.length - 5} more` : ''}; the evidence lists each one's facts.`;
}

/** On a forAny FAIL the per-item facts belong to each judged item, not to the subject. */
function withoutItemFacts(e: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e).filter(([k]) => !/^(trail|logGroup|bucket|key|topic|recorder)\.|^(trailArn|recorderArn|recorderKind)$/.test(k)));
}
