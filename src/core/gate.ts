// The CI gate: one exit code and the one line that says why (architecture.md; docs/gating.md).
//   0 clean · 1 a non-waived FAIL at or above --fail-on (new relative to --baseline, when given)
//   · 3 the gate passed but the scan was incomplete, unless --allow-incomplete.
// Exit 2 (bad input) never gets here: it is raised before anything is written.
import { SEVERITIES, type Severity } from '../engine/rule-schema.js';
import type { Finding } from '../findings/finding.js';
import type { Snapshot } from '../inventory/schema.js';
import { EXIT } from './errors.js';

/** What the gate reads of a finding (a spilled run keeps no more of its FAILs: findings/store.ts). */
export type GateFinding = Pick<Finding, 'fingerprint' | 'ruleId' | 'severity' | 'status' | 'waiver'> & { resource: Pick<Finding['resource'], 'name'> };

/** `none`: findings never fail the gate (an incomplete scan still exits 3). */
export const FAIL_ON = [...SEVERITIES, 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** The FAIL findings of an earlier report, by fingerprint: only FAILs outside it are new. */
export interface Baseline {
  file: string;
  failing: ReadonlySet<string>;
  /** What the baseline judged: a run of another organization is refused unless --baseline-any. */
  organizationId: string | null;
  anyScope: boolean;
}

export interface Verdict {
  code: number;
  line: string;
}

const rank = (s: Severity) => SEVERITIES.length - SEVERITIES.indexOf(s);

export function gate(
  outcome: { findings: readonly GateFinding[] },
  snapshot: Snapshot,
  failOn: FailOn,
  allowIncomplete: boolean,
  baseline: Baseline | null = null,
): Verdict {
  const findings = outcome.findings;
  const failing = failOn === 'none' ? [] : findings.filter((f) => f.status === 'FAIL' && !f.waiver && rank(f.severity) >= rank(failOn));
  const fresh = baseline ? failing.filter((f) => !baseline.failing.has(f.fingerprint)) : failing;
  const notes: string[] = [];
  if (baseline && failOn !== 'none') notes.push(`${failing.length - fresh.length} FAIL(s) at or above ${failOn} already in the baseline ${baseline.file}`);
  const waived = findings.filter((f) => f.status === 'FAIL' && f.waiver).length;
  if (waived) notes.push(`${waived} FAIL(s) waived`);
  const tail = notes.length ? `; ${notes.join('; ')}` : '';

  if (fresh.length) {
    const worst = [...fresh].sort((a, b) => rank(b.severity) - rank(a.severity))[0]!;
    const kind = baseline ? 'new finding(s)' : 'finding(s)';
    return {
      code: EXIT.gateFailed,
      line: `exit 1: ${fresh.length} ${kind} FAIL at or above ${failOn}, e.g. ${worst.ruleId} on ${worst.resource.name} (${worst.severity})${tail}`,
    };
  }

  // Incomplete: a fact the scanner could not see, whether or not a rule needed it.
  const errors = findings.filter((f) => f.status === 'ERROR').length;
  const unscanned = snapshot.accounts.filter((a) => a.status === 'error').length;
  const collection = snapshot.errors.length;
  const incomplete = errors > 0 || unscanned > 0 || collection > 0 || !snapshot.complete;
  const why = [`${errors} ERROR finding(s)`, `${unscanned} account(s) not scanned`, `${collection} collection error(s)`];
  if (!snapshot.complete) why.push(`snapshot incomplete: ${snapshot.incompleteReason ?? 'no reason recorded'}`);
  if (incomplete && !allowIncomplete) {
    return { code: EXIT.incomplete, line: `exit 3: the gate passed but the scan is incomplete (${why.join(', ')}); --allow-incomplete accepts it${tail}` };
  }
  if (incomplete) notes.push(`the scan is incomplete (${why.join(', ')}), accepted by --allow-incomplete`);
  const end = notes.length ? `; ${notes.join('; ')}` : '';
  if (failOn === 'none') {
    const fails = findings.filter((f) => f.status === 'FAIL').length;
    return { code: EXIT.ok, line: `exit 0: --fail-on none: findings do not fail the gate (${fails} FAIL)${end}` };
  }
  return { code: EXIT.ok, line: `exit 0: no ${baseline ? 'new ' : ''}FAIL at or above ${failOn}${end}` };
}
