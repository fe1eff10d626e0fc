// report.csv: one row per finding, for spreadsheets and ticket imports. RFC 4180 (CRLF line
// ends, quoted fields where needed). Every cell that a spreadsheet would read as a formula is
// neutralized: account and resource names come from the scanned organization, so they are
// attacker-controlled text as far as the person opening the file is concerned.
import type { Report } from '../report.js';
import { chunked, compareFindings, compareText } from './shared.js';
import { inMemory, type RenderInput, type ReportFormat } from './types.js';

type Finding = Report['findings'][number];

/** The column set, in order; the header row is these names. */
export const CSV_COLUMNS = [
  'status',
  'severity',
  'rule_id',
  'title',
  'account_id',
  'account_name',
  'ou_path',
  'region',
  'resource_type',
  'resource_id',
  'resource_arn',
  'resource_name',
  'message',
  'risk',
  'remediation_summary',
  'remediation_cli',
  'references',
  'resource_tags',
  'frameworks',
  'waived',
  'waiver_reason',
  'waiver_owner',
  'waiver_expires',
  'fingerprint',
  // CSV has no header block: the report's provenance is repeated on every row.
  'generated_at',
  'tool_version',
  'rules_pack_sha256',
  'organization_id',
] as const;

/** A cell starting with one of these is taken as a formula (or DDE) by Excel, LibreOffice and Sheets. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes a single quote so the cell is shown as text, never evaluated. */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, and quotes inside are doubled. */
export function csvField(value: string): string {
  const safe = neutralizeFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function frameworksCell(frameworks: Record<string, string[]>): string {
  return Object.entries(frameworks)
    .sort(([a], [b]) => compareText(a, b))
    .map(([framework, controls]) => `${framework}:${controls.join('|')}`)
    .join('; ');
}

interface Context {
  ouPaths: Map<string, string>;
  rules: Map<string, { rationale: string; references: string[] }>;
  tags: Map<string, Record<string, string> | null>;
}

const tagsCell = (tags: Record<string, string> | null | undefined): string =>
  tags ? Object.entries(tags).sort(([a], [b]) => compareText(a, b)).map(([k, v]) => `${k}=${v}`).join('; ') : '';

/** The tags of what the finding is about: a trail's (also for its log streams), an account's. */
function resourceTags(ctx: Context, f: Finding): string {
  if (f.resource.type === 'trail' || f.resource.type === 'log-stream') return tagsCell(ctx.tags.get(f.resource.arn ?? ''));
  if (f.resource.type === 'account' || f.resource.type === 'account-region') return tagsCell(ctx.tags.get(f.accountId));
  return '';
}

function row(report: Report, ctx: Context, f: Finding): string[] {
  const rule = ctx.rules.get(f.ruleId);
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    status: f.status,
    severity: f.severity,
    rule_id: f.ruleId,
    title: f.title,
    account_id: f.accountId,
    account_name: f.accountName,
    ou_path: ctx.ouPaths.get(f.accountId) ?? '',
    region: f.region ?? '',
    resource_type: f.resource.type,
    resource_id: f.resource.id,
    resource_arn: f.resource.arn ?? '',
    resource_name: f.resource.name,
    message: f.message,
    risk: rule?.rationale ?? '',
    remediation_summary: f.remediation?.summary ?? '',
    remediation_cli: f.remediation?.cli ?? '',
    references: rule?.references.join(' ') ?? '',
    resource_tags: resourceTags(ctx, f),
    frameworks: frameworksCell(f.frameworks),
    waived: f.waiver ? 'yes' : 'no',
    waiver_reason: f.waiver?.reason ?? '',
    waiver_owner: f.waiver?.owner ?? '',
    waiver_expires: f.waiver?.expires ?? '',
    fingerprint: f.fingerprint,
    generated_at: report.generatedAt,
    tool_version: report.tool.version,
    rules_pack_sha256: report.rulesPack.sha256,
    organization_id: report.scope.organizationId ?? '',
  };
  return CSV_COLUMNS.map((c) => cells[c]);
}

export function renderCsv(input: Pick<RenderInput, 'report' | 'snapshot' | 'rules'>): string {
  return [...csvChunks(input)].join('');
}

/** The CSV as chunks: at 10,000 accounts it is larger than one string can be. */
export function csvChunks({ report: given, snapshot, rules }: Pick<RenderInput, 'report' | 'snapshot' | 'rules'>): Iterable<string> {
  // Sorted by status first: every finding is held while the file is rendered.
  const report = inMemory(given);
  const ctx: Context = {
    ouPaths: new Map(report.accounts.map((a) => [a.id, a.ouPath])),
    rules: new Map(rules.map((r) => [r.id, { rationale: r.rationale, references: r.references }])),
    tags: new Map<string, Record<string, string> | null>([...snapshot.trails.map((t) => [t.arn, t.tags] as const), ...snapshot.accounts.map((a) => [a.id, a.tags] as const)]),
  };
  const sorted = [...report.findings].sort(compareFindings);
  return chunked(
    (function* () {
      yield `${CSV_COLUMNS.join(',')}\r\n`;
      for (const f of sorted) yield `${row(report, ctx, f).map(csvField).join(',')}\r\n`;
    })(),
  );
}

export const csvFormat: ReportFormat = {
  name: 'csv',
  file: 'report.csv',
  render: (input) => csvChunks(input),
  holdsFindings: true,
};
