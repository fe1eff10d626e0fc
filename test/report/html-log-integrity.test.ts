// The log-integrity view of report.html (scan --verify-logs) in real headless Chromium. A
// snapshot with logIntegrity built by hand on the rules' base organization: one stream with a
// verified, a gap (6 h), a tampered span and defects (one with a hostile S3 key and reason), one
// clean stream, one that could not be read, a trail that does not validate, and 60 clean streams
// of further accounts; evaluated with the real rules and rendered. Then a 17,000-stream
// organization, to show the page draws only a batch of them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../harness/axe.js';
import { evaluateSnapshot, prepare, writeReports } from '../../src/core/pipeline.js';
import { Snapshot, type LogStream } from '../../src/inventory/schema.js';
import { buildReport, Report } from '../../src/report/report.js';
import { renderHtml } from '../../src/report/formats/html.js';
import { baseSnapshot, EVALUATION_NOW } from '../harness/fixture.js';
import { launchChromium } from '../harness/chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = `${ROOT}test-artifacts`;
const OUT = `${ARTIFACTS}/html-log-integrity`;

const SINCE = '2026-11-14T12:00:00.000Z';
const UNTIL = '2026-11-21T12:00:00.000Z';
const WINDOW_H = 168;
const ORG_TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
const LEGACY_TRAIL = 'arn:aws:cloudtrail:us-east-1:333333333333:trail/legacy';
const PREFIX = 'AWSLogs/o-example123/333333333333/CloudTrail/us-east-1/2026/11/18/';
const HOSTILE_KEY = `${PREFIX}x"><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">.json.gz`;
const HOSTILE_REASON = 'hash value doesn\'t match: "modified" <b onmouseover=alert(3)>bold</b>';
const TAMPERED_KEY = `${PREFIX}333333333333_CloudTrail_us-east-1_20261118T0955Z_AbCdEfGh12345678.json.gz`;
const DIGEST_KEY = 'AWSLogs/o-example123/333333333333/CloudTrail-Digest/us-east-1/2026/11/18/333333333333_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20261118T100512Z.json.gz';

const counts = (over: Partial<Record<'dv' | 'di' | 'dm' | 'lv' | 'li' | 'lm', number>> = {}) => ({
  digests: { valid: over.dv ?? 168, invalid: over.di ?? 0, missing: over.dm ?? 0 },
  logs: { valid: over.lv ?? 301, invalid: over.li ?? 0, missing: over.lm ?? 0, unchecked: 0, unlisted: 0, unlistedInChain: 0 },
});

function stream(trailArn: string, accountId: string, region: string, over: Partial<LogStream> = {}): LogStream {
  const trailName = trailArn.split('/').pop()!;
  return {
    id: `${trailArn}|${accountId}|${region}`,
    trailArn,
    trailName,
    trailHomeRegion: 'us-east-1',
    accountId,
    region,
    bucket: 'org-cloudtrail-logs-222222222222',
    keyPrefix: null,
    organizationId: 'o-example123',
    readerAccountId: '222222222222',
    validationEnabled: true,
    verified: true,
    ...counts(),
    firstDigestTime: SINCE,
    lastDigestTime: UNTIL,
    gaps: [],
    openingGap: null,
    spans: [{ start: SINCE, end: UNTIL, state: 'verified' }],
    defects: [],
    defectCount: 0,
    readErrors: [],
    readErrorCount: 0,
    ...over,
  };
}

