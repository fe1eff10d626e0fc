// `trailwarden demo` and its bundled snapshot: the committed demo/snapshot.json must load with the
// current schema, show the postures the demo promises, and still be what the collector records.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SNAPSHOT } from '../../src/cli/commands/demo.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRules } from '../../src/engine/load.js';
import { loadSnapshot } from '../../src/inventory/load.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { DEFAULT_FORMATS, reportFormat } from '../../src/report/formats/index.js';
import { BUILTIN_RULES } from '../../src/core/pipeline.js';
import { cli } from '../harness/cli.js';
import { scanDemoOrganization } from '../harness/demo-org.js';
import { assertValidReport } from '../harness/scan-run.js';

const REGENERATE = 'demo/snapshot.json is stale: run `npm run demo:regenerate` and commit the result';
const outDir = () => mkdtempSync(join(tmpdir(), 'tw-demo-'));

async function committedDemo(): Promise<Snapshot> {
  try {
    return await loadSnapshot(DEMO_SNAPSHOT);
  } catch (err) {
    throw new Error(`${REGENERATE} (${(err as Error).message})`, { cause: err });
  }
}

describe('the bundled demo snapshot', () => {
  it('loads with the current Snapshot schema', async () => {
    const snap = await committedDemo();
    expect(snap.accounts.length, REGENERATE).toBeGreaterThanOrEqual(12);
  });

  it('holds the mix of good and bad posture the demo promises', async () => {
    const snap = await committedDemo();
    const byName = (name: string) => snap.accounts.find((a) => a.name === name);
    expect(byName('suspended')).toMatchObject({ status: 'skipped' });
    expect(byName('denied-access')).toMatchObject({ status: 'error' });
    expect(byName('denied-access')?.reason).toContain('AccessDenied');
    expect(snap.accounts.filter((a) => a.status === 'scanned').length).toBeGreaterThanOrEqual(10);
    const trail = (name: string) => snap.trails.find((t) => t.name === name);
    expect(trail('org-trail')).toMatchObject({ isOrganizationTrail: true, isMultiRegionTrail: true, status: { isLogging: true } });
    expect(trail('stopped-trail')?.status?.isLogging).toBe(false);
    expect(trail('write-only-trail')?.eventSelectors?.management).toMatchObject({ read: false, write: true });
    expect(trail('data-only-trail')?.eventSelectors?.management).toMatchObject({ read: false, write: false });
    expect(snap.buckets.find((b) => b.name === 'outside-org-trail-logs-demo')?.ownerAccountId).toBeNull();
    expect(snap.keys.find((k) => k.usedByTrailArns.includes(trail('disabled-key-trail')!.arn))?.metadata?.keyState).toBe('Disabled');
    // The log-integrity view has one verified and one tampered stream to draw.
    const streams = snap.logIntegrity!.streams;
    const whole = streams.find((x) => x.trailName === 'member-extra-trail')!;
    expect(whole).toMatchObject({ defectCount: 0, readErrorCount: 0, gaps: [] });
    expect(whole.digests.valid).toBe(24);
    const tampered = streams.find((x) => x.trailName === 'write-only-trail')!;
    expect(tampered.defects.map((d) => d.kind).sort()).toEqual(['digest-missing', 'log-hash-mismatch']);
  });

  it('is still what the collector records: a fresh scan of the demo organization gives the same verdicts', async () => {
    const committed = await committedDemo();
    const fresh = await scanDemoOrganization();
    const { rules } = await loadRules([BUILTIN_RULES]);
    // Account, organization and key ids are minted by the emulator on each run; compare by account name.
    const verdicts = (s: Snapshot) => {
      const names = new Map(s.accounts.map((a) => [a.id, a.name]));
      const anonymize = (text: string) =>
        text.replace(/\d{12}/g, (id) => names.get(id) ?? id).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<key>')
          .replace(/\b(o|ou|r)-[0-9a-z-]{4,}/g, '<$1>');
      return evaluate(s, rules, { now: new Date(s.finishedAt) })
        .map((f) => anonymize(`${f.ruleId} ${f.status} ${f.accountId} ${f.region ?? '-'} ${f.resource.type} ${f.resource.name}`))
        .sort();
    };
    expect(verdicts(committed), REGENERATE).toEqual(verdicts(fresh));
  }, 120_000);
});

describe('trailwarden demo', () => {
  it('writes the default reports, names their absolute paths, shows the gate line and exits 0', async () => {
    const dir = outDir();
    const run = await cli(['demo', '--out', dir]);
    expect(run.code).toBe(0);
    const files = DEFAULT_FORMATS.map((f) => join(dir, reportFormat(f)!.file));
    expect(readdirSync(dir).sort()).toEqual(files.map((f) => f.slice(dir.length + 1)).sort());
    for (const f of files) expect(run.stdout).toContain(`  ${f}\n`);
    expect(run.stdout.split('\n')[0]).toBe('Open the demo reports:');
    expect(run.stderr).toMatch(/trailwarden: demo: a real run would end with "exit 1: \d+ finding\(s\) FAIL at or above high/);
    expect(run.stderr).toContain('the demo itself exits 0');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assertValidReport(report);
    expect(report.summary.accounts).toMatchObject({ skipped: 1, error: 1 });
    expect(report.summary.byStatus.FAIL).toBeGreaterThan(0);
    expect(report.summary.byStatus.PASS).toBeGreaterThan(0);
  });

  it('is deterministic: evaluated at the snapshot\'s own time, two runs write identical reports', async () => {
    const [a, b] = [outDir(), outDir()];
    expect((await cli(['demo', '--out', a, '--quiet'])).code).toBe(0);
    expect((await cli(['demo', '--out', b, '--quiet'])).code).toBe(0);
    const first = readFileSync(join(a, 'report.json'), 'utf8');
    expect(readFileSync(join(b, 'report.json'), 'utf8')).toBe(first);
    expect(JSON.parse(first).generatedAt).toBe(new Date((await committedDemo()).finishedAt).toISOString());
  });

  it('--fail-on changes the line a real run would end with, never the demo\'s exit code', async () => {
    const run = await cli(['demo', '--out', outDir(), '--fail-on', 'low', '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/a real run would end with "exit 1: \d+ finding\(s\) FAIL at or above low/);
  });

  it('a usage error exits 2 and writes nothing', async () => {
    const dir = join(outDir(), 'out');
    const run = await cli(['demo', '--out', dir, '--format', 'pdf']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--format: "pdf" is not available');
    expect(() => readdirSync(dir)).toThrow();
  });
});
