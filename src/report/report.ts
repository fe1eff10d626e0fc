// report.json: the stable contract every other format derives from (architecture.md). Built
// from findings and the snapshot they came from; its zod schema is published as JSON Schema.
import { z } from 'zod';
import { SEVERITIES, SCOPES } from '../engine/rule-schema.js';
import { STATUSES, type Finding } from '../findings/finding.js';
import { countStatuses, findingList, isFindingSource, type FindingList, type FindingSource } from '../findings/store.js';
import type { Snapshot } from '../inventory/schema.js';
import { capStrings } from '../util/cap-text.js';
import { WaiversOutcome } from '../waivers/schema.js';
import { FixAction, FixedOn } from './actions.js';

export const REPORT_SCHEMA_VERSION = '1.0';

const Resource = z.object({ type: z.enum(SCOPES), id: z.string(), arn: z.string().nullable(), name: z.string() }).strict();

export const ReportFinding = z
  .object({
    fingerprint: z.string().describe('stable hash of ruleId + resource'),
    ruleId: z.string(),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(STATUSES),
    waiver: z.object({ reason: z.string(), owner: z.string(), expires: z.string() }).strict().nullable(),
    accountId: z.string(),
    accountName: z.string(),
    region: z.string().nullable(),
    resource: Resource,
    message: z.string(),
    frameworks: z.record(z.string(), z.array(z.string())),
    remediation: z
      .object({ summary: z.string(), console: z.array(z.string()), cli: z.string(), terraform: z.string(), cloudformation: z.string() })
      .strict()
      .nullable()
      .describe('the fix, rendered with the finding\'s own names; null on PASS and NOT_APPLICABLE'),
    evidence: z.record(z.string(), z.unknown()).describe('the facts the verdict used'),
    fixedOn: FixedOn.nullable().optional().describe('FAIL and ERROR: what to change (the fix plan); null otherwise'),
  })
  .strict();

const counts = <T extends readonly [string, ...string[]]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int().min(0)])) as Record<T[number], z.ZodNumber>).strict();

export const Report = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    tool: z.object({ name: z.literal('trailwarden'), version: z.string() }).strict(),
    generatedAt: z.string().describe('the evaluation time (ISO 8601)'),
    snapshotTakenAt: z.string().describe('when the scan that produced the snapshot finished'),
    rulesPack: z.object({ sha256: z.string(), rules: z.number().int() }).strict(),
    framework: z.string().nullable().describe('set when only one framework\'s rules were evaluated'),
    scope: z
      .object({
        organizationId: z.string().nullable(),
        managementAccountId: z.string().nullable(),
        regions: z.array(z.string()).describe('regions scanned in at least one account'),
      })
      .strict(),
    summary: z
      .object({
        byStatus: counts(STATUSES),
        bySeverity: counts(SEVERITIES).describe('FAIL findings per severity'),
        accounts: z.object({ scanned: z.number().int(), skipped: z.number().int(), error: z.number().int() }).strict(),
      })
      .strict(),
    accounts: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          ouPath: z.string().describe('OU names from the root, joined by "/"'),
          status: z.enum(['scanned', 'skipped', 'error']),
          reason: z.string().nullable(),
        })
        .strict(),
    ),
    findings: z.array(ReportFinding),
    // Added after 1.0 without a version change: optional, so earlier reports stay valid (--baseline, diff).
    actions: z
      .array(FixAction)
      .optional()
      .describe('the fix plan: FAIL and ERROR findings (not waived) grouped by what to change, by impact first (docs/reports.md, "Fix plan")'),
    waivers: WaiversOutcome.nullable().optional().describe('what the --waivers file did: expired and unmatched waivers; null when no waivers file was given'),
  })
  .strict();
export type Report = z.infer<typeof Report>;

export function reportJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/trailwarden/trailwarden/schemas/report.schema.json',
    title: 'trailwarden report',
    ...z.toJSONSchema(Report, { target: 'draft-2020-12', unrepresentable: 'any' }),
  };
}