/** The stream under test: verified, a 6-hour gap, verified, a tampered hour, verified. */
const tampered = stream(ORG_TRAIL, '333333333333', 'us-east-1', {
  ...counts({ dv: 160, di: 1, dm: 1, lv: 290, li: 2 }),
  gaps: [{ start: '2026-11-17T03:00:00.000Z', end: '2026-11-17T09:00:00.000Z', hours: 6, reason: 'logging was stopped at 2026-11-17T03:00:00Z', unlistedLogs: 0 }],
  spans: [
    { start: SINCE, end: '2026-11-17T03:00:00.000Z', state: 'verified' },
    { start: '2026-11-17T03:00:00.000Z', end: '2026-11-17T09:00:00.000Z', state: 'gap' },
    { start: '2026-11-17T09:00:00.000Z', end: '2026-11-18T09:00:00.000Z', state: 'verified' },
    { start: '2026-11-18T09:00:00.000Z', end: '2026-11-18T10:00:00.000Z', state: 'tampered' },
    { start: '2026-11-18T10:00:00.000Z', end: UNTIL, state: 'verified' },
  ],
  defects: [
    { kind: 'digest-missing', key: DIGEST_KEY, reason: 'named as the previous digest by its successor, but not found: deleted or never delivered', time: '2026-11-18T10:05:12.000Z' },
    { kind: 'log-hash-mismatch', key: TAMPERED_KEY, reason: 'hash value doesn\'t match: modified', time: '2026-11-18T09:55:00.000Z' },
    { kind: 'log-hash-mismatch', key: HOSTILE_KEY, reason: HOSTILE_REASON, time: null },
  ],
  defectCount: 5,
});
const unreadable = stream(ORG_TRAIL, '111111111111', 'us-east-1', {
  verified: false,
  ...counts({ dv: 0, lv: 0 }),
  firstDigestTime: null,
  lastDigestTime: null,
  spans: [],
  readErrors: [{ key: 'AWSLogs/o-example123/111111111111/CloudTrail-Digest/us-east-1/', operation: 'ListObjectsV2', code: 'AccessDenied', message: 'digests could not be listed: Access Denied' }],
  readErrorCount: 1,
});
const clean = stream(ORG_TRAIL, '333333333333', 'eu-west-1');
const legacy = stream(LEGACY_TRAIL, '333333333333', 'us-east-1', { validationEnabled: false, verified: false, ...counts({ dv: 0, lv: 0 }), firstDigestTime: null, lastDigestTime: null, spans: [] });
const EXTRA = 30;
const extraIds = Array.from({ length: EXTRA }, (_, i) => `4000000000${String(i).padStart(2, '0')}`);

