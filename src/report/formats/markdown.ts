// report.md: a short summary for pull-request comments and GitHub job summaries
// ($GITHUB_STEP_SUMMARY). Names come from the scanned organization, so every piece of report text
// is escaped before it reaches a table: it can neither break a row (|, line breaks) nor inject
// HTML or mentions. Tables are capped, and shrunk further when needed, so the page stays under
// GitHub's 65,536-character comment limit (and far below the 1 MiB job-summary limit).
import type { Report } from '../report.js';
import { SCORE_WEIGHTS } from '../../findings/weights.js';
import { compareFindings, SEVERITY_ORDER } from './shared.js';
import type { History } from '../history.js';
import { notableOnly, type RenderInput, type ReportFormat } from './types.js';

type Finding = Report['findings'][number];

export const MAX_FAIL_ROWS = 100;
export const MAX_ERROR_ROWS = 50;
export const MAX_ACCOUNT_ROWS = 50;
export const MAX_ACTION_ROWS = 10;
export const MAX_RULE_ROWS = 60;
/** GitHub refuses a pull-request comment longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Longest text kept in one table cell; with the row caps this bounds the page at ~0.4 MiB. */
export const MAX_CELL = 300;

/**
 * Text safe inside a GitHub-flavoured Markdown table cell: HTML metacharacters as entities,
 * Markdown punctuation backslash-escaped, `@` as an entity (no mentions), line breaks as spaces.
 */
