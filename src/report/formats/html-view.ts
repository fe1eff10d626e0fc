// The HTML report's view model, built from report.json (the contract), the snapshot (coverage)
// and the evaluated rules. Pure: the same input gives the same view. Small parts (summary, scores,
// the framework tree) are rendered by the template; the large ones (findings, heatmap, coverage)
// travel as compact data the page renders itself (the log-integrity streams too: html-integrity.ts).
import type { Rule } from '../../engine/load.js';
import { SEVERITIES, type Severity } from '../../engine/rule-schema.js';
import { STATUSES, type Status } from '../../findings/finding.js';
import { Fingerprints } from '../../findings/fingerprints.js';
import { FindingStore, frameworksText, type FindingCollector, type FindingTexts } from '../../findings/store.js';
import { SCORE_WEIGHTS } from '../../findings/weights.js';
import { capStrings } from '../../util/cap-text.js';
import { evaluatedReport, reportAccounts, type Report } from '../report.js';
import { CELL_STATES, coverageRows, CoverageVerdicts, RECORDED_BY, TRAIL_NOTES } from './html-coverage.js';
import { LazyItems, MARK, StringTable, templatize } from './html-encode.js';
import { integrityData } from './html-integrity.js';
import type { CollectContext, RenderInput } from './types.js';

type ReportFinding = Report['findings'][number];

/** Severity weights of the posture score, shared with the fix plan's impact (findings/weights.ts). */
export { SCORE_WEIGHTS };

export interface Score {
  /** 0-100, or null when nothing with a weight was judged. */
  percent: number | null;
  pass: number;
  fail: number;
  waivedFail: number;
  error: number;
  notApplicable: number;
}

/**
 * Posture score = 100 × Σ weight(PASS) / Σ weight(PASS + FAIL). NOT_APPLICABLE is left out; ERROR
 * is left out of the ratio and reported next to it (never counted as a pass); a waived FAIL counts
 * as FAIL (a waiver accepts a risk, it does not remove it).
 */
export function postureScore(findings: Iterable<Scored>): Score {
  const tally = new ScoreTally();
  for (const f of findings) tally.add(f);
  return tally.score();
}

type Scored = Pick<ReportFinding, 'status' | 'severity' | 'waiver'>;

/** postureScore a finding at a time: a score per framework or OU without a list of its findings. */
export class ScoreTally {
  private passWeight = 0;
  private judgedWeight = 0;
  private readonly s: Score = { percent: null, pass: 0, fail: 0, waivedFail: 0, error: 0, notApplicable: 0 };

  add(f: Scored): void {
    const s = this.s;
    const w = SCORE_WEIGHTS[f.severity];
    if (f.status === 'PASS') {
      s.pass++;
      this.passWeight += w;
      this.judgedWeight += w;
    } else if (f.status === 'FAIL') {
      s.fail++;
      if (f.waiver) s.waivedFail++;
      this.judgedWeight += w;
    } else if (f.status === 'ERROR') s.error++;
    else s.notApplicable++;
  }

  score(): Score {
    return { ...this.s, percent: this.judgedWeight > 0 ? Math.floor((1000 * this.passWeight) / this.judgedWeight) / 10 : null };
  }
}

const STATUS_RANK: Record<Status, number> = { FAIL: 4, ERROR: 3, PASS: 2, NOT_APPLICABLE: 1 };
const worst = (statuses: Status[]): Status | null =>
  statuses.reduce<Status | null>((w, s) => (w === null || STATUS_RANK[s] > STATUS_RANK[w] ? s : w), null);
const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export interface FrameworkView {
  id: string;
  score: Score;
  controls: {
    id: string;
    verdict: Status | null;
    rules: { id: string; title: string; severity: Severity; verdict: Status | null; counts: Record<Status, number> }[];
  }[];
}

