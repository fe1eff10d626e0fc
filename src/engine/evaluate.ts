// evaluate(snapshot, rules, options) -> findings. Pure and synchronous: no I/O, no clock (now is
// passed in), no knowledge of any rule by name. The same inputs always give the same findings.
import type { Config } from '../config/config.js';
import { DEFAULT_CONFIG } from '../config/config.js';
import { fingerprint, type Finding, type Status } from '../findings/finding.js';
import type { Snapshot } from '../inventory/schema.js';
import type { HelperDeps } from './helpers/index.js';
import { explainMissing, FACTS } from './facts.js';
import type { Rule } from './load.js';
import { render } from './template.js';
import { InventoryView, type Subject } from './view.js';

export interface EvaluateOptions {
  now: Date;
  config?: Config;
  /** Only rules mapped to this framework. */
  framework?: string;
}

type Verdict = { status: Status; reason: string | null; vars: Record<string, unknown> };

export function selectRules(rules: readonly Rule[], options: Pick<EvaluateOptions, 'config' | 'framework'>): Rule[] {
  const config = options.config ?? DEFAULT_CONFIG;
  return rules.filter((r) => config.rules[r.id]?.enabled !== false && (!options.framework || r.frameworks[options.framework]));
}

export function evaluate(snapshot: Snapshot, rules: readonly Rule[], options: EvaluateOptions): Finding[] {
  const config = options.config ?? DEFAULT_CONFIG;
  const view = new InventoryView(snapshot);
  const deps: HelperDeps = { now: options.now };
  const params = config.parameters;
  const findings: Finding[] = [];
  for (const rule of selectRules(rules, options)) {
    for (const subject of view.subjects(rule.scope)) {
      const vars: Record<string, unknown> = { ...subject.vars, params, resource: subject.resource };
      if (rule.scope === 'organization') vars.accounts = snapshot.accounts;
      const verdict = judge(rule, subject, vars, snapshot, deps);
      findings.push(toFinding(rule, subject, verdict));
    }
  }
  return findings.sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.resource.id.localeCompare(b.resource.id));
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

function run(expr: NonNullable<Rule['compiled']['when']>, vars: Record<string, unknown>, deps: HelperDeps): boolean | string {
  try {
    const value = expr.evaluate(vars, deps);
    return typeof value === 'boolean' ? value : `the expression returned ${typeof value}, not a boolean`;
  } catch (err) {
    return `the expression could not be evaluated: ${(err as Error).message.split('\n')[0]}`;
  }
}

function judge(rule: Rule, subject: Subject, vars: Record<string, unknown>, snapshot: Snapshot, deps: HelperDeps): Verdict {
  if (subject.blocked) return { status: 'ERROR', reason: subject.blocked, vars };
  if (rule.compiled.when) {
    const missing = rule.forAny ? [] : missingFacts(rule, vars, snapshot);
    const applies = run(rule.compiled.when, vars, deps);
    if (typeof applies === 'string') return { status: 'ERROR', reason: missing[0] ?? applies, vars };
    if (!applies) return { status: 'NOT_APPLICABLE', reason: null, vars };
  }
  if (!rule.forAny) {
    const missing = missingFacts(rule, vars, snapshot);
    if (missing.length) return { status: 'ERROR', reason: missing.join('; '), vars };
    const ok = run(rule.compiled.assert, vars, deps);
    if (typeof ok === 'string') return { status: 'ERROR', reason: ok, vars };
    if (!ok && subject.incomplete) return { status: 'ERROR', reason: subject.incomplete, vars };
    return { status: ok ? 'PASS' : 'FAIL', reason: null, vars };
  }
  // forAny: one item that passes is a fact seen; a FAIL needs every item judged and nothing unseen.
  const unknown: string[] = [];
  for (const item of subject.trails ?? []) {
    const itemVars = { ...vars, ...item };
    const missing = missingFacts(rule, itemVars, snapshot);
    if (missing.length) {
      unknown.push(missing.join('; '));
      continue;
    }
    const ok = run(rule.compiled.assert, itemVars, deps);
    if (ok === true) return { status: 'PASS', reason: null, vars: itemVars };
    if (typeof ok === 'string') unknown.push(`${(item.trail as { arn?: string } | undefined)?.arn ?? 'item'}: ${ok}`);
  }
  if (unknown.length) return { status: 'ERROR', reason: unknown.join('; '), vars };
  if (subject.incomplete) return { status: 'ERROR', reason: subject.incomplete, vars };
  return { status: 'FAIL', reason: null, vars };
}

/** The facts a verdict read: every `variable.field` its expressions name, with its value. */
function evidence(rule: Rule, vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const text = `${rule.when ?? ''} ${rule.assert}`.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of text.matchAll(/(?<![\w.])(trail|bucket|key|topic|logGroup|account|region|organization|params)\.([a-zA-Z_]\w*)/g)) {
    const owner = vars[m[1]!];
    if (owner && typeof owner === 'object') out[`${m[1]}.${m[2]}`] = (owner as Record<string, unknown>)[m[2]!] ?? null;
    else out[m[1]!] = owner ?? null;
  }
  const trail = vars.trail as { arn?: string } | undefined;
  if (rule.forAny && trail?.arn) out.trailArn = trail.arn;
  return out;
}

function toFinding(rule: Rule, subject: Subject, verdict: Verdict): Finding {
  const vars = verdict.vars;
  const message =
    verdict.status === 'PASS'
      ? render(rule.message.pass, vars)
      : verdict.status === 'FAIL'
        ? render(rule.message.fail, vars)
        : verdict.status === 'NOT_APPLICABLE'
          ? `Not applicable to ${subject.resource.name}.`
          : `Could not judge ${subject.resource.name}: ${verdict.reason}`;
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
    remediation: {
      summary: render(rule.remediation.summary, vars),
      console: rule.remediation.console.map((c) => render(c, vars)),
      cli: render(rule.remediation.cli, vars),
      terraform: render(rule.remediation.terraform, vars),
      cloudformation: render(rule.remediation.cloudformation, vars),
    },
    evidence: verdict.status === 'NOT_APPLICABLE' ? {} : evidence(rule, vars),
  };
}
