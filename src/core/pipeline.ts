// The evaluate -> report -> gate half of a run, shared by `scan` and `evaluate`.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, loadConfig, type Config } from '../config/config.js';
import { iamActionFor } from '../collect/iam-actions.js';
import { evaluateEach, selectRules } from '../engine/evaluate.js';
import { loadRules, type Rule, type RulesPack } from '../engine/load.js';
import { STATUSES, type Finding } from '../findings/finding.js';
import { capFinding, FindingList, FindingStore, findingList, findingTexts, notableOf, type FindingSource, type NotableFinding } from '../findings/store.js';
import { SEVERITIES } from '../engine/rule-schema.js';
import type { Snapshot } from '../inventory/schema.js';
import { prettyJsonChunks } from '../util/json-chunks.js';
import { DEFAULT_FORMATS, REPORT_FORMATS, renderChunks, renderExtraFiles, reportFormat, type RenderInput } from '../report/formats/index.js';
import { historyFor, loadHistory, type History, type LoadedHistory } from '../report/history.js';
import { loadReport } from '../report/load.js';
import { buildReport, type EvaluatedReport, type Report } from '../report/report.js';
import { AtomicFileSet, checkWritableSet, FileSetError } from '../util/atomic-write.js';
import { capStrings } from '../util/cap-text.js';
import { TOOL_VERSION } from '../version.js';
import { waiverApplier } from '../waivers/apply.js';
import { loadWaivers, type WaiverSet } from '../waivers/load.js';
import { UsageError } from './errors.js';
import { buildFixPlan } from './fix-plan.js';
import { FAIL_ON, type Baseline, type FailOn } from './gate.js';

export { gate } from './gate.js';

export const BUILTIN_RULES = fileURLToPath(new URL('../../rules/', import.meta.url));

export interface EvaluationFlags {
  config?: string;
  rules?: string[];
  framework?: string;
  format?: string[];
  failOn?: string;
  allowIncomplete?: boolean;
  waivers?: string;
  baseline?: string;
  baselineAny?: boolean;
  /** --history: a directory of earlier report.json files, for the HTML's trend and what changed since the last run. */
  history?: string;
  /** --severity: only rules of these severities are evaluated. */
  severity?: string[];
  /** --only-rules / --exclude-rules: rule ids evaluated, or left out. */
  onlyRules?: string[];
  excludeRules?: string[];
  /** --status: only findings of these statuses are shown in the reports (the gate judges them all). */
  status?: string[];
}

/** What --severity, --only-rules, --exclude-rules and --status chose; absent: everything. */
export interface Selection {
  severities?: string[];
  onlyRules?: string[];
  excludeRules?: string[];
  statuses?: string[];
}

export interface Prepared {
  config: Config;
  pack: RulesPack;
  formats: string[];
  failOn: FailOn;
  /** --severity, --only-rules, --exclude-rules, --status. */
  selection?: Selection;
  waivers: WaiverSet | null;
  baseline: Baseline | null;
  history?: LoadedHistory;
}


/** Everything that can be wrong with the inputs is found here, before any scan or write. */
export async function prepare(flags: EvaluationFlags, cwd: string): Promise<Prepared> {
  // report.json is always written: diff, --baseline and verify read it; --format adds the others.
  const formats = [...new Set(['json', ...(flags.format?.length ? flags.format : DEFAULT_FORMATS)])];
  const available = REPORT_FORMATS.map((f) => f.name);
  for (const f of formats) if (!available.includes(f)) throw new UsageError(`--format: "${f}" is not available (available: ${available.join(', ')})`);
  const failOn = (flags.failOn ?? 'high') as FailOn;
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`--fail-on: "${flags.failOn}" is not a severity or none (${FAIL_ON.join(', ')})`);
  const pack = await loadRules([BUILTIN_RULES, ...(flags.rules ?? []).map((d) => resolve(cwd, d))]);
  const config = flags.config ? await loadConfig(resolve(cwd, flags.config), pack.rules.map((r) => r.id)) : DEFAULT_CONFIG;
  if (flags.framework && !selectRules(pack.rules, { framework: flags.framework, config }).length) {
    const known = [...new Set(pack.rules.flatMap((r) => Object.keys(r.frameworks)))].sort();
    throw new UsageError(`--framework: no rule maps to "${flags.framework}" (known: ${known.join(', ')})`);
  }
  const waivers = flags.waivers ? await loadWaivers(resolve(cwd, flags.waivers), flags.waivers, pack.rules.map((r) => r.id)) : null;
  const baseline = flags.baseline ? baselineOf(await loadReport(resolve(cwd, flags.baseline)), flags.baseline, pack, !!flags.baselineAny) : null;
  const selection = selectionOf(flags, pack);
  const history = flags.history ? await loadHistory(resolve(cwd, flags.history)) : undefined;
  return { config, pack, formats, failOn, waivers, baseline, ...(selection ? { selection } : {}), ...(history ? { history } : {}) };
}