/** framework -> controls -> rules -> verdict counts, from the rules' mappings and the findings. */
export function frameworkTree({ report, rules }: Pick<RenderInput, 'report' | 'rules'>): FrameworkView[] {
  const mapping = new Map<string, Map<string, Set<string>>>();
  const titles = new Map<string, { title: string; severity: Severity }>();
  const add = (fw: string, control: string, ruleId: string) => {
    const controls = mapping.get(fw) ?? mapping.set(fw, new Map()).get(fw)!;
    (controls.get(control) ?? controls.set(control, new Set()).get(control)!).add(ruleId);
  };
  for (const r of rules) {
    titles.set(r.id, { title: r.title, severity: r.severity });
    for (const [fw, controls] of Object.entries(r.frameworks)) for (const c of controls) add(fw, c, r.id);
  }
  const counts = new Map<string, Record<Status, number>>();
  const byFramework = new Map<string, ScoreTally>();
  for (const f of evaluatedReport(report).findings.heads()) {
    if (!titles.has(f.ruleId)) titles.set(f.ruleId, { title: f.title, severity: f.severity });
    const c = counts.get(f.ruleId) ?? counts.set(f.ruleId, { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 }).get(f.ruleId)!;
    c[f.status]++;
    for (const [fw, controls] of Object.entries(f.frameworks)) {
      for (const control of controls) add(fw, control, f.ruleId);
      (byFramework.get(fw) ?? byFramework.set(fw, new ScoreTally()).get(fw)!).add(f);
    }
  }
  // A report of one framework (--framework) scores that framework only: the findings still carry
  // their rules' other mappings, and a score of another framework over this subset would mislead.
  const scored = [...mapping.keys()].filter((fw) => !report.framework || fw === report.framework);
  return scored.sort(natural).map((fw) => ({
    id: fw,
    score: (byFramework.get(fw) ?? new ScoreTally()).score(),
    controls: [...mapping.get(fw)!.entries()]
      .sort(([a], [b]) => natural(a, b))
      .map(([control, ruleIds]) => {
        const ruleViews = [...ruleIds].sort().map((id) => {
          const c = counts.get(id) ?? { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 };
          return { id, ...titles.get(id)!, counts: c, verdict: worst(STATUSES.filter((s) => c[s] > 0)) };
        });
        return { id: control, rules: ruleViews, verdict: worst(ruleViews.flatMap((r) => (r.verdict ? [r.verdict] : []))) };
      }),
  }));
}

