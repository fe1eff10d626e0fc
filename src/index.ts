// The programmatic API: `import { ... } from 'trailwarden'` (docs/library.md). What the CLI does,
// as functions for people who embed the audit in their own tooling (a scheduled Lambda, an
// internal portal). Everything here is the CLI's own code path, so a report built through the
// library is byte for byte the report the CLI writes from the same snapshot, rules and clock.
// Signatures are kept small and stable; the modules behind them are not part of the contract.
import { fileURLToPath } from 'node:url';
import { iamPolicy as policyFor, type PolicyDocument } from './collect/registry.js';
import { scan as runScan, type ProgressEvent } from './collect/scan.js';
import { verifyTrailLogs as runVerifyTrailLogs } from './collect/verify-trail.js';
import { DEFAULT_CONFIG, loadConfig as readConfig, type Config } from './config/config.js';
import { gate as runGate, type FailOn } from './core/gate.js';
import { BUILTIN_RULES, evaluateSnapshot, writeReports as writeReportSet } from './core/pipeline.js';
import { loadRules as readRules, type Rule, type RulesPack } from './engine/load.js';
import type { FileVerdict } from './collect/log-integrity.js';
import type { Severity } from './engine/rule-schema.js';
import { verifyBundle, type VerifyResult } from './evidence/verify.js';
import type { Finding } from './findings/finding.js';
import { loadSnapshot as readSnapshot } from './inventory/load.js';
import type { LogIntegrity, Snapshot } from './inventory/schema.js';
import { diffReports, diffText, newFailsAtOrAbove, type ReportDiff } from './report/diff.js';
import { DEFAULT_FORMATS, REPORT_FORMATS, renderText, reportFormat } from './report/formats/index.js';
import { loadReport as readReport } from './report/load.js';
import { buildReport as assembleReport, type Report } from './report/report.js';
import { MAX_SHARDS } from './shard/assign.js';
import { mergeShards, type MergeResult } from './shard/merge.js';
import { TOOL_VERSION } from './version.js';
import { loadWaivers as readWaivers, type WaiverSet } from './waivers/load.js';

// ---------------------------------------------------------------------------------------------
// Types: the published schemas (schemas/*.schema.json) as TypeScript types.

export type {
  AccountRecord,
  Bucket,
  Channel,
  CollectionError,
  DataEvents,
  EventDataStore,
  EventSelectors,
  Key,
  LogDefect,
  LogGap,
  LogGroup,
  LogIntegrity,
  LogStream,
  NetworkActivity,
  OrganizationRecord,
  RegionRecord,
  Snapshot,
  Topic,
  Trail,
} from './inventory/schema.js';
export type { Finding, RenderedRemediation, Status, Waiver } from './findings/finding.js';
export type { Report } from './report/report.js';
export type { DiffEntry, FindingState, ReportDiff } from './report/diff.js';
export type { Config, Parameters } from './config/config.js';
export type { Rule, RulesPack } from './engine/load.js';
export type { Scope, Severity } from './engine/rule-schema.js';
export type { ResourceRef } from './engine/view.js';
export type { WaiverSet } from './waivers/load.js';
export type { WaiversOutcome } from './waivers/schema.js';
export type { Problem, ProblemKind, VerifyResult } from './evidence/verify.js';
export type { EvidenceMetadata } from './evidence/metadata.js';
export type { ProgressEvent } from './collect/scan.js';
export type { FileVerdict } from './collect/log-integrity.js';
export type { PolicyDocument } from './collect/registry.js';
export type { FailOn } from './core/gate.js';

// Errors an embedder may want to tell apart (each is an Error with a one-line message).
export {
  /** The caller's AWS credentials could not be used at all (scan): nothing was scanned. */
  NoCredentialsError,
  /** The scan was aborted before the organization's accounts were listed: there is no snapshot. */
  InterruptedBeforeDiscoveryError,
} from './collect/scan.js';
export {
  /** verifyTrailLogs could not start: not a trail ARN, a trail not visible, no bucket, no organization id. */
  VerifyTrailError,
} from './collect/verify-trail.js';
export {
  /** A set of shard snapshots that does not make one scan (merge): a shard missing, twice, or of another run. */
  ShardSetError,
} from './shard/merge.js';
export {
  /** A bad input file (snapshot, report, rule, config, waivers): `file`, `line` (or null) and `reason`. */
  InputError,
} from './util/input-error.js';

// ---------------------------------------------------------------------------------------------
// Package facts.