/** A finding of report.json. */
export type ReportFinding = z.infer<typeof ReportFinding>;

/**
 * A run's report as the formats render it: report.json's model with its findings as a
 * FindingSource (spilled to a file in a large run, findings/store.ts), iterated as it is written.
 */
export type EvaluatedReport<F extends FindingSource = FindingSource> = Omit<Report, 'findings'> & { findings: F };

export interface ReportInput<F = Finding[] | FindingSource> {
  snapshot: Snapshot;
  /** In report order. An array is capped here; a FindingSource holds findings capped as they were added. */
  findings: F;
  toolVersion: string;
  generatedAt: Date;
  rulesPack: { sha256: string; rules: number };
  framework?: string | null;
  waivers?: WaiversOutcome | null;
  /** The fix plan (core/fix-plan.ts); left out, the report has no actions. */
  actions?: FixAction[];
}

/**
 * Every string of the report capped (util/cap-text.ts): names, messages, evidence values and
 * remediation renderings from AWS or a snapshot, so each format derived from it is bounded too.
 */
export function buildReport(input: ReportInput<Finding[]>): EvaluatedReport<FindingList>;
export function buildReport<F extends FindingSource>(input: ReportInput<F>): EvaluatedReport<F>;
export function buildReport(input: ReportInput): EvaluatedReport {
  const { findings, ...rest } = input;
  const source: FindingSource = Array.isArray(findings) ? findingList(capStrings(findings)) : (findings as FindingSource);
  // The source is a class instance, which capStrings leaves as it is: its findings are capped already.
  return capStrings(assemble({ ...rest, findings: source }));
}

/** A report as parsed from report.json, or as a run evaluated it. */
export type AnyReport = Report | EvaluatedReport;

/** Either kind as an EvaluatedReport: a parsed report's array of findings wrapped as a FindingSource. */
export function evaluatedReport(report: AnyReport): EvaluatedReport {
  const findings = report.findings as Report['findings'] | FindingSource;
  if (isFindingSource(findings)) return report as EvaluatedReport;
  return { ...report, findings: findingList(findings as Finding[]) };
}

/** report.json's model itself, the findings in memory (the library's contract). */
export function materialize(report: AnyReport): Report {
  return { ...report, findings: [...report.findings] };
}

/** The report's accounts, as the snapshot lists them (buildReport caps their strings). */
export function reportAccounts(snapshot: Snapshot): Report['accounts'] {
  return snapshot.accounts.map((a) => ({
    id: a.id,
    name: a.name,
    ouPath: a.ouPath.map((o) => o.name).join('/'),
    status: a.status,
    reason: a.reason,
  }));
}

function assemble(input: ReportInput<FindingSource>): EvaluatedReport {
  const { snapshot, findings } = input;
  const { byStatus, bySeverity } = countStatuses(findings);
  const accounts = reportAccounts(snapshot);
  const regions = new Set(snapshot.accounts.flatMap((a) => a.regions.filter((r) => r.status === 'scanned').map((r) => r.name)));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'trailwarden', version: input.toolVersion },
    generatedAt: input.generatedAt.toISOString(),
    snapshotTakenAt: snapshot.finishedAt,
    rulesPack: input.rulesPack,
    framework: input.framework ?? null,
    scope: {
      organizationId: snapshot.organization.id,
      managementAccountId: snapshot.organization.managementAccountId,
      regions: [...regions].sort(),
    },
    summary: {
      byStatus,
      bySeverity,
      accounts: {
        scanned: accounts.filter((a) => a.status === 'scanned').length,
        skipped: accounts.filter((a) => a.status === 'skipped').length,
        error: accounts.filter((a) => a.status === 'error').length,
      },
    },
    accounts,
    // The findings themselves, not copies: nothing changes a finding once evaluated (capStrings
    // copies only what it cuts), and at 10,000 accounts a copy of each is hundreds of megabytes.
    findings,
    ...(input.actions ? { actions: input.actions } : {}),
    waivers: input.waivers ?? null,
  };
}