/** The filters, each value checked against what exists: a misspelt id or severity is exit 2, not an empty report. */
function selectionOf(flags: EvaluationFlags, pack: RulesPack): Selection | undefined {
  const check = (flag: string, values: string[] | undefined, known: readonly string[]) => {
    if (!values?.length) return undefined;
    for (const v of values) if (!known.includes(v)) throw new UsageError(`${flag}: "${v}" is not one of ${known.length > 12 ? `the ${known.length} rule ids of the pack (trailwarden rules list)` : known.join(', ')}`);
    return [...new Set(values)];
  };
  const ids = pack.rules.map((r) => r.id);
  const selection: Selection = {};
  const severities = check('--severity', flags.severity, SEVERITIES);
  const onlyRules = check('--only-rules', flags.onlyRules, ids);
  const excludeRules = check('--exclude-rules', flags.excludeRules, ids);
  const statuses = check('--status', flags.status?.map((x) => x.toUpperCase()), STATUSES);
  if (severities) selection.severities = severities;
  if (onlyRules) selection.onlyRules = onlyRules;
  if (excludeRules) selection.excludeRules = excludeRules;
  if (statuses) selection.statuses = statuses;
  if (!Object.keys(selection).length) return undefined;
  if (!chooseRules(pack.rules, selection).length) throw new UsageError('--severity, --only-rules and --exclude-rules together leave no rule to evaluate');
  return selection;
}

/** The rules --severity, --only-rules and --exclude-rules leave. */
export function chooseRules(rules: readonly Rule[], selection: Selection | undefined): Rule[] {
  if (!selection) return [...rules];
  return rules.filter(
    (r) =>
      (!selection.severities || selection.severities.includes(r.severity)) &&
      (!selection.onlyRules || selection.onlyRules.includes(r.id)) &&
      !selection.excludeRules?.includes(r.id),
  );
}

/**
 * A FAIL in the baseline, waived or not, is known: it fails a --baseline gate only when it is new.
 * A baseline judged by another rules pack, or (checkBaselineScope) of another organization, would
 * let FAILs through as "already known" that it never judged: refused unless --baseline-any.
 */
function baselineOf(report: Report, file: string, pack: RulesPack, anyScope: boolean): Baseline {
  if (!anyScope && report.rulesPack.sha256 !== pack.sha256) {
    throw new UsageError(
      `--baseline: ${file} was judged by another rules pack (sha256 ${report.rulesPack.sha256.slice(0, 12)}…, this run ${pack.sha256.slice(0, 12)}…): its findings are not this run's; --baseline-any accepts it`,
    );
  }
  return {
    file,
    failing: new Set(report.findings.filter((f) => f.status === 'FAIL').map((f) => f.fingerprint)),
    organizationId: report.scope.organizationId,
    anyScope,
  };
}

/** The organization is known only once the snapshot is: checked before anything is evaluated or written. */
function checkBaselineScope(baseline: Baseline | null, snapshot: Snapshot): void {
  if (!baseline || baseline.anyScope || baseline.organizationId === snapshot.organization.id) return;
  const org = (id: string | null) => (id ? `organization ${id}` : 'no organization (a single account)');
  throw new UsageError(`--baseline: ${baseline.file} is a report of ${org(baseline.organizationId)}, this run is of ${org(snapshot.organization.id)}; --baseline-any accepts it`);
}

export interface Outcome<F extends FindingSource = FindingSource> {
  report: EvaluatedReport<F>;
  /** Every finding that is not PASS, --status or not: what the gate judges (without texts when spilled). */
  notable: readonly NotableFinding[];
  snapshot: Snapshot;
  /** The rules that were evaluated (after config switches and --framework). */
  rules: Rule[];
  /** --history: the trend with this run last, and what changed since the previous run. */
  history?: History;
  /** Removes what the outcome keeps on disk (the spilled findings); the report cannot be rendered after. */
  dispose(): void;
}

