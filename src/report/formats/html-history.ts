// The HTML report's "Over time" section (--history): the score trend per framework as an inline
// SVG chart with the same numbers in a table, the trend per OU as a table of small charts, and
// what is new and what was resolved since the previous run. Everything here is numbers and
// escaped text for the template: the chart is drawn at render time, no script involved.
import { FRAMEWORK_NAMES } from '../../engine/docs.js';
import type { DiffEntry } from '../diff.js';
import type { History, TrendPoint } from '../history.js';

/** Rows listed in the new and resolved tables; the rest are counted (trailwarden diff lists all). */
export const MAX_CHANGE_ROWS = 100;
/** OUs drawn in the per-OU table, the lowest score now first. */
export const MAX_OU_ROWS = 50;

const CHART = { width: 760, height: 240, left: 44, right: 16, top: 12, bottom: 34 };
const SPARK = { width: 140, height: 28, pad: 3 };
/** Distinct in hue and lightness, readable on white; each series also has its name beside its swatch. */
const PALETTE = ['#1f2328', '#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#116329', '#953800', '#0550ae'];

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The polyline(s) of one series: a run with no score breaks the line rather than drawing through it. */
function segments(values: (number | null)[], x: (i: number) => number, y: (v: number) => number): string[] {
  const out: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) out.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (current.length) out.push(current.join(' '));
  return out;
}

function series(points: TrendPoint[], pick: (p: TrendPoint) => number | null) {
  return points.map(pick);
}

function change(values: (number | null)[]) {
  const now = values.at(-1) ?? null;
  const before = values.length > 1 ? (values.at(-2) ?? null) : null;
  if (now === null || before === null) return { text: '—', cls: 'same' };
  const d = now - before;
  if (Math.abs(d) < 0.05) return { text: '±0.0', cls: 'same' };
  return { text: `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(1)}`, cls: d > 0 ? 'up' : 'down' };
}

function chartView(points: TrendPoint[], frameworks: string[]) {
  const n = points.length;
  const w = CHART.width - CHART.left - CHART.right;
  const h = CHART.height - CHART.top - CHART.bottom;
  const x = (i: number) => CHART.left + (n === 1 ? w / 2 : (i * w) / (n - 1));
  const y = (v: number) => CHART.top + h - (v / 100) * h;
  const all = [{ id: 'all', label: 'All rules', values: series(points, (p) => p.overall) }, ...frameworks.map((fw) => ({ id: fw, label: FRAMEWORK_NAMES[fw] ? `${FRAMEWORK_NAMES[fw]} (${fw})` : fw, values: series(points, (p) => p.frameworks[fw] ?? null) }))];
  const lines = all.map((s, k) => ({
    ...s,
    colour: PALETTE[k % PALETTE.length]!,
    dashed: k >= PALETTE.length,
    segments: segments(s.values, x, y),
    dots: s.values.flatMap((v, i) => (v === null ? [] : [{ cx: x(i).toFixed(1), cy: y(v).toFixed(1), title: `${s.label}: ${pct(v)} on ${when(points[i]!.generatedAt)}` }])),
    now: pct(s.values.at(-1) ?? null),
    change: change(s.values),
    cells: s.values.map(pct),
  }));
  // Axis labels: every run when there are few, else about eight evenly spread (always the last).
  const step = Math.max(1, Math.ceil(n / 8));
  const anchor = (i: number) => (n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle');
  const ticks = points.flatMap((p, i) => (i % step === 0 || i === n - 1 ? [{ x: x(i).toFixed(1), label: p.generatedAt.slice(0, 10), y: CHART.height - 12, anchor: anchor(i) }] : []));
  const grid = [0, 25, 50, 75, 100].map((v) => ({ y: y(v).toFixed(1), label: `${v}%`, x: CHART.left - 6 }));
  const latest = lines.map((l) => `${l.label} ${l.now}`).join(', ');
  return {
    width: CHART.width,
    height: CHART.height,
    left: CHART.left,
    right: CHART.width - CHART.right,
    lines,
    ticks,
    grid,
    label: `Posture score per run, ${n} run(s) from ${when(points[0]!.generatedAt)} to ${when(points.at(-1)!.generatedAt)} UTC; now: ${latest}. The table below has every value.`,
  };
}

function sparkline(values: (number | null)[]) {
  const n = values.length;
  const w = SPARK.width - 2 * SPARK.pad;
  const h = SPARK.height - 2 * SPARK.pad;
  const x = (i: number) => SPARK.pad + (n === 1 ? w / 2 : (i * w) / (n - 1));
  const y = (v: number) => SPARK.pad + h - (v / 100) * h;
  const last = values.at(-1);
  return {
    width: SPARK.width,
    height: SPARK.height,
    segments: segments(values, x, y),
    end: last === null || last === undefined ? null : { cx: x(n - 1).toFixed(1), cy: y(last).toFixed(1) },
  };
}

function changeRow(e: DiffEntry) {
  const before = e.before ? e.before.status : 'not in the previous report';
  const after = e.after ? e.after.status : 'not in this report';
  return { severity: (e.after ?? e.before)!.severity, ruleId: e.ruleId, title: e.title, accountName: e.accountName, accountId: e.accountId, region: e.region ?? 'global', resource: e.resource.name, before, after };
}

export function historyView(history: History | undefined, framework: string | null) {
  if (!history) return null;
  const points = history.points;
  const frameworks = [...new Set(points.flatMap((p) => Object.keys(p.frameworks)))]
    .filter((fw) => !framework || fw === framework)
    .sort();
  // The OUs of this run, the weakest first (an OU gone since is left out).
  const current = points.at(-1)!;
  const ous = Object.keys(current.ous)
    .map((key) => {
      const values = series(points, (p) => (key in p.ous ? p.ous[key]! : null));
      return { ou: key || '(outside the organization)', values, now: values.at(-1) ?? null };
    })
    .sort((a, b) => (a.now ?? 101) - (b.now ?? 101) || a.ou.localeCompare(b.ou));
  const diff = history.previous?.diff;
  const packs = new Set(points.map((p) => p.rulesPackSha256));
  return {
    runs: points.length,
    earlier: points.length - 1,
    dropped: history.dropped,
    since: when(points[0]!.generatedAt),
    packsDiffer: packs.size > 1,
    runLabels: points.map((p, i) => ({ label: when(p.generatedAt), file: p.file ?? 'this run', last: i === points.length - 1 })),
    chart: chartView(points, frameworks),
    ous: ous.slice(0, MAX_OU_ROWS).map((o) => ({ ou: o.ou, now: pct(o.now), change: change(o.values), spark: sparkline(o.values), values: o.values.map(pct).join(' → ') })),
    ousMore: Math.max(0, ous.length - MAX_OU_ROWS),
    previous: history.previous
      ? {
          file: history.previous.file,
          generatedAt: when(history.previous.generatedAt),
          newCount: diff!.new.length,
          resolvedCount: diff!.resolved.length,
          changedCount: diff!.changed.length,
          new: diff!.new.slice(0, MAX_CHANGE_ROWS).map(changeRow),
          resolved: diff!.resolved.slice(0, MAX_CHANGE_ROWS).map(changeRow),
          newMore: Math.max(0, diff!.new.length - MAX_CHANGE_ROWS),
          resolvedMore: Math.max(0, diff!.resolved.length - MAX_CHANGE_ROWS),
        }
      : null,
  };
}