function buildSnapshot(): Snapshot {
  const base = baseSnapshot();
  const workload = base.accounts.find((a) => a.id === '333333333333')!;
  const extraAccounts = extraIds.map((id, i) => ({ ...structuredClone(workload), id, name: `member-${String(i).padStart(2, '0')}`, email: `aws+m${i}@example.com`, roleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole` }));
  const orgTrail = base.trails.find((t) => t.arn === ORG_TRAIL)!;
  const legacyTrail = { ...structuredClone(orgTrail), arn: LEGACY_TRAIL, name: 'legacy', ownerAccountId: '333333333333', isOrganizationTrail: false, logFileValidationEnabled: false, snsTopicArn: null, cloudWatchLogsLogGroupArn: null, cloudWatchLogsRoleArn: null };
  return Snapshot.parse({
    ...base,
    accounts: [...base.accounts, ...extraAccounts],
    trails: [...base.trails, legacyTrail],
    logIntegrity: {
      since: SINCE,
      until: UNTIL,
      depth: 'logs',
      streams: [clean, ...extraIds.flatMap((id) => ['us-east-1', 'eu-west-1'].map((r) => stream(ORG_TRAIL, id, r))), tampered, legacy, unreadable],
      objects: 61_234,
      bytes: 123_456_789,
    },
  });
}

let browser: Browser;
let page: Page;
let report: Report;
let fileUrl: string;
const consoleErrors: string[] = [];
const requests: string[] = [];
const dialogs: string[] = [];

async function open(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
  const p = await context.newPage();
  p.setDefaultTimeout(10_000);
  p.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  p.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  p.on('request', (r) => requests.push(r.url()));
  p.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await p.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await p.goto(url);
  await p.waitForSelector('html[data-ready]');
  return p;
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  const prepared = await prepare({}, ROOT);
  const outcome = evaluateSnapshot(buildSnapshot(), prepared, undefined, EVALUATION_NOW);
  await writeReports(OUT, outcome, ['json', 'html']);
  report = Report.parse(JSON.parse(readFileSync(`${OUT}/report.json`, 'utf8')));
  fileUrl = pathToFileURL(`${OUT}/report.html`).href;
  browser = await launchChromium();
  page = await open(fileUrl);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const streamEl = (s: LogStream) => page.locator(`#integrity-list .lt-stream[data-stream-id="${s.id}"]`);
const drawnIds = async () => (await page.evaluate("[...document.querySelectorAll('#integrity-list .lt-stream')].map((e) => e.dataset.streamId)")) as string[];

/** Each span's share of the bar and offset from its left edge, in percent of the window, as Chromium laid them out. */
async function geometry(s: LogStream) {
  // A string: the tests are type-checked without the DOM library; Chromium runs it in the page.
  return (await page.evaluate(`(() => {
    const bar = document.querySelector('#integrity-list .lt-stream[data-stream-id=' + ${JSON.stringify(JSON.stringify(s.id))} + '] .lt-bar');
    const b = bar.getBoundingClientRect();
    const inner = b.width - 2; // the 1px border on each side
    return [...bar.querySelectorAll('.lt-span')].map((x) => {
      const r = x.getBoundingClientRect(), cs = getComputedStyle(x);
      return { state: x.dataset.state, left: (100 * (r.left - b.left - 1)) / inner, width: (100 * r.width) / inner, title: x.title, colour: cs.backgroundColor, image: cs.backgroundImage };
    });
  })()`)) as { state: string; left: number; width: number; title: string; colour: string; image: string }[];
}

describe('report.html log-integrity view', () => {
  it('judges the hand-built streams with the real rules', () => {
    const verdict = (rule: string, s: LogStream) => report.findings.find((f) => f.ruleId === rule && f.resource.id === s.id)?.status;
    expect(verdict('trail-log-integrity', tampered)).toBe('FAIL');
    expect(verdict('trail-log-continuity', tampered)).toBe('FAIL');
    expect(verdict('trail-log-integrity', unreadable)).toBe('ERROR');
    expect(verdict('trail-log-integrity', clean)).toBe('PASS');
    expect(verdict('trail-log-integrity', legacy)).toBe('NOT_APPLICABLE');
  });

  it('draws the problem streams first and only them by default, with a count of all', async () => {
    expect(await page.locator('nav.toc a[href="#log-integrity"]').count()).toBe(1);
    expect(await drawnIds()).toEqual([tampered.id, unreadable.id]);
    expect(await page.locator('#integrity-count').textContent()).toContain(`2 of ${2 + 2 * EXTRA + 1} verified streams have a problem`);
    const badges = await streamEl(tampered).locator('.lt-label .badge').allTextContents();
    expect(badges).toEqual(['integrity FAIL', 'continuity FAIL']);
  });

  it('draws the window as verified, gap and tampered spans at their place and width, with their times', async () => {
    const spans = await geometry(tampered);
    expect(spans.map((s) => s.state)).toEqual(['verified', 'gap', 'verified', 'tampered', 'verified']);
    const at = (h: number) => (100 * h) / WINDOW_H;
    const [v1, gap, v2, bad, v3] = spans;
    // Within half a pixel or so of the bar: about 0.1% of the window.
    expect(v1!.left).toBeCloseTo(0, 1);
    expect(gap!.left).toBeCloseTo(at(63), 1); // 17 Nov 03:00 is 63 h into the window
    expect(gap!.width).toBeCloseTo(at(6), 1); // 6 h of 168: 3.57%
    expect(Math.abs(gap!.width - 3.57)).toBeLessThan(0.1);
    expect(bad!.left).toBeCloseTo(at(93), 1);
    expect(bad!.width).toBeCloseTo(at(1), 1);
    expect(v3!.left + v3!.width).toBeCloseTo(100, 1);
    expect(v2!.left).toBeCloseTo(gap!.left + gap!.width, 1);
    expect(gap!.title).toContain('2026-11-17 03:00 UTC \u2192 2026-11-17 09:00 UTC (6 h)');
    expect(bad!.title).toContain('tampered');
    expect(bad!.title).toContain('2026-11-18 09:00 UTC \u2192 2026-11-18 10:00 UTC (1 h)');
    // Green, striped amber, red: distinct at a glance.
    expect(v1!.colour).toBe('rgb(74, 194, 107)');
    expect(bad!.colour).toBe('rgb(209, 36, 47)');
    expect(gap!.image).toContain('repeating-linear-gradient');
    const axis = page.locator('#integrity-list .lt-trail').first();
    expect(await axis.locator('.lt-axis-start').textContent()).toBe('2026-11-14 12:00 UTC');
    expect(await axis.locator('.lt-axis-end').textContent()).toBe('2026-11-21 12:00 UTC');
    expect(await axis.locator('h3').textContent()).toContain('org-trail');
    expect(await streamEl(tampered).locator('.lt-bar').getAttribute('aria-label')).toContain('gap 2026-11-17 03:00 UTC to 2026-11-17 09:00 UTC');
  });

  it('gives the counts next to the timeline, and lists gaps, defects (capped) and read errors under it', async () => {
    const counts = await streamEl(tampered).locator('.lt-counts').textContent();
    expect(counts).toContain('Digests: 160 valid \u00b7 1 invalid \u00b7 1 missing');
    expect(counts).toContain('Log files: 290 valid \u00b7 2 invalid');
    expect(await streamEl(tampered).locator('.lt-gaps li').allTextContents()).toEqual(['Gap 2026-11-17 03:00 UTC \u2192 2026-11-17 09:00 UTC (6 h): logging was stopped at 2026-11-17T03:00:00Z']);
    const rows = streamEl(tampered).locator('table.lt-defects tbody tr');
    expect(await rows.count()).toBe(4);
    expect(await rows.nth(0).locator('td').allTextContents()).toEqual(['digest-missing', DIGEST_KEY, tampered.defects[0]!.reason, '2026-11-18 10:05 UTC']);
    expect(await rows.nth(1).locator('td').allTextContents()).toEqual(['log-hash-mismatch', TAMPERED_KEY, 'hash value doesn\'t match: modified', '2026-11-18 09:55 UTC']);
    expect(await rows.nth(3).textContent()).toContain('and 2 more');
    expect(await streamEl(tampered).locator('table.lt-defects caption').textContent()).toBe('Defects (5)');
    const errors = streamEl(unreadable);
    expect(await errors.locator('.lt-empty').textContent()).toContain('nothing verified');
    expect(await errors.locator('table.lt-errors tbody tr td').allTextContents()).toEqual(['ListObjectsV2', 'AccessDenied', unreadable.readErrors[0]!.key, 'digests could not be listed: Access Denied']);
  });

  it('shows a hostile S3 key and reason as text: nothing runs, nothing is injected', async () => {
    const hostile = streamEl(tampered).locator('table.lt-defects tbody tr').nth(2);
    expect(await hostile.locator('code').textContent()).toBe(HOSTILE_KEY);
    expect(await hostile.locator('td').nth(2).textContent()).toBe(HOSTILE_REASON);
    expect(await page.getByText(HOSTILE_KEY).isVisible()).toBe(true);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('#log-integrity img, #log-integrity script, #log-integrity b').count()).toBe(0);
    expect(await page.locator('[onerror], [onmouseover]').count()).toBe(0);
    const html = readFileSync(`${OUT}/report.html`, 'utf8');
    expect(html).not.toContain('<script>window.__pwned');
    expect(dialogs).toEqual([]);
  });

  it('says in one line that a trail which does not validate was not verified, and why', async () => {
    const line = page.locator(`#log-integrity .not-validated li[data-trail-arn="${LEGACY_TRAIL}"]`);
    expect(await line.textContent()).toMatch(/^legacy .*: not verified: log file validation is off/);
    expect(await streamEl(legacy).count()).toBe(0);
  });

  it('shows all streams a batch at a time, and filters by account or region', async () => {
    const all = 2 + 2 * EXTRA + 1;
    await page.locator('#integrity-show').selectOption('all');
    await expect.poll(() => page.locator('#integrity-count').getAttribute('data-count')).toBe(String(all));
    expect(await page.locator('#integrity-count').getAttribute('data-drawn')).toBe('50');
    expect((await drawnIds()).slice(0, 2)).toEqual([tampered.id, unreadable.id]);
    await page.locator('#integrity-more').click();
    expect(await page.locator('#integrity-list .lt-stream').count()).toBe(all);
    expect(await page.locator('#integrity-more').isHidden()).toBe(true);
    await page.locator('#integrity-q').fill('member-07');
    await expect.poll(drawnIds).toEqual([`${ORG_TRAIL}|${extraIds[7]}|eu-west-1`, `${ORG_TRAIL}|${extraIds[7]}|us-east-1`]);
    await page.locator('#integrity-q').fill('');
    await page.locator('#integrity-show').selectOption('problems');
    await expect.poll(drawnIds).toEqual([tampered.id, unreadable.id]);
  });

  it('prints the timelines in colour, without controls', async () => {
    await page.emulateMedia({ media: 'print' });
    await page.evaluate("window.dispatchEvent(new Event('beforeprint'))");
    expect(await page.locator('#log-integrity .controls').isVisible()).toBe(false);
    expect(await page.evaluate("getComputedStyle(document.querySelector('#integrity-list .lt-span')).printColorAdjust")).toBe('exact');
    await page.evaluate("window.dispatchEvent(new Event('afterprint'))");
    await page.emulateMedia({ media: 'screen' });
  });

  it('has no accessibility violation by axe-core in the timelines', async () => {
    expect(await axeViolations(page)).toEqual([]);
  });

  it('loads nothing and logs no error; writes a screenshot', async () => {
    await page.locator('#log-integrity').scrollIntoViewIfNeeded();
    await page.locator('#log-integrity').screenshot({ path: `${ARTIFACTS}/log-integrity.png` });
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });

  it('has no log-integrity view without scan --verify-logs', () => {
    const { logIntegrity: _, ...rest } = buildSnapshot();
    const snapshot = Snapshot.parse(rest);
    const html = renderHtml({ report: buildReport({ snapshot, findings: [], toolVersion: 'test', generatedAt: EVALUATION_NOW, rulesPack: { sha256: 'x', rules: 0 } }), snapshot, rules: [] });
    expect(html).not.toContain('id="log-integrity"');
    expect(html).not.toContain('href="#log-integrity"');
    expect(html).toContain('"logIntegrity":null');
  });

  it('draws one batch of an organization of 1,000 accounts x 17 regions (17,000 streams)', async () => {
    const base = buildSnapshot();
    const regions = Array.from({ length: 17 }, (_, i) => `region-${i}`);
    const streams: LogStream[] = [];
    for (let a = 0; a < 1000; a++) {
      const id = `5${String(a).padStart(11, '0')}`;
      for (const r of regions) streams.push(a === 500 && r === 'region-3' ? { ...tampered, id: `${ORG_TRAIL}|${id}|${r}`, accountId: id, region: r } : stream(ORG_TRAIL, id, r));
    }
    const snapshot = Snapshot.parse({ ...base, logIntegrity: { ...base.logIntegrity!, streams } });
    const big = buildReport({ snapshot, findings: [], toolVersion: 'test', generatedAt: EVALUATION_NOW, rulesPack: { sha256: 'x', rules: 0 } });
    const html = renderHtml({ report: big, snapshot, rules: [] });
    writeFileSync(`${OUT}/big.html`, html);
    const url = pathToFileURL(`${OUT}/big.html`).href;
    const before = requests.length;
    const p = await open(url);
    expect(Number(await p.locator('html').getAttribute('data-ready'))).toBeLessThan(5000);
    expect(await p.locator('#integrity-list .lt-stream').count()).toBe(1);
    expect(await p.locator('#integrity-count').textContent()).toContain('1 of 17000 verified streams have a problem');
    await p.locator('#integrity-show').selectOption('all');
    expect(await p.locator('#integrity-list .lt-stream').count()).toBe(50);
    expect(await p.locator('#integrity-more').textContent()).toContain('16950 not drawn');
    expect(requests.slice(before)).toEqual([url]);
    await p.context().close();
  }, 60_000);
});
