// The fix plan in real headless Chromium, on the demo organization's report.html: the action list
// is the first thing on the page, and an action expands to the findings it resolves.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare, writeReports } from '../../src/core/pipeline.js';
import { Snapshot } from '../../src/inventory/schema.js';
import type { Report } from '../../src/report/report.js';
import { launchChromium } from '../harness/chromium.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;
let report: Report;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  const snapshot = Snapshot.parse(JSON.parse(await readFile(join(ROOT, 'demo/snapshot.json'), 'utf8')));
  const outcome = evaluateSnapshot(snapshot, await prepare({ format: ['html'] }, ROOT), undefined, new Date(snapshot.finishedAt));
  report = outcome.report;
  dir = await mkdtemp(join(tmpdir(), 'tw-html-fix-plan-'));
  await writeReports(dir, outcome, ['html']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('report.html: fix these first', () => {
  it('is the first section, in view on load, ordered as report.json', async () => {
    expect(await page.locator('main > section').first().getAttribute('id')).toBe('actions');
    await expect.poll(() => page.locator('#actions').isVisible()).toBe(true);
    const box = await page.locator('#actions h2').boundingBox();
    expect(box!.y).toBeLessThan(900);
    const ids = await page.locator('#actions li.action').evaluateAll((els) => els.map((e) => e.getAttribute('data-action-id')));
    expect(ids).toEqual(report.actions!.slice(0, ids.length).map((a) => a.id));
    expect(consoleErrors).toEqual([]);
  });

  it('expands an action to the findings it resolves', async () => {
    const first = page.locator('#actions li.action').first();
    const findings = first.locator('.action-findings li');
    expect(await findings.first().isVisible()).toBe(false);
    await first.locator('summary').click();
    expect(await findings.first().isVisible()).toBe(true);
    expect(await findings.count()).toBe(Math.min(50, report.actions![0]!.findings.length));
    expect(await findings.first().textContent()).toMatch(/FAIL/);
  });
});
