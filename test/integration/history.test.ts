// --history DIR, as a scheduled audit uses it: three earlier runs of the demo organization (the
// demo snapshot with trails changed between runs) are evaluated into a folder, then this run's
// report.html draws their trend and lists what is new and resolved since the last of them.
// The figures on the page are checked against report.json files computed independently here.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffReports } from '../../src/report/diff.js';
import { postureScore } from '../../src/report/formats/html-view.js';
import type { Report } from '../../src/report/report.js';
import { axeViolations } from '../harness/axe.js';
import { cli } from '../harness/cli.js';
import { launchChromium } from '../harness/chromium.js';

const DEMO = new URL('../../demo/snapshot.json', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'tw-history-'));
const historyDir = join(root, 'history');
const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
let earlier: Report[] = [];
let current: Report;
let html: string;
let md: string;
let browser: Browser;

/** The demo snapshot as it was `days` before its scan, with log file validation off on every other trail. */
function pastSnapshot(days: number, validationOff: boolean): string {
  const s = JSON.parse(readFileSync(DEMO, 'utf8'));
  const at = Date.parse(s.finishedAt) - days * 86_400_000;
  s.startedAt = new Date(at - 60_000).toISOString();
  s.finishedAt = new Date(at).toISOString();
  s.trails.forEach((t: { logFileValidationEnabled: boolean }, k: number) => {
    t.logFileValidationEnabled = validationOff ? k % 2 !== 0 && t.logFileValidationEnabled : true;
  });
  const file = join(root, `snapshot-${days}.json`);
  writeFileSync(file, JSON.stringify(s));
  return file;
}

beforeAll(async () => {
  mkdirSync(historyDir);
  // Two layouts in one folder: a flat report file, and --out directories one level down.
  for (const [days, off, place] of [[20, true, 'flat'], [10, true, 'run-10'], [1, false, 'run-01']] as const) {
    const out = join(root, `out-${days}`);
    const run = await cli(['evaluate', pastSnapshot(days, off), '--out', out, '--allow-incomplete', '--fail-on', 'none', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    if (place === 'flat') cpSync(join(out, 'report.json'), join(historyDir, 'older.json'));
    else cpSync(out, join(historyDir, place), { recursive: true });
    earlier.push(readReport(out));
  }
  earlier = earlier.sort((a, b) => a.generatedAt.localeCompare(b.generatedAt));
  const out = join(root, 'now');
  const run = await cli(['evaluate', DEMO, '--history', historyDir, '--format', 'html,md', '--out', out, '--allow-incomplete', '--fail-on', 'none', '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  current = readReport(out);
  html = readFileSync(join(out, 'report.html'), 'utf8');
  md = readFileSync(join(out, 'report.md'), 'utf8');
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('--history', () => {
  it('draws one point per run, this run last, with the scores report.json gives', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(pathToFileURL(join(root, 'now', 'report.html')).href);
    await page.waitForSelector('html[data-ready]');
    expect(await page.locator('#history h2').textContent()).toContain('4 run(s)');
    const runs = [...earlier, current];
    const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
    const row = async (series: string) => (await page.locator(`#history .trend-table tr[data-series="${series}"] td`).allTextContents()).slice(0, runs.length);
    expect(await row('all')).toEqual(runs.map((r) => pct(postureScore(r.findings).percent)));
    const cis = (r: Report) => postureScore(r.findings.filter((f) => f.frameworks['cis-aws-v3.0.0'])).percent;
    expect(await row('cis-aws-v3.0.0')).toEqual(runs.map((r) => pct(cis(r))));
    // Turning validation on across the trails raised the CIS score between the second and third run.
    expect(cis(runs[2]!)!).toBeGreaterThan(cis(runs[1]!)!);
    // One line per series in the chart, a dot per run.
    const series = await page.locator('#history svg.trend g.series').count();
    expect(series).toBe(await page.locator('#history .trend-table tbody tr').count());
    expect(await page.locator('#history svg.trend g.series[data-series="all"] circle').count()).toBe(runs.length);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('lists what is new and what was resolved since the newest earlier run', () => {
    const diff = diffReports(earlier.at(-1)!, current);
    expect(diff.new.length + diff.resolved.length).toBeGreaterThan(0);
    expect(html).toContain(`data-new="${diff.new.length}" data-resolved="${diff.resolved.length}"`);
    expect(html).toContain(`New FAIL since the previous run (${diff.new.length})`);
    // report.md, for a scheduled job's summary, says the same in one line under the headline.
    const pct = (r: Report) => `${postureScore(r.findings).percent!.toFixed(1)}%`;
    expect(md.split('\n\n')[2]).toBe(
      `Since the previous run (${earlier.at(-1)!.generatedAt.replace(/_/g, '\\_')}, run-01/report.json): **${diff.new.length} new FAIL**, ${diff.resolved.length} resolved, ${diff.changed.length} otherwise changed; posture score ${pct(earlier.at(-1)!)} → ${pct(current)}.`,
    );
    for (const e of diff.new.slice(0, 5)) expect(html).toContain(`<code title="${e.title.replace(/'/g, '&#x27;')}">${e.ruleId}</code></td><td>${e.accountName} (${e.accountId})</td>`);
  });

  it('scores each OU of this run over time, the weakest first', () => {
    const ous = [...html.matchAll(/<table class="ou-trend">[\s\S]*?<\/table>/g)][0]![0];
    const names = [...ous.matchAll(/<tr><th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    const accountsOu = new Map(current.accounts.map((a) => [a.id, a.ouPath]));
    const expected = [...new Set(current.findings.map((f) => accountsOu.get(f.accountId) ?? ''))];
    expect(new Set(names)).toEqual(new Set(expected.map((o) => o || '(outside the organization)')));
    const now = [...ous.matchAll(/<td class="num">([\d.]+)%<\/td>/g)].map((m) => Number(m[1]));
    expect(now).toEqual([...now].sort((a, b) => a - b));
  });

  it('refuses a malformed report, another organization\'s, and a missing folder: exit 2 naming it, nothing written', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'tw-history-bad-'));
    writeFileSync(join(bad, 'broken.json'), '{"schemaVersion": "1.2", "findings": [ {"nope": 1} ]');
    const out = join(root, 'refused');
    const broken = await cli(['evaluate', DEMO, '--history', bad, '--out', out]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.json');
    const other = mkdtempSync(join(tmpdir(), 'tw-history-other-'));
    const foreign = structuredClone(earlier[0]!);
    foreign.scope.organizationId = 'o-someoneelse';
    writeFileSync(join(other, 'foreign.json'), JSON.stringify(foreign));
    const refused = await cli(['evaluate', DEMO, '--history', other, '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--history: .*foreign\.json is a report of organization o-someoneelse, this run is of organization o-/);
    const missing = await cli(['evaluate', DEMO, '--history', join(root, 'nowhere'), '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--history: ');
    expect(missing.stderr).toContain('no such directory');
    expect(() => readFileSync(join(out, 'report.json'))).toThrow();
  });

  it('refuses --history with --evidence before any AWS call: verify could not render the trend again', async () => {
    const run = await cli(['scan', '--history', historyDir, '--evidence', join(root, 'bundle'), '--out', join(root, 'scan-out'), '--endpoint-url', 'http://127.0.0.1:9']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--evidence and --history together');
  });
});