/**
 * Where a CLI run spills its findings: inside --out, unless a format it writes holds every finding
 * anyway (ReportFormat.holdsFindings), when reading them back would only add copies.
 */
export function spillDirFor(outDir: string, formats: readonly string[]): string | undefined {
  return formats.some((name) => reportFormat(name)?.holdsFindings) ? undefined : outDir;
}

/** What evaluateSnapshot gives without spillDir: every finding in memory. */
export type InMemoryOutcome = Outcome<FindingList> & { findings: FindingList };

export interface EvaluateSnapshotOptions {
  /**
   * Spill the findings to a temporary directory made inside this one (the run's --out) as they
   * are evaluated, instead of holding them (findings/store.ts): a large organization's findings
   * are hundreds of megabytes as objects.
   */
  spillDir?: string;
  /** Findings held in memory before they spill (FindingStore's default unless set; tests set 0). */
  holdUpTo?: number;
}

/** In memory: `findings` is every finding (--status or not), as the library returns them. */
export function evaluateSnapshot(snapshot: Snapshot, prepared: Prepared, framework: string | undefined, now: Date): InMemoryOutcome;
export function evaluateSnapshot(snapshot: Snapshot, prepared: Prepared, framework: string | undefined, now: Date, options: EvaluateSnapshotOptions): Outcome;
export function evaluateSnapshot(snapshot: Snapshot, prepared: Prepared, framework: string | undefined, now: Date, options: EvaluateSnapshotOptions = {}): Outcome {
  checkBaselineScope(prepared.baseline, snapshot);
  const pool = chooseRules(prepared.pack.rules, prepared.selection);
  const rules = selectRules(pool, { config: prepared.config, framework });
  // Waivers are a separate pure step, judged at the same clock: evaluate() knows nothing of them.
  const waivers = prepared.waivers ? waiverApplier(prepared.waivers, now) : null;
  // --status chooses what the reports show; the gate (outcome.notable) still judges every finding.
  const statuses = prepared.selection?.statuses;
  const all = options.spillDir ? null : new FindingList();
  const shown: Finding[] = [];
  // Spilled, what the formats keep of every finding is built as the findings are evaluated (ReportFormat.collect).
  const collectors = () =>
    new Map(
      prepared.formats.flatMap((name) => {
        const collect = reportFormat(name)?.collect;
        return collect ? [[name, collect({ snapshot, rules })] as const] : [];
      }),
    );
  const store = options.spillDir ? new FindingStore(options.spillDir, { collectors: collectors(), ...(options.holdUpTo === undefined ? {} : { holdUpTo: options.holdUpTo }) }) : null;
  const notable: NotableFinding[] = [];
  // Capping walks each finding's evidence, which shares the snapshot's objects: a table of what
  // was walked saves walking them again, renewed every few thousand findings, as one table for
  // every finding of a large run grew by millions of entries.
  let seen = new WeakMap<object, unknown>();
  let capped = 0;
  try {
    evaluateEach(snapshot, pool, { now, config: prepared.config, framework, iamActionFor }, (evaluated) => {
      const f = waivers ? waivers.apply(evaluated) : evaluated;
      all?.push(f);
      // Spilled without --status, the gate reads the store's own notable findings.
      if (f.status !== 'PASS' && (!store || statuses)) notable.push(store ? notableOf(f) : f);
      if (statuses && !statuses.includes(f.status)) return;
      // A spilled finding is capped as it goes (buildReport caps an array of them itself).
      if (store) {
        if (++capped % 4096 === 0) seen = new WeakMap();
        // Its JSON texts made once: they tell whether it needs capping, and the store writes them.
        const texts = findingTexts(f);
        const c = capFinding(f, texts, seen);
        store.add(c, c === f ? texts : undefined);
      } else shown.push(f);
    });
    store?.finish();
    // Spilled, the store's notable findings one at a time: the plan keeps counts, not them.
    const fixable = store ? store.notables() : shown.filter((f) => f.status !== 'PASS');
    const report = buildReport<FindingSource>({
      snapshot,
      findings: store ?? findingList(capStrings(shown, undefined, seen)),
      toolVersion: TOOL_VERSION,
      generatedAt: now,
      rulesPack: { sha256: prepared.pack.sha256, rules: rules.length },
      framework: framework ?? null,
      waivers: waivers ? waivers.outcome() : null,
      actions: buildFixPlan({ findings: fixable, rules }),
    });
    const history = prepared.history ? historyFor(prepared.history, report) : undefined;
    const dispose = () => store?.dispose();
    const outcome = { report, notable, snapshot, rules, ...(history ? { history } : {}), dispose, ...(all ? { findings: all } : {}) };
    // Spilled without --status, the store's notable findings, made when the gate asks: not held
    // through rendering, and not enumerable, so that a copy of the outcome as a format's input
    // (formats/types.ts, capped) does not make and keep them.
    if (store && !statuses) Object.defineProperty(outcome, 'notable', { get: () => store.notable, enumerable: false });
    return outcome;
  } catch (err) {
    store?.dispose();
    throw err;
  }
}

