// The log-integrity view of the HTML report (scan --verify-logs): per trail, account and region a
// timeline of the window (verified, gap, tampered and unread spans), the stream's counts, its
// gaps, defects and read errors. An organization of 1,000 accounts in 17 regions has 17,000
// streams, so they travel as compact rows (strings interned, times in seconds from the window's
// start) that the page draws itself, a page of them at a time, the streams with a problem first.
// The trails that do not validate their log files are listed by the template, one line each.
import { LogDefect, type LogStream, type Snapshot } from '../../inventory/schema.js';
import { STATUSES, type Status } from '../../findings/finding.js';
import { evaluatedReport, type AnyReport } from '../report.js';
import type { StringTable } from './html-encode.js';

export const INTEGRITY_RULE = 'trail-log-integrity';
export const CONTINUITY_RULE = 'trail-log-continuity';
export const SPAN_STATES = ['verified', 'gap', 'tampered', 'unread'] as const;
export const DEFECT_KINDS = LogDefect.shape.kind.options;

/**
 * How badly a stream needs attention, worst first: 4 tampered (a defect, a tampered span or an
 * integrity FAIL), 3 a gap past the threshold (continuity FAIL), 2 not fully read (a read error,
 * an unread span, nothing verified, or an ERROR finding), 1 a gap within the threshold, 0 clean.
 * Rank 2 and up is "a problem": drawn first and shown by default.
 */
export const PROBLEM_RANK = 2;

export interface StreamVerdicts {
  integrity: Status | null;
  continuity: Status | null;
}

export function streamRank(s: LogStream, v: StreamVerdicts): number {
  if (v.integrity === 'FAIL' || s.defectCount > 0 || s.spans.some((x) => x.state === 'tampered')) return 4;
  if (v.continuity === 'FAIL') return 3;
  if (v.integrity === 'ERROR' || v.continuity === 'ERROR' || s.readErrorCount > 0 || !s.verified || s.spans.some((x) => x.state === 'unread')) return 2;
  return s.gaps.length ? 1 : 0;
}

const RANK: Record<Status, number> = { FAIL: 4, ERROR: 3, PASS: 2, NOT_APPLICABLE: 1 };

function verdicts(given: AnyReport): Map<string, StreamVerdicts> {
  const report = evaluatedReport(given);
  const out = new Map<string, StreamVerdicts>();
  // In report order (rules by id), as the map's order follows it.
  for (const f of [INTEGRITY_RULE, CONTINUITY_RULE].sort((a, b) => a.localeCompare(b)).flatMap((id) => [...report.findings.ofRule(id)])) {
    if (f.resource.type !== 'log-stream') continue;
    const v = out.get(f.resource.id) ?? out.set(f.resource.id, { integrity: null, continuity: null }).get(f.resource.id)!;
    const key = f.ruleId === INTEGRITY_RULE ? 'integrity' : 'continuity';
    const had = v[key];
    if (had === null || RANK[f.status] > RANK[had]) v[key] = f.status;
  }
  return out;
}

export interface NotValidatedTrail {
  name: string;
  arn: string;
  reason: string;
  streams: number;
}

export interface IntegritySummary {
  since: string;
  until: string;
  /** "2026-11-14 12:00 UTC", as the page's timelines label the window */
  sinceLabel: string;
  untilLabel: string;
  depth: string;
  /** depth logs: every listed log file was hashed */
  hashed: boolean;
  streams: number;
  problems: number;
  clean: number;
  objects: number;
  bytes: number;
  /** "1,234 objects, 5.6 MB read" */
  readLabel: string;
  notValidated: NotValidatedTrail[];
}

