// The HTML framework view of the demo organization in real Chromium: each framework's control
// summary names every control with its title and status (NOT COVERED ones too), and printing one
// framework's summary collapses the findings to counts per account: a few A4 pages, not hundreds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SNAPSHOT } from '../../src/cli/commands/demo.js';
import { evaluateSnapshot, prepare } from '../../src/core/pipeline.js';
import { loadSnapshot } from '../../src/inventory/load.js';
import { frameworkCatalogue } from '../../src/report/frameworks.js';
import { renderHtml } from '../../src/report/formats/html.js';
import { launchChromium } from '../harness/chromium.js';

const MAX_PAGES = 20;

let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  const snapshot = await loadSnapshot(DEMO_SNAPSHOT);
  const outcome = evaluateSnapshot(snapshot, await prepare({}, process.cwd()), undefined, new Date(snapshot.finishedAt));
  dir = mkdtempSync(join(tmpdir(), 'tw-fw-print-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, renderHtml(outcome));
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready]');
  // The button opens the print dialog; here the test prints with page.pdf() instead.
  await page.evaluate('window.print = function () {}');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pages of a PDF Chromium wrote (one page object each; the page tree is /Type /Pages). */
const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) ?? []).length;

describe('the framework view of the demo', () => {
  it('lists every control of each framework with its title and status, NOT COVERED ones included', async () => {
    for (const [id, list] of frameworkCatalogue()) {
      const rows = page.locator(`details.framework:has(button[data-print-framework="${id}"]) table.control-summary tbody tr`);
      const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent?.trim() ?? '')));
      expect(cells.map((c) => c[0]), id).toEqual(expect.arrayContaining(list.controls.map((c) => c.id)));
      for (const c of list.controls) {
        const row = cells.find((r) => r[0] === c.id)!;
        expect(row[1], `${id} ${c.id}`).toBe(c.title);
        if (c.notCovered) expect(row[2]).toBe('NOT COVERED');
        else expect(['FAIL', 'ERROR', 'PASS', 'NOT APPLICABLE', 'NO FINDINGS']).toContain(row[2]);
      }
    }
  });

  for (const id of ['nist-800-53-r5', 'cis-aws-v3.0.0']) {
    it(`prints ${id}'s control summary on at most ${MAX_PAGES} A4 pages`, async () => {
      await page.emulateMedia({ media: 'screen' });
      const framework = page.locator(`details.framework:has(button[data-print-framework="${id}"])`);
      if (!(await framework.evaluate((d) => (d as unknown as { open: boolean }).open))) await framework.locator('> summary').click();
      await page.locator(`button[data-print-framework="${id}"]`).click();
      expect(await page.evaluate('document.body.classList.contains("print-framework")')).toBe(true);
      // page.pdf() renders with print media unless media is emulated as screen.
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({ format: 'A4' });
      const pages = pageCount(pdf);
      expect(pages).toBeGreaterThan(0);
      expect(pages).toBeLessThanOrEqual(MAX_PAGES);
      await page.evaluate("window.dispatchEvent(new Event('afterprint'))");
      expect(await page.evaluate('document.body.classList.contains("print-framework")')).toBe(false);
    }, 120_000);
  }
});