export function mdCell(value: string, max = MAX_CELL): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const flat = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  const clipped = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  // Markdown punctuation first, so the entities added next keep their own `#`.
  return clipped
    .replace(/[\\`*_[\]{}()#|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@/g, '&#64;');
}

const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const more = (n: number, what: string) => (n > 0 ? `\n\n…and ${n} more ${what} (see report.csv or report.html for all of them).` : '');

function verdict(report: Report): string {
  const failing = report.findings.filter((f) => f.status === 'FAIL' && !f.waiver);
  const { ERROR } = report.summary.byStatus;
  const unscanned = report.summary.accounts.error;
  if (failing.length) {
    const worst = SEVERITY_ORDER.find((s) => failing.some((f) => f.severity === s));
    return `❌ **FAIL**: ${failing.length} check(s) failed (worst: ${worst})${ERROR || unscanned ? `; ${ERROR} could not be judged, ${unscanned} account(s) not scanned` : ''}`;
  }
  if (ERROR || unscanned) return `⚠️ **INCOMPLETE**: no failing check, but ${ERROR} could not be judged and ${unscanned} account(s) were not scanned`;
  return '✅ **PASS**: every applicable check passed';
}

/** The fix plan first: the few changes that resolve the most, each with what it resolves. */
function actionsTable(actions: NonNullable<Report['actions']>, max: number, cell: (v: string) => string): string {
  const severities = (a: (typeof actions)[number]) =>
    SEVERITY_ORDER.filter((s) => a.bySeverity[s] > 0).map((s) => `${a.bySeverity[s]} ${s}`).join(', ');
  return (
    table(
      ['#', 'Action', 'Impact', 'Resolves', 'Severity', 'Accounts'],
      actions.slice(0, max).map((a, i) => [
        String(i + 1),
        cell(a.title),
        String(a.impact),
        `${a.findings.length} (${a.byStatus.FAIL} FAIL, ${a.byStatus.ERROR} ERROR; ${a.rules.length} rule${a.rules.length === 1 ? '' : 's'})`,
        severities(a),
        String(a.accounts.length),
      ]),
    ) +
    (actions.length > max ? `\n\n…and ${actions.length - max} more actions (see report.json or report.html for all of them).` : '') +
    '\n\nImpact: the severity-weighted findings an action resolves (critical 10, high 5, medium 3, low 1).'
  );
}

/** Row caps of one rendering; shrunk (never below MIN_ROWS) until the page fits GITHUB_COMMENT_LIMIT. */
interface Caps {
  actions: number;
  byRule: number;
  fails: number;
  errors: number;
  accounts: number;
  waived: number;
  cell: number;
}
const FULL_CAPS: Caps = { actions: MAX_ACTION_ROWS, byRule: MAX_RULE_ROWS, fails: MAX_FAIL_ROWS, errors: MAX_ERROR_ROWS, accounts: MAX_ACCOUNT_ROWS, waived: MAX_ERROR_ROWS, cell: MAX_CELL };
const MIN_ROWS = 5;
/** The tables given up first when the page is too long: the per-finding ones before the summaries. */
const SHRINK_ORDER: (keyof Caps)[] = ['fails', 'errors', 'waived', 'accounts', 'byRule', 'actions'];

/** FAIL findings (not waived) counted by rule, the rule with the most impact first. */
function failsByRule(fails: Finding[]) {
  const rows = new Map<string, { ruleId: string; title: string; severity: Finding['severity']; count: number; accounts: Set<string> }>();
  for (const f of fails) {
    const row = rows.get(f.ruleId) ?? { ruleId: f.ruleId, title: f.title, severity: f.severity, count: 0, accounts: new Set<string>() };
    row.count++;
    row.accounts.add(f.accountId);
    rows.set(f.ruleId, row);
  }
  const weight = (r: { severity: Finding['severity']; count: number }) => SCORE_WEIGHTS[r.severity] * r.count;
  return [...rows.values()].sort((a, b) => weight(b) - weight(a) || b.count - a.count || a.ruleId.localeCompare(b.ruleId));
}

function render(report: Report, caps: Caps, cutNote: string | null, history?: History): string {
  const cell = (v: string) => mdCell(v, caps.cell);
  const sorted = [...report.findings].sort(compareFindings);
  const fails = sorted.filter((f) => f.status === 'FAIL' && !f.waiver);
  const waived = sorted.filter((f) => f.status === 'FAIL' && f.waiver);
  const errors = sorted.filter((f) => f.status === 'ERROR');
  const notScanned = report.accounts.filter((a) => a.status !== 'scanned');
  const { byStatus, bySeverity, accounts } = report.summary;
  const scope = report.scope.organizationId ? `organization ${cell(report.scope.organizationId)}` : 'a single account (no organization)';
  const resource = (f: Finding) => `${cell(f.resource.name)}<br>${cell(f.resource.arn ?? f.resource.id)}`;

  const parts = [
    `## trailwarden: ${verdict(report)}`,
    `trailwarden ${cell(report.tool.version)} · rules pack \`${report.rulesPack.sha256.slice(0, 12)}\` (${report.rulesPack.rules} rules${report.framework ? `, ${cell(report.framework)} only` : ''}) · ${scope} · regions ${report.scope.regions.map((r) => cell(r)).join(', ') || 'none'} · evaluated ${cell(report.generatedAt)} · snapshot ${cell(report.snapshotTakenAt)}`,
  ];
  const previous = history?.previous;
  if (previous) {
    const score = (p: { overall: number | null } | undefined) => (p?.overall == null ? '—' : `${p.overall.toFixed(1)}%`);
    const [before, now] = [history!.points.at(-2), history!.points.at(-1)];
    parts.push(`Since the previous run (${cell(previous.generatedAt)}, ${cell(previous.file)}): **${previous.diff.new.length} new FAIL**, ${previous.diff.resolved.length} resolved, ${previous.diff.changed.length} otherwise changed; posture score ${score(before)} → ${score(now)}.`);
  }
  if (report.actions?.length) parts.push(`### Fix these first (${report.actions.length} actions)`, actionsTable(report.actions, caps.actions, cell));
  const rules = failsByRule(fails);
  if (rules.length) {
    parts.push(
      `### FAIL by rule (${rules.length} rule${rules.length === 1 ? '' : 's'}, ${fails.length} finding${fails.length === 1 ? '' : 's'})`,
      table(
        ['Rule', 'Severity', 'FAIL', 'Accounts', 'Title'],
        rules.slice(0, caps.byRule).map((r) => [`\`${r.ruleId}\``, r.severity, String(r.count), String(r.accounts.size), cell(r.title)]),
      ) + more(rules.length - caps.byRule, 'rules'),
    );
  }
  parts.push(
    table(['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE', 'waived'], [[String(byStatus.FAIL - waived.length), String(byStatus.ERROR), String(byStatus.PASS), String(byStatus.NOT_APPLICABLE), String(waived.length)]]),
    table(['critical', 'high', 'medium', 'low', 'informational'], [[bySeverity.critical, bySeverity.high, bySeverity.medium, bySeverity.low, bySeverity.informational].map(String)]) + '\n\nFAIL findings by severity (waived ones included).',
    `### Accounts\n\n${accounts.scanned} scanned, ${accounts.skipped} skipped, ${accounts.error} not scanned (error).`,
  );
  if (notScanned.length) {
    parts.push(
      table(
        ['Account', 'Name', 'Status', 'Reason'],
        notScanned.slice(0, caps.accounts).map((a) => [cell(a.id), cell(a.name), a.status === 'error' ? 'not scanned' : 'skipped', cell(a.reason ?? '')]),
      ) + more(notScanned.length - caps.accounts, 'accounts'),
    );
  }
  parts.push(`### Failing checks (${fails.length})`);
  parts.push(
    fails.length
      ? table(
          ['Severity', 'Rule', 'Account', 'Region', 'Resource', 'Message'],
          fails.slice(0, caps.fails).map((f) => [f.severity, `\`${f.ruleId}\``, `${cell(f.accountName)} (${cell(f.accountId)})`, cell(f.region ?? 'global'), resource(f), cell(f.message)]),
        ) + more(fails.length - caps.fails, 'failing checks')
      : 'None.',
  );
  parts.push(`### Could not judge (${errors.length} ERROR)`);
  parts.push(
    errors.length
      ? table(
          ['Rule', 'Account', 'Region', 'Resource', 'Reason'],
          errors.slice(0, caps.errors).map((f) => [`\`${f.ruleId}\``, `${cell(f.accountName)} (${cell(f.accountId)})`, cell(f.region ?? 'global'), resource(f), cell(f.message)]),
        ) + more(errors.length - caps.errors, 'ERROR findings')
      : 'None: every fact the rules needed was seen.',
  );
  if (waived.length) {
    parts.push(`### Waived (${waived.length})`);
    parts.push(
      table(
        ['Rule', 'Resource', 'Reason', 'Owner', 'Expires'],
        waived.slice(0, caps.waived).map((f) => [`\`${f.ruleId}\``, resource(f), cell(f.waiver!.reason), cell(f.waiver!.owner), cell(f.waiver!.expires)]),
      ) + more(waived.length - caps.waived, 'waived findings'),
    );
  }
  const outcome = report.waivers;
  if (outcome) {
    parts.push(
      `Waivers file ${cell(outcome.file)}: ${outcome.total} waiver(s), ${outcome.applied} FAIL(s) waived; ${outcome.expired.length} expired, ${outcome.unmatched.length} match nothing, ${outcome.matchedErrors.length} name ERROR findings (which stay ERROR).`,
    );
    if (outcome.expired.length) {
      parts.push(
        table(
          ['Expired waiver', 'Rule', 'Resource', 'Owner', 'Expired'],
          outcome.expired.slice(0, caps.accounts).map((w) => [w.line === null ? '' : `line ${w.line}`, cell(w.rule), cell(w.resource), cell(w.owner), cell(w.expires)]),
        ) + more(outcome.expired.length - caps.accounts, 'expired waivers'),
      );
    }
  }
  if (cutNote) parts.push(cutNote);
  return `${parts.join('\n\n')}\n`;
}