const utcLabel = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const megabytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`);
const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** The trails with a stream whose log files are not validated, and the snapshot's trails that do not validate. */
function notValidatedTrails(snapshot: Snapshot): NotValidatedTrail[] {
  const li = snapshot.logIntegrity!;
  const byArn = new Map<string, NotValidatedTrail>();
  const reason = 'log file validation is off, so CloudTrail wrote no digest to check (trail-log-file-validation reports it)';
  for (const s of li.streams) {
    if (s.validationEnabled) continue;
    const t = byArn.get(s.trailArn) ?? byArn.set(s.trailArn, { name: s.trailName, arn: s.trailArn, reason, streams: 0 }).get(s.trailArn)!;
    t.streams++;
  }
  for (const t of snapshot.trails) {
    if (t.logFileValidationEnabled || byArn.has(t.arn)) continue;
    byArn.set(t.arn, { name: t.name, arn: t.arn, reason, streams: 0 });
  }
  return [...byArn.values()].sort((a, b) => natural(a.name, b.name) || natural(a.arn, b.arn));
}

interface Ranked {
  stream: LogStream;
  verdicts: StreamVerdicts;
  rank: number;
}

function rankedStreams(snapshot: Snapshot, report: AnyReport, accountName: (id: string) => string): Ranked[] {
  const v = verdicts(report);
  const ranked = snapshot.logIntegrity!.streams
    .filter((s) => s.validationEnabled)
    .map((stream) => {
      const sv = v.get(stream.id) ?? { integrity: null, continuity: null };
      return { stream, verdicts: sv, rank: streamRank(stream, sv) };
    });
  // Trails with the worst stream first; inside a trail, the worst streams first, then by account name and region.
  const trailRank = new Map<string, number>();
  for (const r of ranked) trailRank.set(r.stream.trailArn, Math.max(trailRank.get(r.stream.trailArn) ?? 0, r.rank));
  return ranked.sort(
    (a, b) =>
      trailRank.get(b.stream.trailArn)! - trailRank.get(a.stream.trailArn)! ||
      natural(a.stream.trailName, b.stream.trailName) ||
      natural(a.stream.trailArn, b.stream.trailArn) ||
      b.rank - a.rank ||
      natural(accountName(a.stream.accountId), accountName(b.stream.accountId)) ||
      natural(a.stream.accountId, b.stream.accountId) ||
      natural(a.stream.region, b.stream.region),
  );
}

/** What the template renders itself: the window, the counts, and the trails that were not verified. */
export function integritySummary(snapshot: Snapshot, report: AnyReport): IntegritySummary | null {
  const li = snapshot.logIntegrity;
  if (!li) return null;
  const ranked = rankedStreams(snapshot, report, (id) => id);
  const problems = ranked.filter((r) => r.rank >= PROBLEM_RANK).length;
  return {
    since: li.since,
    until: li.until,
    sinceLabel: utcLabel(li.since),
    untilLabel: utcLabel(li.until),
    depth: li.depth,
    hashed: li.depth === 'logs',
    streams: ranked.length,
    problems,
    clean: ranked.filter((r) => r.rank === 0).length,
    objects: li.objects,
    bytes: li.bytes,
    readLabel: `${li.objects.toLocaleString('en')} objects, ${megabytes(li.bytes)} read`,
    notValidated: notValidatedTrails(snapshot),
  };
}

/**
 * The page's data for the view, or null without --verify-logs. Each stream is one row:
 * [trail, account id, account name, region, flags (1 verified), rank, integrity status, continuity
 *  status, counts (digests valid, invalid, missing; logs valid, invalid, missing, unchecked,
 *  unlisted, unlisted in chain), spans [state, start, end]..., gaps [start, end, hours, reason]...,
 *  defects [kind, key, reason, time]..., defect count, read errors [key, operation, code, message]...,
 *  read error count, first digest time, last digest time, bucket, reader account]
 * with strings as string-table indexes (-1 for null), statuses as indexes of STATUSES (-1 for
 * none), and times in seconds from the window's start (a defect's -1 when it has none; times
 * outside the window keep their value, the page clips what it draws).
 */
export function integrityData(snapshot: Snapshot, report: AnyReport, st: StringTable, accountName: (id: string) => string): Record<string, unknown> | null {
  const li = snapshot.logIntegrity;
  if (!li) return null;
  const since = Date.parse(li.since);
  const sec = (iso: string) => Math.round((Date.parse(iso) - since) / 1000);
  const trailIndex = new Map<string, number>();
  const trails: number[][] = [];
  const status = (s: Status | null) => (s === null ? -1 : STATUSES.indexOf(s));
  const streams = rankedStreams(snapshot, report, accountName).map(({ stream: s, verdicts: v, rank }) => {
    let trail = trailIndex.get(s.trailArn);
    if (trail === undefined) {
      trail = trails.length;
      trailIndex.set(s.trailArn, trail);
      trails.push([st.id(s.trailName), st.id(s.trailArn), st.id(s.trailHomeRegion), s.organizationId ? 1 : 0]);
    }
    return [
      trail,
      st.id(s.accountId),
      st.id(accountName(s.accountId)),
      st.id(s.region),
      s.verified ? 1 : 0,
      rank,
      status(v.integrity),
      status(v.continuity),
      [s.digests.valid, s.digests.invalid, s.digests.missing, s.logs.valid, s.logs.invalid, s.logs.missing, s.logs.unchecked, s.logs.unlisted, s.logs.unlistedInChain],
      s.spans.flatMap((x) => [SPAN_STATES.indexOf(x.state), sec(x.start), sec(x.end)]),
      s.gaps.flatMap((g) => [sec(g.start), sec(g.end), g.hours, st.idOrNull(g.reason)]),
      s.defects.flatMap((d) => [DEFECT_KINDS.indexOf(d.kind), st.id(d.key), st.id(d.reason), d.time === null ? -1 : sec(d.time)]),
      s.defectCount,
      s.readErrors.flatMap((e) => [st.idOrNull(e.key), st.id(e.operation), st.id(e.code), st.id(e.message)]),
      s.readErrorCount,
      st.idOrNull(s.firstDigestTime),
      st.idOrNull(s.lastDigestTime),
      st.idOrNull(s.bucket),
      st.idOrNull(s.readerAccountId),
    ];
  });
  return {
    since: li.since,
    until: li.until,
    seconds: sec(li.until),
    depth: li.depth,
    problemRank: PROBLEM_RANK,
    spanStates: SPAN_STATES,
    defectKinds: DEFECT_KINDS,
    trails,
    streams,
  };
}
