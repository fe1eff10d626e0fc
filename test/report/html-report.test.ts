// report.html in real headless Chromium: the report of a real scan of the seeded scenario
// organization (moto, real SDK), with hostile names patched into the snapshot before evaluation.
// The page must load nothing, log no error, run no injected script, and its filters, coverage
// map, copy buttons and print view must work.
import { CloudTrailClient, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare, writeReports } from '../../src/core/pipeline.js';
import { SEVERITIES } from '../../src/engine/rule-schema.js';
import { Snapshot } from '../../src/inventory/schema.js';
import { Report } from '../../src/report/report.js';
import { axeViolations } from '../harness/axe.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { assertValidReport, scanAt } from '../harness/scan-run.js';
import { seedScenarioOrganization, type ScenarioOrg } from '../harness/scenario-org.js';
import { launchChromium } from '../harness/chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = `${ROOT}test-artifacts`;
const OUT = `${ARTIFACTS}/html-report`;
const XSS_NAME = '<img src=x onerror=alert(1)>';
const XSS_TAG = '</script><script>alert(2)</script>';

let moto: MotoServer;
let proxy: FaultProxy;
let org: ScenarioOrg;
let report: Report;
let html: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fileUrl: string;
const consoleErrors: string[] = [];
const requests: string[] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  moto = await startMoto();
  org = await seedScenarioOrganization({ endpoint: moto.endpoint });
  // With the organization trail stopped, members are judged by their own trails: real gaps.
  const ct = new CloudTrailClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await ct.send(new StopLoggingCommand({ Name: org.trails.org }));
  ct.destroy();
  proxy = await startFaultProxy({ target: moto.endpoint });
  proxy.setRules([{ match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: org.accounts.denied }, fault: 'AccessDenied' }]);
  const scanned = (await scanAt(proxy.endpoint, { regions: ['us-east-1', 'eu-west-1'] })).snapshot;

  // Hostile text where an organization admin could put it: an account name and a trail tag.
  const patched = structuredClone(scanned);
  patched.accounts.find((a) => a.id === org.accounts.orgOnly)!.name = XSS_NAME;
  const orgTrail = patched.trails.find((t) => t.arn === org.trails.org)!;
  orgTrail.tags = { ...orgTrail.tags, note: XSS_TAG };
  const snapshot = Snapshot.parse(patched);

  // One waiver that applies (every trail-insights FAIL of one account) and one that has expired.
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/waivers.yaml`, [
    'waivers:',
    `  - { rule: trail-insights, resource: "${org.accounts.memberExtraTrail}", reason: "Insights costs more than it tells us here", owner: payments-team, expires: "2099-12-31" }`,
    `  - { rule: bucket-mfa-delete, resource: "*", reason: "MFA delete cannot be automated in our pipeline", owner: platform, expires: "2020-01-01" }`,
    '',
  ].join('\n'));
  const prepared = await prepare({ waivers: `${OUT}/waivers.yaml` }, ROOT);
  const outcome = evaluateSnapshot(snapshot, prepared, undefined, new Date());
  await writeReports(OUT, outcome, ['json', 'html']);
  // The report.json the page was built from, checked against the published JSON Schema.
  report = Report.parse(JSON.parse(readFileSync(`${OUT}/report.json`, 'utf8')));
  assertValidReport(report);
  html = readFileSync(`${OUT}/report.html`, 'utf8');
  fileUrl = pathToFileURL(`${OUT}/report.html`).href;

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  // Anything but the document itself is refused (and recorded above).
  await page.route('**/*', (route) => (route.request().url() === fileUrl ? route.continue() : route.abort()));
  await page.goto(fileUrl);
  await page.waitForSelector('html[data-ready]');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
  await moto?.stop();
});

const count = async () => Number(await page.locator('#result-count').getAttribute('data-count'));
const filter = async (name: string, value: string) => {
  await page.locator(`#filters select[name="${name}"]`).selectOption(value);
};
const clearFilters = async () => {
  await page.locator('#filters button[type="reset"]').click();
  await expect.poll(count).toBe(report.findings.length);
};
const coverageCell = (accountId: string, region: string) => page.locator(`#coverage-grid button[data-account-id="${accountId}"][data-region="${region}"]`);

