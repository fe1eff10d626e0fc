// report.compliance.<framework>.csv: one file per framework for auditors, a row per control x
// account (status and finding counts), and one row per control no rule checks (NOT_COVERED,
// account "all"), so the file lists the framework's whole scope, never only what was judged.
// report.compliance.csv holds every framework's rows in one file. Cells are escaped and made
// formula-safe as in report.csv: account names come from the scanned organization.
import { complianceFrameworks, type FrameworkCompliance } from '../compliance.js';
import { frameworkCatalogue } from '../frameworks.js';
import { evaluatedReport, type EvaluatedReport } from '../report.js';
import { csvField } from './csv.js';
import { chunked } from './shared.js';
import type { RenderInput, ReportFormat } from './types.js';

export const COMPLIANCE_COLUMNS = [
  'framework',
  'control_id',
  'control_title',
  'account_id',
  'account_name',
  'status',
  'failing',
  'erroring',
  'passing',
  'not_applicable',
  'rules',
  'not_covered_reason',
  'generated_at',
  'tool_version',
  'organization_id',
] as const;

/** The account cell of a NOT_COVERED row: the control is unchecked in every account. */
export const ALL_ACCOUNTS = 'all';

const fileOf = (framework: string) => `report.compliance.${framework}.csv`;

/** A framework's rows, made one at a time: a control has a row per account (millions at 10,000 accounts). */
function* rows(report: EvaluatedReport, fw: FrameworkCompliance): Generator<string[]> {
  const provenance = [report.generatedAt, report.tool.version, report.scope.organizationId ?? ''];
  for (const c of fw.controls) {
    const head = [fw.id, c.id, c.title ?? ''];
    if (c.status === 'NOT_COVERED') {
      yield [...head, ALL_ACCOUNTS, '', c.status, '0', '0', '0', '0', '', c.notCovered ?? '', ...provenance];
      continue;
    }
    for (const a of c.accounts)
      yield [
      ...head,
      a.accountId,
      a.accountName,
      a.status,
      String(a.counts.FAIL),
      String(a.counts.ERROR),
      String(a.counts.PASS),
      String(a.counts.NOT_APPLICABLE),
        c.rules.join(' '),
        '',
        ...provenance,
      ];
  }
}

/** The CSV of these rows as chunks (report.compliance.csv is hundreds of megabytes at 10,000 accounts). */
function csvChunks(lines: Iterable<string[]>): Iterable<string> {
  return chunked(
    (function* () {
      yield `${COMPLIANCE_COLUMNS.map(csvField).join(',')}\r\n`;
      for (const r of lines) yield `${r.map(csvField).join(',')}\r\n`;
    })(),
  );
}

/** One CSV per framework of the report (only the chosen one under --framework), by file name, as chunks. */
function complianceFileChunks({ report: given, rules }: Pick<RenderInput, 'report' | 'rules'>): [file: string, chunks: Iterable<string>][] {
  const report = evaluatedReport(given);
  const frameworks = complianceFrameworks({ report, rules });
  // Each file's framework is counted when the file is written, and let go after it.
  return frameworks.ids.map((id) => [
    fileOf(id),
    csvChunks(
      (function* () {
        yield* rows(report, frameworks.view(id));
      })(),
    ),
  ]);
}

/** One CSV per framework of the report (only the chosen one under --framework), by file name. */
export function renderComplianceFiles(input: Pick<RenderInput, 'report' | 'rules'>): [file: string, text: string][] {
  return complianceFileChunks(input).map(([file, chunks]) => [file, [...chunks].join('')]);
}

export const complianceFormat: ReportFormat = {
  name: 'compliance',
  file: 'report.compliance.csv',
  render: ({ report: given, rules }) => {
    const report = evaluatedReport(given);
    const frameworks = complianceFrameworks({ report, rules });
    return csvChunks(
      (function* () {
        for (const id of frameworks.ids) yield* rows(report, frameworks.view(id));
      })(),
    );
  },
  extraFiles: {
    // Every name a run may write, so the files of an older run's other frameworks go with it.
    names: () => [...frameworkCatalogue().keys()].map(fileOf),
    render: complianceFileChunks,
  },
};
