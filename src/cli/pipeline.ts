// The evaluate -> report -> gate half of a run, shared by `scan` and `evaluate`.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, loadConfig, type Config } from '../config/config.js';
import { evaluate, selectRules } from '../engine/evaluate.js';
import { loadRules, type Rule, type RulesPack } from '../engine/load.js';
import { SEVERITIES, type Severity } from '../engine/rule-schema.js';
import type { Finding } from '../findings/finding.js';
import type { Snapshot } from '../inventory/schema.js';
import { DEFAULT_FORMATS, REPORT_FORMATS, reportFormat } from '../report/formats/index.js';
import { buildReport, type Report } from '../report/report.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { TOOL_VERSION } from '../version.js';
import { EXIT, UsageError } from './errors.js';

export const BUILTIN_RULES = fileURLToPath(new URL('../../rules/', import.meta.url));

export interface EvaluationFlags {
  config?: string;
  rules?: string[];
  framework?: string;
  format?: string[];
  failOn?: string;
  allowIncomplete?: boolean;
}

export interface Prepared {
  config: Config;
  pack: RulesPack;
  formats: string[];
  failOn: Severity;
}


/** Everything that can be wrong with the inputs is found here, before any scan or write. */
export async function prepare(flags: EvaluationFlags, cwd: string): Promise<Prepared> {
  const formats = [...new Set(flags.format?.length ? flags.format : DEFAULT_FORMATS)];
  const available = REPORT_FORMATS.map((f) => f.name);
  for (const f of formats) if (!available.includes(f)) throw new UsageError(`--format: "${f}" is not available (available: ${available.join(', ')})`);
  const failOn = (flags.failOn ?? 'high') as Severity;
  if (!SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on: "${flags.failOn}" is not a severity (${SEVERITIES.join(', ')})`);
  const config = flags.config ? await loadConfig(resolve(cwd, flags.config)) : DEFAULT_CONFIG;
  const pack = await loadRules([BUILTIN_RULES, ...(flags.rules ?? []).map((d) => resolve(cwd, d))]);
  if (flags.framework && !selectRules(pack.rules, { framework: flags.framework, config }).length) {
    const known = [...new Set(pack.rules.flatMap((r) => Object.keys(r.frameworks)))].sort();
    throw new UsageError(`--framework: no rule maps to "${flags.framework}" (known: ${known.join(', ')})`);
  }
  return { config, pack, formats, failOn };
}

export interface Outcome {
  report: Report;
  findings: Finding[];
  snapshot: Snapshot;
  /** The rules that were evaluated (after config switches and --framework). */
  rules: Rule[];
}

export function evaluateSnapshot(snapshot: Snapshot, prepared: Prepared, framework: string | undefined, now: Date): Outcome {
  const findings = evaluate(snapshot, prepared.pack.rules, { now, config: prepared.config, framework });
  const rules = selectRules(prepared.pack.rules, { config: prepared.config, framework });
  const report = buildReport({
    snapshot,
    findings,
    toolVersion: TOOL_VERSION,
    generatedAt: now,
    rulesPack: { sha256: prepared.pack.sha256, rules: rules.length },
    framework: framework ?? null,
  });
  return { report, findings, snapshot, rules };
}

/** Renders every format before writing any, so a renderer that throws leaves no partial set. */
export async function writeReports(outDir: string, outcome: Outcome, formats: string[]): Promise<string[]> {
  const rendered: [string, string][] = [];
  for (const name of formats) {
    const format = reportFormat(name);
    if (!format) throw new UsageError(`--format: "${name}" is not available`);
    rendered.push([resolve(outDir, format.file), await format.render(outcome)]);
  }
  for (const [path, text] of rendered) await writeFileAtomic(path, text);
  return rendered.map(([path]) => path);
}

const rank = (s: Severity) => SEVERITIES.length - SEVERITIES.indexOf(s);

/** Exit code and the one line that says why (architecture.md: 0 clean, 1 gate failed, 3 incomplete). */
export function gate(outcome: Outcome, snapshot: Snapshot, failOn: Severity, allowIncomplete: boolean): { code: number; line: string } {
  const failing = outcome.findings.filter((f) => f.status === 'FAIL' && !f.waiver && rank(f.severity) >= rank(failOn));
  if (failing.length) {
    const worst = [...failing].sort((a, b) => rank(b.severity) - rank(a.severity))[0]!;
    return { code: EXIT.gateFailed, line: `exit 1: ${failing.length} finding(s) FAIL at or above ${failOn}, e.g. ${worst.ruleId} on ${worst.resource.name} (${worst.severity})` };
  }
  const errors = outcome.findings.filter((f) => f.status === 'ERROR').length;
  const unscanned = snapshot.accounts.filter((a) => a.status === 'error').length;
  if ((errors || unscanned || !snapshot.complete) && !allowIncomplete) {
    return { code: EXIT.incomplete, line: `exit 3: the gate passed but the scan is incomplete (${errors} ERROR finding(s), ${unscanned} account(s) not scanned); --allow-incomplete accepts it` };
  }
  return { code: EXIT.ok, line: `exit 0: no FAIL at or above ${failOn}` };
}