/** FAIL/PASS/... counts per severity: the matrix of the executive summary. */
export function severityMatrix(findings: Iterable<Pick<ReportFinding, 'status' | 'severity'>>): { severity: Severity; counts: Record<Status, number>; total: number }[] {
  const bySeverity = new Map(SEVERITIES.map((s) => [s, { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 }]));
  for (const f of findings) bySeverity.get(f.severity)![f.status]++;
  return SEVERITIES.map((severity) => {
    const counts = bySeverity.get(severity)!;
    return { severity, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
  });
}

/**
 * The page's findings, a finding at a time: each a row of numbers into the page's string table
 * (encodeFinding), packed into one typed array, with the accounts and rules they refer to. A
 * spilled run builds it as its findings are evaluated (htmlFormat.collect), so the page reads
 * none of them back from the spill file.
 */
export class PageFindings implements FindingCollector {
  readonly st = new StringTable();
  readonly accountIds: string[];
  readonly accountRows: (number | string)[][];
  readonly ruleRows: number[][] = [];
  private readonly accountIndex: Map<string, number>;
  private readonly ruleIndex = new Map<string, number>();
  private readonly rows = new PackedRows();
  /** One per finding, packed: in the string table 470,000 of them were ~50 MB at 10,000 accounts. */
  readonly fingerprints = new Fingerprints();
  /** The coverage map's verdicts, kept as the findings go by (not read back from a spill file). */
  readonly coverage = new CoverageVerdicts();

  constructor(accounts: Report['accounts'], rules: readonly Rule[]) {
    const st = this.st;
    this.accountIds = accounts.map((a) => a.id);
    this.accountRows = accounts.map((a) => [st.id(a.id), st.id(a.name), st.id(a.ouPath), a.status, st.idOrNull(a.reason)]);
    this.accountIndex = new Map(this.accountIds.map((id, i) => [id, i]));
    for (const r of rules) this.addRule(r.id, r.title, r.severity, r.scope, r.frameworks, r.references);
  }

  /** Built from the findings of a report, in memory or spilled (what the collector does as they are evaluated). */
  static of(report: Pick<Report, 'accounts'> & { findings: Iterable<ReportFinding> }, rules: readonly Rule[]): PageFindings {
    const page = new PageFindings(report.accounts, rules);
    for (const f of report.findings) page.add(f);
    return page;
  }

  add(f: ReportFinding, texts?: FindingTexts): void {
    const st = this.st;
    let account = this.accountIndex.get(f.accountId);
    if (account === undefined) {
      // A resource owned outside the scanned accounts (e.g. a bucket of another organization).
      account = this.accountRows.length;
      this.accountIndex.set(f.accountId, account);
      this.accountIds.push(f.accountId);
      this.accountRows.push([st.id(f.accountId), st.id(f.accountName), st.id(''), 'outside', st.id('not an account of the scan; owns a resource a trail uses')]);
    }
    // A finding of a rule not among the rules given.
    if (!this.ruleIndex.has(f.ruleId)) this.addRule(f.ruleId, f.title, f.severity, f.resource.type, f.frameworks, []);
    this.rows.add(encodeFinding(f, st, this.fingerprints.add(f.fingerprint), this.ruleIndex.get(f.ruleId)!, account, this.accountRows[account]![1] as number, texts?.evidence));
    this.coverage.add(f);
  }

  findingRows(): Iterable<number[]> {
    return this.rows.rows();
  }

  private addRule(id: string, title: string, severity: Severity, scope: string, frameworks: object, references: string[]): void {
    const st = this.st;
    this.ruleIndex.set(id, this.ruleRows.length);
    this.ruleRows.push([st.id(id), st.id(title), SEVERITIES.indexOf(severity), st.id(scope), st.id(JSON.stringify(frameworks)), st.id(JSON.stringify(references))]);
  }
}

/** htmlFormat.collect: the page's findings of a run, built as they are evaluated. */
export function collectPageFindings({ snapshot, rules }: CollectContext): PageFindings {
  // The report's accounts as buildReport gives them, strings capped.
  return new PageFindings(capStrings(reportAccounts(snapshot)), rules);
}

/** The page's data: everything the page renders itself, strings interned (see html-encode.ts). */
export function pageData({ report: given, snapshot, rules }: RenderInput): Record<string, unknown> {
  const report = evaluatedReport(given);
  // The page's strings after the findings' own are added here too: interning a string again gives
  // it the same index, so a page rendered twice from the same run is the same page.
  const collected = report.findings instanceof FindingStore ? report.findings.collected('html') : undefined;
  const page = collected instanceof PageFindings ? collected : PageFindings.of(report, rules);
  const { st, accountIds, accountRows, ruleRows } = page;

  // Columns: every region scanned (or attempted) in some account; not-opted-in and excluded ones add nothing.
  const attempted = snapshot.accounts.flatMap((a) => a.regions.filter((r) => r.status === 'scanned' || r.status === 'unreachable').map((r) => r.name));
  const regions = [...new Set([...report.scope.regions, ...attempted])].sort();
  const trailIndex = new Map(snapshot.trails.map((t, i) => [t.arn, i]));
  const trails = snapshot.trails.map((t) => [st.id(t.name), st.id(t.arn), st.id(t.ownerAccountId), st.id(t.homeRegion), t.isOrganizationTrail ? 1 : 0, t.isMultiRegionTrail ? 1 : 0]);
  const storeNames = new Map((snapshot.eventDataStores ?? []).map((d) => [d.arn, d.name]));
  // Encoded a row at a time, as the map makes them: the cells are never all held.
  const coverageRecorders: number[][][] = [];
  const coverage: number[][][] = [];
  for (const row of coverageRows(snapshot, page.coverage, accountIds, regions)) {
    // Per cell: [what records it (RECORDED_BY index, -1 not judged), the first recording event data store's name (string id or -1)].
    coverageRecorders.push(row.map((c) => [c.recordedBy ? RECORDED_BY.indexOf(c.recordedBy) : -1, st.idOrNull(storeNames.get(c.eventDataStores?.find((d) => d.note === 'records')?.arn ?? ''))]));
    // [state, reason (string id or -1), ...trail refs]
    coverage.push(row.map((cell) => [CELL_STATES.indexOf(cell.state), st.idOrNull(cell.reason ?? null), ...cell.trails.map((t) => trailIndex.get(t.arn)! * TRAIL_NOTES.length + TRAIL_NOTES.indexOf(t.note))]));
  }

  const mapped = new Set(rules.flatMap((r) => Object.keys(r.frameworks)));
  for (const f of report.findings.heads()) for (const fw of Object.keys(f.frameworks)) mapped.add(fw);
  const frameworks = [...mapped]
    .filter((fw) => !report.framework || fw === report.framework)
    .sort(natural);
  const accountNames = new Map(report.accounts.map((a) => [a.id, a.name]));
  const logIntegrity = integrityData(snapshot, report, st, (id) => accountNames.get(id) ?? id);
  return {
    version: 1,
    mark: MARK,
    statuses: STATUSES,
    severities: SEVERITIES,
    weights: SEVERITIES.map((s) => SCORE_WEIGHTS[s]),
    cellStates: CELL_STATES,
    trailNotes: TRAIL_NOTES,
    strings: st.strings,
    accounts: accountRows,
    rules: ruleRows,
    frameworks,
    regions,
    trails,
    coverage,
    coverageRecorders,
    recordedBy: RECORDED_BY,
    findings: new LazyItems(() => page.findingRows()),
    fingerprints: new LazyItems(() => page.fingerprints.items()),
    logIntegrity,
  };
}

/**
 * Rows of integers in Int32Array blocks of a fixed size (4 MB), each row prefixed by its length
 * and held whole in one block. One array doubled as it grew was up to twice the rows' size (64 MB
 * for 36 MB of rows at 10,000 accounts), and both arrays were alive while it was copied.
 */
export class PackedRows {
  private static readonly BLOCK = 1 << 20;
  private readonly blocks: { data: Int32Array; used: number }[] = [];

  add(row: readonly number[]): void {
    let block = this.blocks.at(-1);
    if (!block || block.used + row.length + 1 > block.data.length) {
      block = { data: new Int32Array(Math.max(PackedRows.BLOCK, row.length + 1)), used: 0 };
      this.blocks.push(block);
    }
    const { data } = block;
    data[block.used++] = row.length;
    for (const v of row) data[block.used++] = v;
  }

  *rows(): Generator<number[]> {
    for (const { data, used } of this.blocks) {
      for (let i = 0; i < used; ) {
        const n = data[i++]!;
        yield Array.from(data.subarray(i, i + n));
        i += n;
      }
    }
  }
}

/**
 * One finding as a row of numbers (indexes into the string table):
 * [fingerprint (index into the page's fingerprints), rule, status, severity, account, region, resource type, id, arn, name, title,
 *  message, remediation JSON, evidence JSON, frameworks JSON, waiver JSON, templated (0|1),
 *  and the finding's account name when it differs from its account's].
 * Resource fields are templated with [accountId, accountName, region]; texts additionally with
 * the resource's id, arn and name (marker digits 3, 4, 5).
 */
function encodeFinding(f: ReportFinding, st: StringTable, fingerprint: number, rule: number, account: number, accountName: number, evidence = JSON.stringify(f.evidence)): number[] {
  const base = [f.accountId, f.accountName, f.region ?? ''];
  const full = [...base, f.resource.id, f.resource.arn ?? '', f.resource.name];
  const texts = [f.message, JSON.stringify(f.remediation), evidence];
  // templatize returns null for a text that already holds the marker; then the whole row is stored verbatim.
  const templated = [
    templatize(f.resource.id, base),
    f.resource.arn === null ? null : templatize(f.resource.arn, base),
    templatize(f.resource.name, base),
    ...texts.map((t) => templatize(t, full)),
  ];
  const canTemplate = templated.every((t, i) => t !== null || (i === 1 && f.resource.arn === null));
  const [id, arn, name, ...bodies] = canTemplate ? templated : [f.resource.id, f.resource.arn, f.resource.name, ...texts];
  const row = [
    fingerprint,
    rule,
    STATUSES.indexOf(f.status),
    SEVERITIES.indexOf(f.severity),
    account,
    st.idOrNull(f.region),
    st.id(f.resource.type),
    st.id(id!),
    st.idOrNull(arn),
    st.id(name!),
    st.id(f.title),
    ...bodies.map((t, k) => st.idAfter(k, t!)),
    st.id(frameworksText(f.frameworks)),
    f.waiver ? st.id(JSON.stringify(f.waiver)) : -1,
    canTemplate ? 1 : 0,
  ];
  const ownName = st.id(f.accountName);
  if (ownName !== accountName) row.push(ownName);
  return row;
}