/** Length as GitHub counts a comment: characters (code points), not bytes. */
const chars = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * report.md: the actions first, then the FAILs counted by rule, then the counts and the tables.
 * It stays under GitHub's 65,536-character comment limit: when the full page is longer, the
 * per-finding tables give up rows first (then cells are clipped shorter), and a closing line
 * says what was cut and where the rest is.
 */
export function renderMarkdown({ report: given, history }: RenderInput): string {
  // The page names FAIL and ERROR findings only; its counts come from the summary.
  const report = notableOnly(given);
  const full = render(report, FULL_CAPS, null, history);
  if (chars(full) <= GITHUB_COMMENT_LIMIT) return full;
  const caps = { ...FULL_CAPS };
  const note = () => {
    const cut = SHRINK_ORDER.filter((k) => caps[k] < FULL_CAPS[k]).map((k) => `${CAP_NAMES[k]} to ${caps[k]} rows`);
    if (caps.cell < FULL_CAPS.cell) cut.push(`cells to ${caps.cell} characters`);
    return `*Shortened to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character comment limit: ${cut.join(', ')}. report.json, report.csv and report.html have every finding.*`;
  };
  for (;;) {
    const k = SHRINK_ORDER.find((key) => caps[key] > MIN_ROWS);
    if (k) caps[k] = Math.max(MIN_ROWS, Math.floor(caps[k] / 2));
    else if (caps.cell > 40) caps.cell = Math.floor(caps.cell / 2);
    else return render(report, caps, note(), history); // the fixed parts alone: as short as it gets
    const md = render(report, caps, note(), history);
    if (chars(md) <= GITHUB_COMMENT_LIMIT) return md;
  }
}

const CAP_NAMES: Record<keyof Caps, string> = { actions: 'actions', byRule: 'FAIL by rule', fails: 'failing checks', errors: 'ERROR findings', accounts: 'accounts', waived: 'waived findings', cell: 'cells' };

export const markdownFormat: ReportFormat = {
  name: 'md',
  file: 'report.md',
  render: renderMarkdown,
};
