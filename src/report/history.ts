// --history DIR: earlier report.json files of the same organization (for example the last 30
// scheduled runs), read one at a time and kept only as their scores, so a folder of large
// reports costs one report's memory. With this run's report they make the trend per framework
// and per OU, and the newest of them is diffed against this run: what is new, what was resolved.
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UsageError } from '../core/errors.js';
import { diffReports, type ReportDiff } from './diff.js';
import { ScoreTally } from './formats/html-view.js';
import { loadReport } from './load.js';
import { evaluatedReport, type AnyReport, type Report } from './report.js';

/** The most runs a trend draws: the newest ones are kept. */
export const MAX_HISTORY_RUNS = 100;

/** One run's scores (percent 0-100, or null when nothing weighted was judged). */
export interface TrendPoint {
  /** The report's file, relative to the history directory; null for this run. */
  file: string | null;
  generatedAt: string;
  snapshotTakenAt: string;
  rulesPackSha256: string;
  overall: number | null;
  frameworks: Record<string, number | null>;
  /** Keyed by OU path; accounts outside the organization under "". */
  ous: Record<string, number | null>;
}

export interface LoadedHistory {
  dir: string;
  /** Oldest first. */
  points: TrendPoint[];
  organizationIds: { file: string; organizationId: string | null }[];
  /** The newest earlier report, its findings without their texts (what the diff needs). */
  latest: { file: string; report: Report } | null;
  /** Reports left out because more than MAX_HISTORY_RUNS were given. */
  dropped: number;
}

export interface History {
  dir: string;
  /** Oldest first; this run is the last point. */
  points: TrendPoint[];
  dropped: number;
  /** Since the newest earlier run: null when the directory held none. */
  previous: { file: string; generatedAt: string; diff: ReportDiff } | null;
}

/** This run's or an earlier run's scores, overall, per framework and per OU. */
export function trendPoint(given: AnyReport, file: string | null): TrendPoint {
  const report = evaluatedReport(given);
  const ouOf = new Map(report.accounts.map((a) => [a.id, a.ouPath]));
  const byFramework = new Map<string, ScoreTally>();
  const byOu = new Map<string, ScoreTally>();
  const overall = new ScoreTally();
  const tally = (m: Map<string, ScoreTally>, key: string) => m.get(key) ?? m.set(key, new ScoreTally()).get(key)!;
  for (const f of report.findings.heads()) {
    for (const fw of Object.keys(f.frameworks)) tally(byFramework, fw).add(f);
    tally(byOu, ouOf.get(f.accountId) ?? '').add(f);
    overall.add(f);
  }
  const scores = (m: Map<string, ScoreTally>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.score().percent]));
  const frameworks = scores(byFramework);
  // A --framework report is scored on that framework alone; so is its trend.
  if (report.framework) for (const fw of Object.keys(frameworks)) if (fw !== report.framework) delete frameworks[fw];
  return {
    file,
    generatedAt: report.generatedAt,
    snapshotTakenAt: report.snapshotTakenAt,
    rulesPackSha256: report.rulesPack.sha256,
    overall: overall.score().percent,
    frameworks,
    ous: scores(byOu),
  };
}

/** The report files of DIR: DIR/*.json, and DIR/<run>/report.json one level down (a folder of --out directories). */
async function reportFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--history: ${dir}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (err as Error).message}`);
  }
  const files: string[] = [];
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.json')) files.push(join(dir, e.name));
    else if (e.isDirectory()) {
      const inner = join(dir, e.name, 'report.json');
      const st = await stat(inner).catch(() => null);
      if (st?.isFile()) files.push(inner);
    }
  }
  return files.sort();
}

/**
 * Reads every earlier report of DIR (a malformed one is an input error naming it, as --baseline's
 * is) and keeps its scores. Called before the scan, so a bad folder costs no AWS call.
 */
export async function loadHistory(dir: string): Promise<LoadedHistory> {
  const points: TrendPoint[] = [];
  const organizationIds: LoadedHistory['organizationIds'] = [];
  let latest: LoadedHistory['latest'] = null;
  for (const file of await reportFiles(dir)) {
    const report = await loadReport(file);
    const name = relative(dir, file);
    points.push(trendPoint(report, name));
    organizationIds.push({ file: name, organizationId: report.scope.organizationId });
    if (!latest || report.generatedAt > latest.report.generatedAt) latest = { file: name, report: lean(report) };
  }
  points.sort((a, b) => a.generatedAt.localeCompare(b.generatedAt) || (a.file ?? '').localeCompare(b.file ?? ''));
  const dropped = Math.max(0, points.length - MAX_HISTORY_RUNS);
  return { dir, points: points.slice(dropped), organizationIds, latest, dropped };
}

/** A report with its findings' texts dropped: the diff matches on fingerprint and compares status, severity and waiver. */
function lean(report: AnyReport): Report {
  const findings: Report['findings'] = [];
  for (const f of report.findings) findings.push({ ...f, message: '', remediation: null, evidence: {} });
  return { ...report, findings };
}

/**
 * The trend with this run as its last point, and the diff from the newest earlier run. A report of
 * another organization would draw someone else's posture as this one's past: refused. A report
 * generated at the same time as this run (the same run read back) is not an earlier run.
 */
export function historyFor(loaded: LoadedHistory, current: AnyReport): History {
  const other = loaded.organizationIds.find((o) => o.organizationId !== current.scope.organizationId);
  if (other) {
    const org = (id: string | null) => (id ? `organization ${id}` : 'no organization (a single account)');
    throw new UsageError(`--history: ${join(loaded.dir, other.file)} is a report of ${org(other.organizationId)}, this run is of ${org(current.scope.organizationId)}`);
  }
  const earlier = loaded.points.filter((p) => p.generatedAt < current.generatedAt);
  const latest = loaded.latest && loaded.latest.report.generatedAt < current.generatedAt ? loaded.latest : null;
  // With the same run read back in the folder, the newest earlier one is not in memory: no diff rather than a wrong one.
  const previous = latest && earlier.at(-1)?.file === latest.file ? { file: latest.file, generatedAt: latest.report.generatedAt, diff: diffReports(latest.report, lean(current)) } : null;
  return { dir: loaded.dir, points: [...earlier, trendPoint(current, null)], dropped: loaded.dropped, previous };
}
