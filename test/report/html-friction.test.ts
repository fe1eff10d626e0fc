// The demo organization's report.html in real headless Chromium, at 1440 x 900: the heatmap puts
// the rules with the most impact first and marks severity, a cell opens its findings expanded,
// the filters live in the URL, the coverage map fits 20 regions without sideways scrolling and
// says why a cell is unknown, and axe-core finds no accessibility violation.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare, writeReports } from '../../src/core/pipeline.js';
import { SCORE_WEIGHTS } from '../../src/findings/weights.js';
import { Snapshot } from '../../src/inventory/schema.js';
import type { Report } from '../../src/report/report.js';
import { axeViolations } from '../harness/axe.js';
import { launchChromium } from '../harness/chromium.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const SEV_LETTER: Record<string, string> = { critical: 'C', high: 'H', medium: 'M', low: 'L', informational: 'I' };
let dir: string;
let url: string;
let report: Report;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

async function open(at: string): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  p.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  p.on('pageerror', (e) => consoleErrors.push(e.message));
  await p.goto(at);
  await p.waitForSelector('html[data-ready]');
  return p;
}
const count = (p: Page) => p.locator('#result-count').getAttribute('data-count').then(Number);

beforeAll(async () => {
  const snapshot = Snapshot.parse(JSON.parse(await readFile(join(ROOT, 'demo/snapshot.json'), 'utf8')));
  const outcome = evaluateSnapshot(snapshot, await prepare({ format: ['html'] }, ROOT), undefined, new Date(snapshot.finishedAt));
  report = outcome.report;
  dir = await mkdtemp(join(tmpdir(), 'tw-html-friction-'));
  await writeReports(dir, outcome, ['html']);
  url = pathToFileURL(join(dir, 'report.html')).href;
  browser = await launchChromium();
  page = await open(url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('report.html on the demo organization', () => {
  it('has no accessibility violation by axe-core, as loaded and with a finding expanded', async () => {
    expect(await axeViolations(page)).toEqual([]);
    const p = await open(url);
    await p.locator('#heatmap-grid button.cell.st-FAIL').first().click();
    await expect.poll(() => p.locator('#finding-list details.finding[open] .body').count()).toBeGreaterThan(0);
    expect(await axeViolations(p)).toEqual([]);
    await p.close();
    expect(consoleErrors).toEqual([]);
  });

  it('orders the heatmap rules by impact and marks severity on FAIL and ERROR cells', async () => {
    const impact = new Map<string, number>();
    const errors = new Map<string, number>();
    for (const f of report.findings) {
      if (f.status === 'FAIL' && !f.waiver) impact.set(f.ruleId, (impact.get(f.ruleId) ?? 0) + SCORE_WEIGHTS[f.severity]);
      if (f.status === 'ERROR') errors.set(f.ruleId, (errors.get(f.ruleId) ?? 0) + 1);
    }
    const shown = await page.locator('#heatmap-grid button.hm-head').allTextContents();
    expect(shown.length).toBeGreaterThan(10);
    const key = (id: string) => [impact.get(id) ?? 0, errors.get(id) ?? 0] as const;
    for (let i = 1; i < shown.length; i++) {
      const [a, b] = [key(shown[i - 1]!), key(shown[i]!)];
      expect(a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && shown[i - 1]!.localeCompare(shown[i]!) < 0))), `${shown[i - 1]} before ${shown[i]}`).toBe(true);
    }
    // The first column is the rule whose FAILs weigh the most.
    const top = [...impact.entries()].sort((x, y) => y[1] - x[1])[0]!;
    expect(key(shown[0]!)[0]).toBe(top[1]);

    // Every FAIL/ERROR cell carries its rule's severity letter, and its label says the severity.
    const severity = new Map(report.findings.map((f) => [f.ruleId, f.severity]));
    const cells = await page.locator('#heatmap-grid button.cell.st-FAIL, #heatmap-grid button.cell.st-ERROR').evaluateAll((els) =>
      els.map((e) => ({ label: e.getAttribute('aria-label') ?? '', sev: e.getAttribute('data-sev'), rule: e.getAttribute('title') ?? '' })),
    );
    expect(cells.length).toBeGreaterThan(20);
    for (const c of cells) {
      const ruleId = shown.find((id) => c.label.includes(`, ${id}: `))!;
      expect(ruleId, c.label).toBeDefined();
      expect(c.sev).toBe(SEV_LETTER[severity.get(ruleId)!]);
      expect(c.label).toContain(`severity ${severity.get(ruleId)}`);
    }
    // Hovering a rule gives its full name.
    const first = page.locator('#heatmap-grid button.hm-head').first();
    const title = report.findings.find((f) => f.ruleId === shown[0])!.title;
    expect(await first.getAttribute('title')).toContain(title);
  });

  it('opens the findings of a heatmap cell expanded, and keeps the view in a shareable URL', async () => {
    const p = await open(url);
    const cell = p.locator('#heatmap-grid button.cell.st-FAIL').first();
    await cell.click();
    const accountId = await p.locator('#filters select[name="account"]').inputValue();
    const ruleId = await p.locator('#filters select[name="rule"]').inputValue();
    const expected = report.findings.filter((f) => f.accountId === accountId && f.ruleId === ruleId);
    expect(expected.length).toBeGreaterThan(0);
    await expect.poll(() => count(p)).toBe(expected.length);
    // Expanded: the first finding's message and remediation are on screen.
    const opened = p.locator('#finding-list details.finding[open]').first();
    const fingerprint = await opened.getAttribute('data-fingerprint');
    const finding = report.findings.find((f) => f.fingerprint === fingerprint)!;
    expect(await opened.locator('.message').textContent()).toBe(finding.message);
    expect(await opened.locator('.message').isVisible()).toBe(true);
    if (expected.length <= 10) expect(await p.locator('#finding-list details.finding[open]').count()).toBe(expected.length);

    // The URL carries the filters; opened elsewhere, it restores them.
    const shared = p.url();
    expect(shared).toContain('#findings?');
    expect(new URLSearchParams(shared.split('#findings?')[1]).get('rule')).toBe(ruleId);
    const q = await open(shared);
    expect(await q.locator('#filters select[name="account"]').inputValue()).toBe(accountId);
    expect(await q.locator('#filters select[name="rule"]').inputValue()).toBe(ruleId);
    expect(await count(q)).toBe(expected.length);
    await p.close();
    await q.close();
  });

  it('restores a hand-written filter URL, page included, and ignores a value the report does not offer', async () => {
    const fails = report.findings.filter((f) => f.status === 'FAIL' && f.severity === 'medium');
    expect(fails.length).toBeGreaterThan(50);
    const p = await open(`${url}#findings?status=FAIL&severity=medium&account=000000000000&page=2`);
    expect(await p.locator('#filters select[name="status"]').inputValue()).toBe('FAIL');
    expect(await p.locator('#filters select[name="account"]').inputValue()).toBe('');
    expect(await count(p)).toBe(fails.length);
    expect(await p.locator('#page-info').textContent()).toMatch(/^page 2 of /);
    // Changing a filter rewrites the URL; clearing them all drops it.
    await p.locator('#filters select[name="severity"]').selectOption('high');
    await expect.poll(() => new URLSearchParams(p.url().split('#findings?')[1] ?? '').get('severity')).toBe('high');
    await p.locator('#filters button[type="reset"]').click();
    await expect.poll(() => p.url().includes('#findings?')).toBe(false);
    await p.close();
  });

  it('fits the 20-region coverage map into 1440 px and says why the denied account is unknown', async () => {
    expect(report.scope.regions.length).toBeGreaterThanOrEqual(20);
    const box = await page.evaluate(() => {
      const g = (globalThis as unknown as { document: { getElementById(id: string): { scrollWidth: number; clientWidth: number; querySelectorAll(s: string): { length: number } } } }).document.getElementById('coverage-grid');
      return { scroll: g.scrollWidth, client: g.clientWidth, heads: g.querySelectorAll('.cov-head').length };
    });
    expect(box.heads).toBe(report.scope.regions.length);
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    const denied = report.accounts.find((a) => a.status === 'error')!;
    const cell = page.locator(`#coverage-grid button.cov[data-account-id="${denied.id}"]`).first();
    expect(await cell.getAttribute('data-state')).toBe('unknown');
    expect(await cell.getAttribute('data-reason')).toContain(denied.reason!.slice(0, 40));
    expect(await cell.getAttribute('title')).toContain('not judged: account not scanned');
    // The organization event data store records it, which the cell says without calling it judged.
    expect(await cell.textContent()).toBe('? unknown');
    expect(await cell.getAttribute('title')).toMatch(/recorded by the event data store \S+, not by a trail/);
  });
});
