// report.html: one self-contained file for people. The template (templates/report.hbs) renders
// the executive summary and the framework view; the page's script renders the heatmap, the
// coverage map and the findings from the embedded data. No network: CSS and script are inline
// and allowed by their SHA-256 hashes in a Content-Security-Policy whose default is 'none'.
import { FRAMEWORK_NAMES } from '../../engine/docs.js';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { SEVERITIES } from '../../engine/rule-schema.js';
import { STATUSES } from '../../findings/finding.js';
import { complianceFrameworks, type FrameworkCompliance } from '../compliance.js';
import { scriptSafeJsonChunks } from './html-encode.js';
import { historyView } from './html-history.js';
import { integritySummary } from './html-integrity.js';
import { collectPageFindings, frameworkTree, pageData, postureScore, SCORE_WEIGHTS, severityMatrix, type Score } from './html-view.js';
import { evaluatedReport, type EvaluatedReport } from '../report.js';
import type { RenderInput, ReportFormat } from './types.js';

const TEMPLATES = new URL('../../../templates/', import.meta.url);

interface Templates {
  page: Handlebars.TemplateDelegate;
  css: string;
  js: string;
}

let cached: Templates | null = null;

function templates(): Templates {
  if (cached) return cached;
  const read = (name: string) => readFileSync(new URL(name, TEMPLATES), 'utf8');
  const css = read('report.css');
  const js = read('report.js');
  // The inline blocks are inserted verbatim: they must not be able to close their own element.
  if (/<\/style/i.test(css)) throw new Error('templates/report.css must not contain "</style"');
  if (/<\/script|<!--/i.test(js)) throw new Error('templates/report.js must not contain "</script" or "<!--"');
  const hbs = Handlebars.create();
  const page = hbs.compile(read('report.hbs'), { strict: true, noEscape: false });
  cached = { page, css, js };
  return cached;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Nothing may load: no fetch, image, font, frame, form target or base URL; only the two inline blocks run. */
export function contentSecurityPolicy(css: string, js: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(js)}`,
    `style-src ${sha256(css)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const percent = (s: Score) => (s.percent === null ? '—' : `${s.percent.toFixed(1)}%`);
const scoreView = (label: string, s: Score) => ({
  label,
  ...s,
  display: percent(s),
  meter: s.percent ?? 0,
  hasScore: s.percent !== null,
});

const frameworkLabel = (id: string) => (FRAMEWORK_NAMES[id] ? `${FRAMEWORK_NAMES[id]} (${id})` : id);

/** At most this many FAIL/ERROR accounts are named in a control's summary row; the rest are counted. */
const NAMED_ACCOUNTS = 3;

/**
 * A framework's control summary: every control of its list (NOT_COVERED ones too) with title,
 * status and its findings collapsed to counts per account, small enough to print and file.
 */
function controlSummary(fw: FrameworkCompliance | undefined) {
  if (!fw) return null;
  return {
    scope: fw.scope,
    counts: Object.entries(fw.controlCounts).filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status.replace('_', ' ')}`).join(' · '),
    controls: fw.controls.map((c) => {
      const byStatus = new Map<string, number>();
      // Made at each read (compliance.ts): read once.
      const accounts = c.accounts;
      for (const a of accounts) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
      const flagged = accounts.filter((a) => a.status === 'FAIL' || a.status === 'ERROR');
      const named = flagged.slice(0, NAMED_ACCOUNTS).map((a) => `${a.accountName} (${a.accountId}): ${a.counts.FAIL ? `${a.counts.FAIL} FAIL` : `${a.counts.ERROR} ERROR`}`);
      if (flagged.length > NAMED_ACCOUNTS) named.push(`${flagged.length - NAMED_ACCOUNTS} more`);
      return {
        id: c.id,
        title: c.title ?? '(not in the framework\'s control list)',
        status: c.status.replace('_', ' '),
        statusClass: ['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE'].includes(c.status) ? c.status : 'none',
        accounts: c.status === 'NOT_COVERED' ? c.notCovered : [...byStatus].map(([s, n]) => `${n} ${s.replace('_', ' ')}`).join(' · '),
        named: named.join('; '),
        rules: c.rules.join(', '),
      };
    }),
  };
}

export function renderHtml(input: RenderInput): string {
  return [...htmlChunks(input)].join('');
}

/**
 * report.html as chunks: the page around its data, rendered with a placeholder where the data
 * goes, then the data a piece at a time (html-encode.ts). The placeholder is random per page, so
 * no report text can imitate it.
 */
export function* htmlChunks(given: RenderInput): Generator<string> {
  const input = { ...given, report: evaluatedReport(given.report) };
  const [head, tail] = page(input);
  yield head;
  yield* scriptSafeJsonChunks(pageData(input));
  yield tail;
}

/**
 * The page before and after its data. A function of its own so that what only the template
 * needs is gone before the data is written: the compliance view counts every control per account
 * (millions of counts at 10,000 accounts).
 */
function page(input: RenderInput & { report: EvaluatedReport }): [head: string, tail: string] {
  const { report, snapshot } = input;
  const t = templates();
  const placeholder = `\u0000page-data-${randomBytes(16).toString('hex')}\u0000`;
  const frameworks = frameworkTree(input);
  // Each framework's control summary from its view, one view at a time (see complianceFrameworks).
  const compliance = complianceFrameworks(input);
  const summaries = new Map(compliance.ids.map((id) => [id, controlSummary(compliance.view(id))]));
  const context = {
    title: `CloudTrail audit — ${report.scope.organizationId ?? report.scope.managementAccountId ?? snapshot.caller.accountId}`,
    csp: contentSecurityPolicy(t.css, t.js),
    css: t.css,
    js: t.js,
    data: placeholder,
    report,
    regions: report.scope.regions.join(', ') || '—',
    complete: snapshot.complete,
    incompleteReason: snapshot.incompleteReason,
    roleName: snapshot.scope.roleName,
    // The headline names what it scores: one framework under --framework, else every rule of the pack.
    overall: scoreView(report.framework ? frameworkLabel(report.framework) : 'All rules (no single framework)', postureScore(report.findings.heads())),
    frameworkScores: frameworks.map((f) => scoreView(frameworkLabel(f.id), f.score)),
    statuses: STATUSES.map((s) => ({ status: s, count: report.summary.byStatus[s] })),
    findingsTotal: report.findings.length,
    severityMatrix: severityMatrix(report.findings.heads()).map((row) => ({ ...row, cells: STATUSES.map((s) => row.counts[s]) })),
    statusHeaders: STATUSES,
    weights: SEVERITIES.map((s) => ({ severity: s, weight: SCORE_WEIGHTS[s] })),
    logIntegrity: integritySummary(snapshot, report),
    history: historyView(input.history, report.framework),
    ...actionsView(report),
    unscanned: report.accounts.filter((a) => a.status !== 'scanned'),
    waivers: report.waivers ?? null,
    waiverGroups: report.waivers
      ? [
          { label: 'Expired: they no longer apply', items: report.waivers.expired },
          { label: 'Unmatched: they match no FAIL finding (fixed, gone or mistyped)', items: report.waivers.unmatched },
          { label: 'Matching ERROR findings, which they do not hide', items: report.waivers.matchedErrors },
        ]
      : [],
    frameworks: frameworks.map((f) => ({
      ...f,
      name: FRAMEWORK_NAMES[f.id] ?? null,
      summary: summaries.get(f.id) ?? null,
      score: scoreView(f.id, f.score),
      controls: f.controls.map((c) => ({
        ...c,
        verdictLabel: c.verdict ?? 'NO FINDINGS',
        verdictClass: c.verdict ?? 'none',
        rules: c.rules.map((r) => ({ ...r, cells: STATUSES.map((s) => r.counts[s]), verdictLabel: r.verdict ?? 'NO FINDINGS', verdictClass: r.verdict ?? 'none' })),
      })),
    })),
  };
  const text = t.page(context);
  const at = text.indexOf(placeholder);
  if (at < 0 || text.indexOf(placeholder, at + placeholder.length) >= 0) throw new Error('templates/report.hbs must embed {{{data}}} exactly once');
  return [text.slice(0, at), text.slice(at + placeholder.length)];
}

export const MAX_HTML_ACTIONS = 25;
export const MAX_ACTION_FINDINGS = 50;

/** The fix plan, first in the page: each action expands to the findings it resolves. */
function actionsView(report: EvaluatedReport) {
  const all = report.actions ?? [];
  // An action's findings are FAIL or ERROR: the notable ones, held in memory. Only those the page
  // lists are looked up (at most MAX_HTML_ACTIONS x MAX_ACTION_FINDINGS), not every notable one.
  const listed = new Set(all.slice(0, MAX_HTML_ACTIONS).flatMap((a) => a.findings.slice(0, MAX_ACTION_FINDINGS)));
  const byFingerprint = new Map<string, (typeof report.findings.notable)[number]>();
  // One at a time: a spilled run has 200,000 of them, not all to be made at once for a few hundred.
  for (const f of report.findings.notables()) if (listed.has(f.fingerprint)) byFingerprint.set(f.fingerprint, f);
  return {
    actionsTotal: all.length,
    actionsMore: all.length > MAX_HTML_ACTIONS,
    actions: all.slice(0, MAX_HTML_ACTIONS).map((a) => ({
      ...a,
      findingsCount: a.findings.length,
      accountsCount: a.accounts.length,
      severities: SEVERITIES.filter((s) => a.bySeverity[s] > 0).map((s) => ({ severity: s, count: a.bySeverity[s] })),
      items: a.findings.slice(0, MAX_ACTION_FINDINGS).flatMap((fp) => {
        const f = byFingerprint.get(fp);
        return f ? [{ status: f.status, severity: f.severity, ruleId: f.ruleId, accountName: f.accountName, accountId: f.accountId, resourceName: f.resource.name }] : [];
      }),
      more: Math.max(0, a.findings.length - MAX_ACTION_FINDINGS),
    })),
  };
}

export const htmlFormat: ReportFormat = {
  name: 'html',
  file: 'report.html',
  render: htmlChunks,
  collect: collectPageFindings,
};