/** The version of this trailwarden package (written into every snapshot and report). */
export const VERSION: string = TOOL_VERSION;

/** The directory of the built-in rules pack inside the installed package (`rules/`). */
export const BUILT_IN_RULES_DIR: string = BUILTIN_RULES;

/** The bundled demo organization's snapshot inside the installed package (`demo/snapshot.json`), as `trailwarden demo` evaluates it. */
export const DEMO_SNAPSHOT_FILE: string = fileURLToPath(new URL('../demo/snapshot.json', import.meta.url));

/** The directory of the published JSON Schemas inside the installed package (`schemas/`: snapshot, report, rule, config, waivers). */
export const SCHEMAS_DIR: string = fileURLToPath(new URL('../schemas/', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Scanning.

/** The log-integrity window of {@link ScanOptions.verifyLogs}, as `scan --verify-logs --since --until --verify-depth`. */
export interface LogWindowOptions {
  /** Start of the window; default seven days before `until`. */
  since?: Date;
  /** End of the window; default now. */
  until?: Date;
  /** `digests`: the digest chain only; `logs` (default): every log file's hash too. */
  depth?: 'digests' | 'logs';
}

/** What {@link scan} reads; the options of `trailwarden scan` without the report side. */
export interface ScanOptions {
  /** The read-only role assumed in every member account (`--role-name`), e.g. from the member template of docs/deploy.md. */
  roleName: string;
  /** The role's sts:ExternalId condition, when it has one. */
  externalId?: string;
  /** Only these account ids. */
  accounts?: string[];
  /** Only accounts under these OUs (ou-... or r-...). */
  ous?: string[];
  /** Never these account ids. */
  excludeAccounts?: string[];
  /** Only these regions (default: every region enabled in each account). */
  regions?: string[];
  /** Scan only shard `index` of `count` (1-based; see docs/sharding.md); join the snapshots with {@link merge}. */
  shard?: { index: number; count: number };
  /** API calls in flight across the organization (default 32). */
  concurrency?: number;
  /** API calls in flight per account (default 8). */
  accountConcurrency?: number;
  /** S3 object reads in flight while verifying logs (default 64). */
  objectConcurrency?: number;
  /** Region for global APIs; default AWS_REGION, AWS_DEFAULT_REGION, then us-east-1. */
  region?: string;
  /** One endpoint for every service (an emulator); default AWS_ENDPOINT_URL. */
  endpointUrl?: string;
  /** Attempts per API call, retries included (default 10). */
  maxAttempts?: number;
  /** Timeout of one API request in milliseconds (default 20000). */
  requestTimeoutMs?: number;
  /** Also verify the CloudTrail log files of every validated trail over this window (`scan --verify-logs`); `true` for the default window. */
  verifyLogs?: LogWindowOptions | boolean;
  /** Called as the scan moves on (accounts done, phases, streams verified). */
  onProgress?: (event: ProgressEvent) => void;
  /** Aborting stops the scan: what was not read yet is recorded as errors and the snapshot is marked incomplete. */
  signal?: AbortSignal;
}

function logWindow(options: LogWindowOptions | boolean | undefined, now: Date): { since: Date; until: Date; depth: 'digests' | 'logs' } | undefined {
  if (!options) return undefined;
  const o = options === true ? {} : options;
  const until = o.until ?? now;
  const since = o.since ?? new Date(until.getTime() - 7 * 86_400_000);
  if (!(since.getTime() < until.getTime())) throw new RangeError(`verifyLogs: since (${since.toISOString()}) must be before until (${until.toISOString()})`);
  const depth = o.depth ?? 'logs';
  if (depth !== 'digests' && depth !== 'logs') throw new RangeError(`verifyLogs: depth "${String(depth)}" is not digests or logs`);
  return { since, until, depth };
}

/**
 * Scans the AWS Organization (or the single account) the caller's credentials belong to and
 * returns its snapshot: every account, trail and linked resource, with what could not be read
 * recorded as collection errors. Read-only; the scan always runs to the end. Credentials come
 * from the AWS SDK's default chain (environment, profile, the Lambda execution role...).
 *
 * @throws {@link NoCredentialsError} when the caller's credentials cannot be used at all.
 * @throws {@link InterruptedBeforeDiscoveryError} when `signal` aborts before the accounts are known.
 */
export async function scan(options: ScanOptions): Promise<Snapshot> {
  if (!options.roleName || /\s/.test(options.roleName)) throw new TypeError(`roleName: "${options.roleName}" is not a role name`);
  const shard = options.shard;
  if (shard && !(Number.isInteger(shard.index) && Number.isInteger(shard.count) && shard.index >= 1 && shard.index <= shard.count && shard.count <= MAX_SHARDS)) {
    throw new RangeError(`shard: ${shard.index}/${shard.count} is not shard K of N with 1 <= K <= N <= ${MAX_SHARDS}`);
  }
  const result = await runScan({
    toolVersion: TOOL_VERSION,
    roleName: options.roleName,
    externalId: options.externalId,
    accounts: options.accounts ?? null,
    ous: options.ous ?? null,
    excludeAccounts: options.excludeAccounts ?? [],
    shard: options.shard ?? null,
    regions: options.regions ?? null,
    concurrency: options.concurrency ?? 32,
    perAccountConcurrency: options.accountConcurrency ?? 8,
    objectConcurrency: options.objectConcurrency ?? 64,
    region: options.region,
    endpointUrl: options.endpointUrl,
    maxAttempts: options.maxAttempts,
    requestTimeoutMs: options.requestTimeoutMs,
    verifyLogs: logWindow(options.verifyLogs, new Date()),
    onProgress: options.onProgress,
    signal: options.signal,
  });
  return result.snapshot;
}

/** What {@link verifyTrailLogs} verifies: one trail, as `trailwarden verify-logs`. */
export interface VerifyTrailLogsOptions extends LogWindowOptions {
  /** The trail's ARN. */
  trailArn: string;
  /** For an organization trail: the member account whose logs to verify (required there). */
  accountId?: string;
  /** Only these regions (default: every region the trail has digests in). */
  regions?: string[];
  /** Region for the caller's own calls; default the trail's home region. */
  region?: string;
  /** One endpoint for every service (an emulator). */
  endpointUrl?: string;
  /** S3 object reads in flight (default 64). */
  objectConcurrency?: number;
  /** Attempts per API call (default 10). */
  maxAttempts?: number;
  /** Timeout of one API request in milliseconds (default 20000). */
  requestTimeoutMs?: number;
  /** Called for every digest and log file judged (what `verify-logs --verbose` prints). */
  onFile?: (file: FileVerdict) => void;
}

/**
 * Verifies one trail's CloudTrail log files (digest chain, signatures, and with depth `logs` each
 * log file's hash) over a window, every region at once, with the caller's own credentials, as
 * `aws cloudtrail validate-logs` does. The result's streams say what is intact, missing or altered.
 *
 * @throws {@link VerifyTrailError} when the trail cannot be verified at all (not found, no bucket, ...).
 */
export async function verifyTrailLogs(options: VerifyTrailLogsOptions): Promise<{ integrity: LogIntegrity; trail: { arn: string; name: string; isOrganizationTrail: boolean } }> {
  const window = logWindow(options, new Date())!;
  return runVerifyTrailLogs({
    ...window,
    trailArn: options.trailArn,
    accountIds: options.accountId ? [options.accountId] : undefined,
    regions: options.regions ?? null,
    region: options.region,
    endpointUrl: options.endpointUrl,
    objectConcurrency: options.objectConcurrency ?? 64,
    maxAttempts: options.maxAttempts,
    requestTimeoutMs: options.requestTimeoutMs,
    onFile: options.onFile,
  });
}

/**
 * The IAM policy the scan needs, as `trailwarden iam-policy`: `member` for the role assumed in
 * every account, `scanner` for the identity that runs the scan (a Lambda's execution role).
 */
export function iamPolicy(options: {
  /** Which principal the policy is for. */
  for: 'member' | 'scanner';
  /** The member role's name (the scanner policy may assume only it). */
  roleName: string;
  /** The AWS partition (default `aws`). */
  partition?: string;
  /** Grant the log reads of `verifyLogs` / {@link verifyTrailLogs} too. */
  withLogVerification?: boolean;
}): PolicyDocument {
  return policyFor(options.for, options.roleName, options.partition ?? 'aws', { withLogVerification: !!options.withLogVerification });
}

// ---------------------------------------------------------------------------------------------
// Inputs.

/** Reads and validates a saved snapshot (snapshot.json of a scan, or of {@link merge}). @throws {@link InputError} naming file and line. */
export function loadSnapshot(file: string): Promise<Snapshot> {
  return readSnapshot(file);
}

/** Reads and validates a saved report.json (for {@link diff}). @throws {@link InputError} naming file and line. */
export function loadReport(file: string): Promise<Report> {
  return readReport(file);
}

/**
 * Loads a rules pack from directories of `<id>.yaml` rules, every rule validated and its CEL
 * type-checked. With `builtIn` (default true) the package's own rules come first, as the CLI's
 * `--rules DIR` adds to them; rule ids must be unique across the directories.
 * @throws {@link InputError} naming the rule file and line.
 */
export function loadRules(dirs: readonly string[] = [], options: { builtIn?: boolean } = {}): Promise<RulesPack> {
  return readRules([...(options.builtIn === false ? [] : [BUILT_IN_RULES_DIR]), ...dirs]);
}

/** The built-in rules pack shipped with the package (what the CLI evaluates without `--rules`). */
export function loadBuiltInRules(): Promise<RulesPack> {
  return readRules([BUILT_IN_RULES_DIR]);
}

/** Reads a configuration file (`--config`); with `rules`, a rule id it names must be in that pack. @throws {@link InputError} */
export function loadConfig(file: string, rules?: RulesPack): Promise<Config> {
  return readConfig(file, rules?.rules.map((r) => r.id));
}

/** Reads a waivers file (`--waivers`); every waiver must name a rule of `rules`. @throws {@link InputError} */
export function loadWaivers(file: string, rules: RulesPack): Promise<WaiverSet> {
  return readWaivers(file, file, rules.rules.map((r) => r.id));
}

// ---------------------------------------------------------------------------------------------
// Evaluating and reporting.

/** How {@link evaluate} judges a snapshot. */
export interface EvaluateOptions {
  /** The evaluation clock (key ages, waiver expiry, log recency); default now. The demo uses the snapshot's `finishedAt`. */
  now?: Date;
  /** Rule switches and parameters (see {@link loadConfig}); default the built-in defaults. */
  config?: Config;
  /** Only the rules mapped to this framework, e.g. `cis-aws-v5.0.0`. */
  framework?: string;
  /** Waivers applied to the findings (see {@link loadWaivers}). */
  waivers?: WaiverSet;
}

/**
 * The result of {@link evaluate}: the report (the report.json contract), its findings, the
 * snapshot and the rules evaluated. It is what {@link renderReport} and {@link gate} take.
 */
export interface Evaluation {
  /** The report.json contract (schemas/report.schema.json). */
  report: Report;
  /** Every verdict, one per rule and resource, waivers applied. */
  findings: Finding[];
  /** The snapshot judged. */
  snapshot: Snapshot;
  /** The rules evaluated (after config switches and `framework`). */
  rules: Rule[];
}

/**
 * Judges a snapshot with a rules pack: the CLI's evaluate -> waivers -> report step. Pure and
 * synchronous: no I/O, and the same inputs and `now` always give the same report.
 */
export function evaluate(snapshot: Snapshot, rules: RulesPack, options: EvaluateOptions = {}): Evaluation {
  const prepared = { config: options.config ?? DEFAULT_CONFIG, pack: rules, formats: [], failOn: 'none' as const, waivers: options.waivers ?? null, baseline: null };
  const outcome = evaluateSnapshot(snapshot, prepared, options.framework, options.now ?? new Date());
  return { report: outcome.report, findings: outcome.findings, snapshot: outcome.snapshot, rules: outcome.rules };
}

/**
 * Builds the report.json contract from findings you produced or filtered yourself ({@link evaluate}
 * already returns one). `rulesPack` names the pack the findings came from.
 */
export function buildReport(input: { snapshot: Snapshot; findings: Finding[]; rulesPack: RulesPack | { sha256: string; rules: number }; generatedAt?: Date; framework?: string | null }): Report {
  const pack = input.rulesPack;
  return assembleReport({
    snapshot: input.snapshot,
    findings: input.findings,
    toolVersion: TOOL_VERSION,
    generatedAt: input.generatedAt ?? new Date(),
    rulesPack: { sha256: pack.sha256, rules: Array.isArray(pack.rules) ? pack.rules.length : (pack.rules as number) },
    framework: input.framework ?? null,
  });
}

/** The report formats {@link renderReport} renders (the CLI's `--format` names). */
export const REPORT_FORMATS_AVAILABLE = ['json', 'html', 'csv', 'sarif', 'junit', 'ocsf', 'md', 'asff', 'compliance'] as const;

/** One of {@link REPORT_FORMATS_AVAILABLE}. */
export type ReportFormatName = (typeof REPORT_FORMATS_AVAILABLE)[number];

/** The file each format is written to (`report.json`, `report.html`, `report.sarif`, ...), as the CLI names them. */
export const REPORT_FORMAT_FILES: Readonly<Record<ReportFormatName, string>> = Object.freeze(
  Object.fromEntries(REPORT_FORMATS.map((f) => [f.name, f.file])) as Record<ReportFormatName, string>,
);

/** The formats the CLI writes when none is asked for (`json`, `html`). */
export const DEFAULT_REPORT_FORMATS: readonly ReportFormatName[] = DEFAULT_FORMATS as readonly ReportFormatName[];

/**
 * Renders an evaluation in one format, exactly as the CLI writes it: `json` is report.json; `html`
 * one self-contained page; `csv`, `sarif`, `junit`, `ocsf`, `md` (Markdown), `asff` (Security Hub) and
 * `compliance` (every framework's control x account rows in one CSV; the CLI also writes one CSV per framework).
 * @throws {@link RangeError} for an unknown format.
 */
export async function renderReport(evaluation: Evaluation, format: ReportFormatName): Promise<string> {
  const f = reportFormat(format);
  if (!f) throw new RangeError(`format "${String(format)}" is not available (available: ${REPORT_FORMATS.map((x) => x.name).join(', ')})`);
  return renderText(f, evaluation);
}

/**
 * Writes the reports of an evaluation into `dir` (default formats json and html) as one set:
 * every file is staged and renamed into place only when all are complete, so a failure leaves the
 * previous set as it was. Returns the paths written.
 */
export function writeReports(dir: string, evaluation: Evaluation, formats: readonly ReportFormatName[] = DEFAULT_REPORT_FORMATS): Promise<string[]> {
  return writeReportSet(dir, evaluation, [...formats]);
}

/** The verdict of {@link gate}: the CLI's exit code (0 pass, 1 FAIL at or above `failOn`, 3 incomplete) and the line that says why. */
export interface GateVerdict {
  code: number;
  line: string;
}

/**
 * The CI gate of `scan`/`evaluate` (docs/gating.md): a non-waived FAIL at or above `failOn`
 * (default `high`) gives 1; otherwise an incomplete scan (ERROR findings, accounts or facts not
 * read) gives 3 unless `allowIncomplete`; else 0.
 */
export function gate(evaluation: Pick<Evaluation, 'findings' | 'snapshot'>, options: { failOn?: FailOn; allowIncomplete?: boolean } = {}): GateVerdict {
  return runGate(evaluation, evaluation.snapshot, options.failOn ?? 'high', !!options.allowIncomplete);
}

/**
 * Drift between two reports, matched by finding fingerprint (rule + resource): what newly FAILs,
 * what was fixed, what else changed. With `failOn`, `blocking` lists the new non-waived FAILs at
 * or above that severity (what a `--baseline` gate would fail on).
 */
export function diff(older: Report, newer: Report, options: { failOn?: Severity } = {}): ReportDiff & { blocking: ReportDiff['new'] } {
  const d = diffReports(older, newer);
  return { ...d, blocking: options.failOn ? newFailsAtOrAbove(d, options.failOn) : [] };
}

/** A diff as the text `trailwarden diff` prints; `names` label the two reports. */
export function formatDiff(d: ReportDiff, names: { old: string; new: string } = { old: 'old', new: 'new' }): string {
  return diffText(d, names);
}

/**
 * Joins the snapshots of a sharded scan (`shard` K of N, every shard once) into the snapshot one
 * unsharded scan would have written. `file` labels each shard in messages. `notes` lists copies
 * that disagreed and which one was kept.
 * @throws {@link ShardSetError} when the set is not one whole scan.
 */
export function merge(shards: readonly (Snapshot | { file: string; snapshot: Snapshot })[]): MergeResult {
  const inputs = shards.map((s, i) => ('snapshot' in s && 'file' in s ? s : { file: `shard #${i + 1}`, snapshot: s as Snapshot }));
  return mergeShards(inputs);
}

/**
 * Verifies an evidence bundle (`scan --evidence DIR`) offline: every file against its manifest,
 * and the bundled reports against a fresh evaluation of the bundled snapshot, rules and config.
 * Verified when `isBundle` is true and `problems` is empty. `expectedManifestSha256` is the
 * manifest hash you kept elsewhere.
 */
export function verify(dir: string, options: { expectedManifestSha256?: string } = {}): Promise<VerifyResult> {
  return verifyBundle(dir, options);
}
