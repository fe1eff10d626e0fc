// report.md: a short summary for pull-request comments and GitHub job summaries
// ($GITHUB_STEP_SUMMARY). Names come from the scanned organization, so every piece of report text
// is escaped before it reaches a table: it can neither break a row (|, line breaks) nor inject
// HTML or mentions. Tables are capped so the page stays far below GitHub's 1 MiB summary limit.
import type { Report } from '../report.js';
import { compareFindings, SEVERITY_ORDER } from './shared.js';
import type { RenderInput, ReportFormat } from './types.js';

type Finding = Report['findings'][number];

export const MAX_FAIL_ROWS = 100;
export const MAX_ERROR_ROWS = 50;
export const MAX_ACCOUNT_ROWS = 50;
export const MAX_ACTION_ROWS = 10;
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
function actionsTable(actions: NonNullable<Report['actions']>): string {
  const severities = (a: (typeof actions)[number]) =>
    SEVERITY_ORDER.filter((s) => a.bySeverity[s] > 0).map((s) => `${a.bySeverity[s]} ${s}`).join(', ');
  return (
    table(
      ['#', 'Action', 'Impact', 'Resolves', 'Severity', 'Accounts'],
      actions.slice(0, MAX_ACTION_ROWS).map((a, i) => [
        String(i + 1),
        mdCell(a.title),
        String(a.impact),
        `${a.findings.length} (${a.byStatus.FAIL} FAIL, ${a.byStatus.ERROR} ERROR; ${a.rules.length} rule${a.rules.length === 1 ? '' : 's'})`,
        severities(a),
        String(a.accounts.length),
      ]),
    ) +
    (actions.length > MAX_ACTION_ROWS ? `\n\n…and ${actions.length - MAX_ACTION_ROWS} more actions (see report.json or report.html for all of them).` : '') +
    '\n\nImpact: the severity-weighted findings an action resolves (critical 10, high 5, medium 3, low 1).'
  );
}

function resourceCell(f: Finding): string {
  return `${mdCell(f.resource.name)}<br>${mdCell(f.resource.arn ?? f.resource.id)}`;
}

export function renderMarkdown({ report }: RenderInput): string {
  const sorted = [...report.findings].sort(compareFindings);
  const fails = sorted.filter((f) => f.status === 'FAIL' && !f.waiver);
  const waived = sorted.filter((f) => f.status === 'FAIL' && f.waiver);
  const errors = sorted.filter((f) => f.status === 'ERROR');
  const notScanned = report.accounts.filter((a) => a.status !== 'scanned');
  const { byStatus, bySeverity, accounts } = report.summary;
  const scope = report.scope.organizationId ? `organization ${mdCell(report.scope.organizationId)}` : 'a single account (no organization)';

  const parts = [
    `## trailwarden: ${verdict(report)}`,
    `trailwarden ${mdCell(report.tool.version)} · rules pack \`${report.rulesPack.sha256.slice(0, 12)}\` (${report.rulesPack.rules} rules${report.framework ? `, ${mdCell(report.framework)} only` : ''}) · ${scope} · regions ${report.scope.regions.map((r) => mdCell(r)).join(', ') || 'none'} · evaluated ${mdCell(report.generatedAt)} · snapshot ${mdCell(report.snapshotTakenAt)}`,
    table(['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE', 'waived'], [[String(byStatus.FAIL - waived.length), String(byStatus.ERROR), String(byStatus.PASS), String(byStatus.NOT_APPLICABLE), String(waived.length)]]),
    table(['critical', 'high', 'medium', 'low', 'informational'], [[bySeverity.critical, bySeverity.high, bySeverity.medium, bySeverity.low, bySeverity.informational].map(String)]) + '\n\nFAIL findings by severity (waived ones included).',
    `### Accounts\n\n${accounts.scanned} scanned, ${accounts.skipped} skipped, ${accounts.error} not scanned (error).`,
  ];
  if (report.actions?.length) parts.splice(2, 0, `### Fix these first (${report.actions.length} actions)`, actionsTable(report.actions));
  if (notScanned.length) {
    parts.push(
      table(
        ['Account', 'Name', 'Status', 'Reason'],
        notScanned.slice(0, MAX_ACCOUNT_ROWS).map((a) => [mdCell(a.id), mdCell(a.name), a.status === 'error' ? 'not scanned' : 'skipped', mdCell(a.reason ?? '')]),
      ) + more(notScanned.length - MAX_ACCOUNT_ROWS, 'accounts'),
    );
  }
  parts.push(`### Failing checks (${fails.length})`);
  parts.push(
    fails.length
      ? table(
          ['Severity', 'Rule', 'Account', 'Region', 'Resource', 'Message'],
          fails.slice(0, MAX_FAIL_ROWS).map((f) => [f.severity, `\`${f.ruleId}\``, `${mdCell(f.accountName)} (${mdCell(f.accountId)})`, mdCell(f.region ?? 'global'), resourceCell(f), mdCell(f.message)]),
        ) + more(fails.length - MAX_FAIL_ROWS, 'failing checks')
      : 'None.',
  );
  parts.push(`### Could not judge (${errors.length} ERROR)`);
  parts.push(
    errors.length
      ? table(
          ['Rule', 'Account', 'Region', 'Resource', 'Reason'],
          errors.slice(0, MAX_ERROR_ROWS).map((f) => [`\`${f.ruleId}\``, `${mdCell(f.accountName)} (${mdCell(f.accountId)})`, mdCell(f.region ?? 'global'), resourceCell(f), mdCell(f.message)]),
        ) + more(errors.length - MAX_ERROR_ROWS, 'ERROR findings')
      : 'None: every fact the rules needed was seen.',
  );
  if (waived.length) {
    parts.push(`### Waived (${waived.length})`);
    parts.push(
      table(
        ['Rule', 'Resource', 'Reason', 'Owner', 'Expires'],
        waived.slice(0, MAX_ERROR_ROWS).map((f) => [`\`${f.ruleId}\``, resourceCell(f), mdCell(f.waiver!.reason), mdCell(f.waiver!.owner), mdCell(f.waiver!.expires)]),
      ) + more(waived.length - MAX_ERROR_ROWS, 'waived findings'),
    );
  }
  const outcome = report.waivers;
  if (outcome) {
    parts.push(
      `Waivers file ${mdCell(outcome.file)}: ${outcome.total} waiver(s), ${outcome.applied} FAIL(s) waived; ${outcome.expired.length} expired, ${outcome.unmatched.length} match nothing, ${outcome.matchedErrors.length} name ERROR findings (which stay ERROR).`,
    );
    if (outcome.expired.length) {
      parts.push(
        table(
          ['Expired waiver', 'Rule', 'Resource', 'Owner', 'Expired'],
          outcome.expired.slice(0, MAX_ACCOUNT_ROWS).map((w) => [w.line === null ? '' : `line ${w.line}`, mdCell(w.rule), mdCell(w.resource), mdCell(w.owner), mdCell(w.expires)]),
        ) + more(outcome.expired.length - MAX_ACCOUNT_ROWS, 'expired waivers'),
      );
    }
  }
  return `${parts.join('\n\n')}\n`;
}

export const markdownFormat: ReportFormat = {
  name: 'md',
  file: 'report.md',
  render: renderMarkdown,
};