export const SNAPSHOT_FILE = 'snapshot.json';

export interface WriteOptions {
  /**
   * scan: snapshot.json belongs to the set, replaced together with the reports: written from the
   * outcome's snapshot (true), or a complete file on the same filesystem moved in as it is (its path).
   */
  snapshot?: boolean | string;
}

const setFiles = (formats: readonly string[], options: WriteOptions) => [
  ...formats.map((name) => {
    const format = reportFormat(name);
    if (!format) throw new UsageError(`--format: "${name}" is not available`);
    return [format.file, ...(format.extraFiles?.names() ?? [])];
  }).flat(),
  ...(options.snapshot ? [SNAPSHOT_FILE] : []),
];

const isFsError = (err: unknown) => err instanceof FileSetError || typeof (err as NodeJS.ErrnoException)?.code === 'string';
const fsReason = (err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  return err instanceof FileSetError || !e.code ? e.message : `${e.code}: ${e.message.replace(/^\w+: /, '')}`;
};

/**
 * Before any AWS call or evaluation: --out must take this run's files (an unwritable directory, a
 * path under a file, a directory where a report goes are found now, not after a long scan).
 */
export async function checkOutDir(outDir: string, formats: readonly string[], options: WriteOptions = {}): Promise<void> {
  try {
    await checkWritableSet(outDir, setFiles(formats, options));
  } catch (err) {
    if (!isFsError(err)) throw err;
    throw new UsageError(`--out: ${fsReason(err)}`);
  }
}

/**
 * The files of one run (every format, and for a scan snapshot.json) replace the previous set as a
 * whole or not at all: each is written in full into a staging directory inside --out and they are
 * renamed into place only when all are complete. A renderer that throws, a full disk or a
 * directory in the way leaves the previous set as it was and no temporary file. Each format
 * streams to disk in chunks: no report has to fit in memory as one string.
 */
export async function writeReports(outDir: string, outcome: RenderInput, formats: string[], options: WriteOptions = {}): Promise<string[]> {
  const files = new AtomicFileSet();
  const written = new Set<string>();
  try {
    for (const name of formats) {
      const format = reportFormat(name);
      if (!format) throw new UsageError(`--format: "${name}" is not available`);
      await files.stage(resolve(outDir, format.file), await renderChunks(format, outcome));
      for (const [file, chunks] of renderExtraFiles(format, outcome)) {
        await files.stage(resolve(outDir, file), chunks);
        written.add(file);
      }
    }
    // In chunks: at 10,000 accounts the snapshot is 96 MB of text, a few hundred megabytes to write as one string.
    if (typeof options.snapshot === 'string') await files.stageFile(resolve(outDir, SNAPSHOT_FILE), options.snapshot);
    else if (options.snapshot) await files.stage(resolve(outDir, SNAPSHOT_FILE), prettyJsonChunks(outcome.snapshot));
    // A report of a format this run does not write belongs to an older set: it goes with it.
    for (const f of REPORT_FORMATS) if (!formats.includes(f.name)) files.retire(resolve(outDir, f.file));
    // ...and so does an extra file this run did not write (another framework's compliance CSV).
    for (const f of REPORT_FORMATS) for (const file of f.extraFiles?.names() ?? []) if (!written.has(file)) files.retire(resolve(outDir, file));
    return await files.commit();
  } catch (err) {
    await files.abort();
    if (!isFsError(err)) throw err;
    throw new UsageError(`--out: could not write this run's files to ${outDir} (${fsReason(err)}); the previous files there are unchanged`);
  }
}