// Each test starts from the unfiltered list, whatever the previous one left behind.
beforeEach(async () => {
  await page.emulateMedia({ media: 'screen' });
  await clearFilters();
});

describe('report.html in Chromium', () => {
  it('is one self-contained file under a strict Content-Security-Policy', async () => {
    const csp = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe');
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=["']?https?:|@import|url\(/i);
    // The hostile tag is in the data, escaped: it cannot close the data element.
    expect(html).not.toContain(XSS_TAG);
    expect(html).toContain('\\u003c/script\\u003e\\u003cscript\\u003ealert(2)\\u003c/script\\u003e');
  });

  it('loads with no console error, no request but the document, and no dialog', async () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([fileUrl]);
    expect(dialogs).toEqual([]);
    expect(await page.locator('#result-count').textContent()).toBe(`${report.findings.length} of ${report.findings.length} findings`);
  });

  it('has no accessibility violation by axe-core, hostile names and waivers included', async () => {
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows the posture score by the documented formula, and the accounts not scanned with their reasons', async () => {
    const weight = { critical: 10, high: 5, medium: 3, low: 1, informational: 0 };
    expect(Object.keys(weight)).toEqual([...SEVERITIES]);
    let pass = 0;
    let judged = 0;
    for (const f of report.findings) {
      if (f.status === 'PASS') pass += weight[f.severity];
      if (f.status === 'PASS' || f.status === 'FAIL') judged += weight[f.severity];
    }
    const expected = `${(Math.floor((1000 * pass) / judged) / 10).toFixed(1)}%`;
    expect(await page.locator('.score.overall .score-value').textContent()).toBe(expected);
    const unscanned = page.locator('details.unscanned');
    await expect.poll(() => unscanned.textContent()).toContain('account is SUSPENDED');
    expect(await unscanned.textContent()).toContain(`${org.accounts.denied}`);
    expect(await unscanned.textContent()).toContain('AccessDenied');
    expect(await page.locator('td[data-status-count="FAIL"]').textContent()).toBe(String(report.summary.byStatus.FAIL));
  });

  it('filters by status, account, region and framework, and narrows by text search', async () => {
    const fails = report.findings.filter((f) => f.status === 'FAIL').length;
    expect(fails).toBeGreaterThan(0);
    expect(fails).toBeLessThan(report.findings.length);
    await filter('status', 'FAIL');
    await expect.poll(count).toBe(fails);
    expect(await page.locator('#finding-list details.finding').count()).toBe(Math.min(50, fails));
    expect(await page.locator('#finding-list details.finding:not([data-status="FAIL"])').count()).toBe(0);

    await filter('account', org.accounts.memberExtraTrail);
    await filter('region', 'eu-west-1');
    const expected = report.findings.filter((f) => f.status === 'FAIL' && f.accountId === org.accounts.memberExtraTrail && f.region === 'eu-west-1');
    await expect.poll(count).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);

    // An OU includes the OUs under it: Workloads holds the Prod accounts too.
    await clearFilters();
    await filter('ou', 'Root/Workloads');
    const ouOf = new Map(report.accounts.map((a) => [a.id, a.ouPath]));
    const inWorkloads = report.findings.filter((f) => (ouOf.get(f.accountId) ?? '').startsWith('Root/Workloads'));
    expect(inWorkloads.some((f) => ouOf.get(f.accountId) === 'Root/Workloads/Prod')).toBe(true);
    await expect.poll(count).toBe(inWorkloads.length);

    await clearFilters();
    await filter('framework', 'aws-fsbp');
    await expect.poll(count).toBe(report.findings.filter((f) => f.frameworks['aws-fsbp']).length);

    await clearFilters();
    await page.locator('#filters input[name="q"]').fill('member-extra-trail');
    const matching = await (async () => { await expect.poll(count).toBeLessThan(report.findings.length); return count(); })();
    expect(matching).toBeGreaterThan(0);
    const summaries = await page.locator('#finding-list details.finding').allTextContents();
    expect(summaries.length).toBe(Math.min(50, matching));
  });

  it('marks the uncovered region of an account as a gap, and names the trail of the covered one', async () => {
    // member-extra-trail's own trail is single-region in us-east-1, and the organization trail is stopped.
    const gap = coverageCell(org.accounts.memberExtraTrail, 'eu-west-1');
    expect(await gap.getAttribute('data-state')).toBe('gap');
    expect(await gap.textContent()).toContain('GAP');
    expect(await gap.getAttribute('aria-label')).toContain('gap');
    const covered = coverageCell(org.accounts.memberExtraTrail, 'us-east-1');
    expect(await covered.getAttribute('data-state')).toBe('covered');
    expect(await covered.textContent()).toContain(org.trailNames.memberExtra);
    // A multi-region trail of its own covers both regions of the write-only account.
    for (const region of ['us-east-1', 'eu-west-1']) expect(await coverageCell(org.accounts.writeOnly, region).getAttribute('data-state')).toBe('covered');
    expect(await coverageCell(org.accounts.denied, 'us-east-1').getAttribute('data-state')).toBe('unknown');
    expect(await coverageCell(org.accounts.suspended, 'us-east-1').getAttribute('data-state')).toBe('not-scanned');
    // Selecting the cell lists that account's findings in that region.
    await gap.click();
    await expect.poll(count).toBe(report.findings.filter((f) => f.accountId === org.accounts.memberExtraTrail && f.region === 'eu-west-1').length);
  });

  it('heatmap cells carry the worst verdict as text and filter the findings when selected', async () => {
    const rowOf = (accountName: string) => page.locator('#heatmap-grid .vrow', { has: page.locator('.vlabel .acct', { hasText: accountName }) });
    const denied = rowOf(org.accountNames.denied).locator('button.cell[aria-label*="account-trail-logging"]');
    expect(await denied.getAttribute('aria-label')).toContain('ERROR');
    const cell = rowOf(org.accountNames.stopped).locator('button.cell[aria-label*="account-trail-logging:"]');
    const expected = report.findings.filter((f) => f.accountId === org.accounts.stopped && f.ruleId === 'account-trail-logging');
    expect(expected.length).toBeGreaterThan(0);
    expect(await cell.getAttribute('aria-label')).toContain(expected.some((f) => f.status === 'FAIL') ? 'FAIL' : expected[0]!.status);
    await cell.click();
    await expect.poll(count).toBe(expected.length);
    // A column header lists the rule's findings in every account.
    const everyAccount = report.findings.filter((f) => f.ruleId === 'account-trail-logging').length;
    expect(everyAccount).toBeGreaterThan(expected.length);
    await page.locator('#heatmap-grid button.hm-head', { hasText: /^account-trail-logging$/ }).click();
    await expect.poll(count).toBe(everyAccount);
  });

  it('shows hostile names as text and runs none of them', async () => {
    const name = page.getByText(XSS_NAME, { exact: true }).first();
    expect(await name.isVisible()).toBe(true);
    expect(await page.locator('img').count()).toBe(0);

    await page.locator('#filters input[name="q"]').fill('alert(2)');
    await expect.poll(count).toBeLessThan(report.findings.length);
    expect(await count()).toBeGreaterThan(0);
    const finding = page.locator('#finding-list details.finding').first();
    await finding.locator('summary').click();
    const evidence = finding.locator('.snippet', { has: page.locator('h3', { hasText: 'Evidence' }) }).locator('pre');
    expect(await evidence.textContent()).toContain(XSS_TAG);
    expect(await page.getByText(XSS_TAG).first().isVisible()).toBe(true);
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('expands a finding to its message, evidence and remediation, with working copy buttons', async () => {
    await filter('rule', 'trail-log-file-validation');
    await filter('status', 'FAIL');
    const f = report.findings.find((x) => x.ruleId === 'trail-log-file-validation' && x.status === 'FAIL')!;
    const row = page.locator(`#finding-list details.finding[data-fingerprint="${f.fingerprint}"]`);
    await row.locator('summary').click();
    expect(await row.locator('.message').textContent()).toBe(f.message);
    for (const title of ['Console', 'AWS CLI', 'Terraform', 'CloudFormation', 'Evidence']) {
      expect(await row.locator('.snippet h3', { hasText: title }).count(), title).toBe(1);
    }
    const cli = row.locator('.snippet', { has: page.locator('h3', { hasText: 'AWS CLI' }) });
    expect(await cli.locator('pre').textContent()).toBe(f.remediation!.cli);
    await cli.locator('button.copy').click();
    await expect.poll(() => cli.locator('button.copy').textContent()).toBe('Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(f.remediation!.cli);
  });

  it('rebuilds every shown finding exactly as report.json has it (message, resource, remediation, evidence)', async () => {
    const byFingerprint = new Map(report.findings.map((f) => [f.fingerprint, f]));
    for (const [name, value] of [['account', org.accounts.orgOnly], ['rule', 'account-region-coverage'], ['status', 'FAIL']]) {
      await clearFilters();
      await filter(name!, value!);
      await expect.poll(count).toBeLessThan(report.findings.length);
      await page.evaluate("document.querySelectorAll('#finding-list details.finding').forEach((d) => { d.open = true; })");
      const shown = (await page.evaluate(`[...document.querySelectorAll('#finding-list details.finding')].map((d) => ({
        fingerprint: d.dataset.fingerprint,
        message: d.querySelector('.message')?.textContent,
        resource: d.querySelector('summary .res').textContent,
        steps: [...d.querySelectorAll('ol li')].map((li) => li.textContent),
        snippets: Object.fromEntries([...d.querySelectorAll('.snippet')].filter((s) => s.querySelector('pre')).map((s) => [s.querySelector('h3').textContent, s.querySelector('pre').textContent])),
      }))`)) as { fingerprint: string; message: string; resource: string; steps: string[]; snippets: Record<string, string> }[];
      expect(shown.length).toBe(Math.min(50, await count()));
      for (const s of shown) {
        const f = byFingerprint.get(s.fingerprint)!;
        expect(s, f.fingerprint).toEqual({
          fingerprint: f.fingerprint,
          message: f.message,
          resource: f.resource.name,
          // PASS and NOT_APPLICABLE findings have no remediation: only their evidence shows.
          steps: f.remediation?.console ?? [],
          snippets: {
            ...(f.remediation ? { 'AWS CLI': f.remediation.cli, Terraform: f.remediation.terraform, CloudFormation: f.remediation.cloudformation } : {}),
            Evidence: JSON.stringify(f.evidence, null, 2),
          },
        });
      }
    }
  });

  it('prints expanded, without controls', async () => {
    await filter('status', 'ERROR');
    const errors = report.findings.filter((f) => f.status === 'ERROR').length;
    await expect.poll(count).toBe(errors);
    await page.emulateMedia({ media: 'print' });
    await page.evaluate("window.dispatchEvent(new Event('beforeprint'))");
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await page.locator('#pager').isVisible()).toBe(false);
    expect(await page.locator('#finding-list details.finding[open]').count()).toBe(errors);
    expect(await page.locator('#finding-list details.finding:not([open])').count()).toBe(0);
    expect(await page.locator('details.framework:not([open])').count()).toBe(0);
    await page.evaluate("window.dispatchEvent(new Event('afterprint'))");
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });

  it('marks waived findings, still counts them as FAIL, and lists the expired waiver', async () => {
    const waived = report.findings.filter((f) => f.waiver);
    expect(waived.length).toBeGreaterThan(0);
    expect(waived.every((f) => f.status === 'FAIL' && f.ruleId === 'trail-insights')).toBe(true);
    await filter('rule', 'trail-insights');
    await filter('account', org.accounts.memberExtraTrail);
    await expect.poll(count).toBe(report.findings.filter((f) => f.ruleId === 'trail-insights' && f.accountId === org.accounts.memberExtraTrail).length);
    expect(await page.locator('#finding-list details.finding .waived').count()).toBe(waived.length);
    const block = page.locator('details.waivers');
    expect(await block.locator('summary').textContent()).toContain(`${waived.length} FAIL finding(s) waived`);
    const expired = block.locator('table', { has: page.locator('caption', { hasText: 'Expired' }) });
    expect(await expired.locator('tbody tr').count()).toBe(1);
    expect(await expired.textContent()).toContain('bucket-mfa-delete');
  });

  it('writes a screenshot as a test artifact', async () => {
    await page.evaluate('window.scrollTo(0, 0)');
    const png = await page.screenshot({ path: `${ARTIFACTS}/report.png`, fullPage: false });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});
