// Makes the report screenshots in docs/images/ (npm run screenshots): the demo organization's
// report.html, with three earlier runs as its --history, opened in headless Chromium at
// 1440 x 900 and photographed section by section. Run it after a change to the report's look.
// The earlier runs are the demo snapshot as it was 20, 10 and 1 days before its scan, with log
// file validation off on some trails: a trend with something to show.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { evaluateSnapshot, prepare, writeReports } from '../src/core/pipeline.js';
import { Snapshot } from '../src/inventory/schema.js';
import { launchChromium } from '../test/harness/chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'docs', 'images');
const VIEW = { width: 1440, height: 900 };

const demo = Snapshot.parse(JSON.parse(readFileSync(join(ROOT, 'demo', 'snapshot.json'), 'utf8')));
const work = mkdtempSync(join(tmpdir(), 'tw-screenshots-'));
const history = join(work, 'history');
mkdirSync(history);

const plain = await prepare({ format: ['json'] }, ROOT);
for (const [days, everyOther] of [[20, 2], [10, 3], [1, 0]] as const) {
  const past = structuredClone(demo);
  const at = Date.parse(demo.finishedAt) - days * 86_400_000;
  past.startedAt = new Date(at - 60_000).toISOString();
  past.finishedAt = new Date(at).toISOString();
  if (everyOther) past.trails.forEach((t, k) => k % everyOther === 0 && (t.logFileValidationEnabled = false));
  const outcome = evaluateSnapshot(past, plain, undefined, new Date(past.finishedAt));
  await writeReports(join(history, `run-${String(days).padStart(2, '0')}`), outcome, ['json']);
}
const prepared = await prepare({ format: ['html'], history }, ROOT);
const outcome = evaluateSnapshot(demo, prepared, undefined, new Date(demo.finishedAt));
const reportDir = join(work, 'report');
await writeReports(reportDir, outcome, ['json', 'html']);

mkdirSync(OUT, { recursive: true });
const browser = await launchChromium();
const shots: { file: string; bytes: number }[] = [];
try {
  const page = await browser.newPage({ viewport: VIEW });
  await page.goto(pathToFileURL(join(reportDir, 'report.html')).href);
  await page.waitForSelector('html[data-ready]');
  /** A section from its top, at most one screen high. */
  const shoot = async (selector: string, name: string) => {
    const box = (await page.locator(selector).boundingBox())!; // relative to the viewport
    const top = box.y + (await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY));
    const file = join(OUT, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: top, width: VIEW.width, height: Math.min(box.height, VIEW.height) } });
    shots.push({ file: `docs/images/${name}.png`, bytes: statSync(file).size });
  };
  await shoot('#actions', 'report-fix-plan');
  await shoot('#heatmap', 'report-heatmap');
  await shoot('#coverage', 'report-coverage');
  await shoot('#history', 'report-history');
  const cis = page.locator('details.framework', { hasText: 'cis-aws-v3.0.0' }).first();
  await cis.locator('summary').click();
  await shoot('details.framework[open] table.control-summary', 'report-framework-controls');
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
for (const s of shots) console.log(`wrote ${s.file} (${Math.round(s.bytes / 1024)} KiB)`);
console.log(JSON.stringify({ screenshots: shots.length, bytes: shots.reduce((a, s) => a + s.bytes, 0), viewport: VIEW }));
