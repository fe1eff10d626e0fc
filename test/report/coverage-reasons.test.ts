// The coverage map says why a cell is unknown: the account that could not be scanned, the region
// that could not be reached, or the fact that was not collected. Built on the demo organization.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare } from '../../src/core/pipeline.js';
import { Snapshot } from '../../src/inventory/schema.js';
import { COVERAGE_RULE, coverageMap } from '../../src/report/formats/html-coverage.js';

const ROOT = new URL('../../', import.meta.url).pathname;

async function demo() {
  return Snapshot.parse(JSON.parse(await readFile(join(ROOT, 'demo/snapshot.json'), 'utf8')));
}

describe('coverage map reasons', () => {
  it('names the refused account and the unreachable region, and leaves judged cells without a reason', async () => {
    const snapshot = await demo();
    const target = snapshot.accounts.find((a) => a.status === 'scanned' && a.regions.some((r) => r.name === 'eu-west-1' && r.status === 'scanned'))!;
    const region = target.regions.find((r) => r.name === 'eu-west-1')!;
    region.status = 'unreachable';
    region.reason = 'connect ETIMEDOUT cloudtrail.eu-west-1.amazonaws.com';
    const { report } = evaluateSnapshot(snapshot, await prepare({}, ROOT), undefined, new Date(snapshot.finishedAt));
    const ids = snapshot.accounts.map((a) => a.id);
    const map = coverageMap(snapshot, report, ids, ['eu-west-1', 'us-east-1']);

    const denied = snapshot.accounts.findIndex((a) => a.status === 'error');
    expect(denied).toBeGreaterThanOrEqual(0);
    expect(map[denied]![0]).toMatchObject({ state: 'unknown', reason: `account not scanned: ${snapshot.accounts[denied]!.reason}` });

    const t = ids.indexOf(target.id);
    expect(map[t]![0]).toMatchObject({ state: 'unknown', reason: 'region unreachable: connect ETIMEDOUT cloudtrail.eu-west-1.amazonaws.com' });
    expect(map[t]![1]!.state).not.toBe('unknown');
    for (const row of map) for (const cell of row) if (cell.state !== 'unknown') expect(cell.reason).toBeUndefined();
  });

  it('says which fact was missing when the coverage rule was not evaluated and a trail status was not collected', async () => {
    const snapshot = await demo();
    for (const trail of snapshot.trails) trail.status = null;
    const { report } = evaluateSnapshot(snapshot, await prepare({}, ROOT), undefined, new Date(snapshot.finishedAt));
    const withoutRule = { ...report, findings: report.findings.filter((f) => f.ruleId !== COVERAGE_RULE) };
    const scanned = snapshot.accounts.find((a) => a.status === 'scanned' && a.coveringTrailArns.length)!;
    const cell = coverageMap(snapshot, withoutRule, [scanned.id], ['us-east-1'])[0]![0]!;
    expect(cell).toMatchObject({ state: 'unknown', reason: "a trail's logging status or event selectors were not collected" });

    // Evaluated, the rule's own ERROR message is the reason.
    const evaluated = coverageMap(snapshot, report, [scanned.id], ['us-east-1'])[0]![0]!;
    const finding = report.findings.find((f) => f.ruleId === COVERAGE_RULE && f.accountId === scanned.id && (f.region === 'us-east-1' || f.resource.id.endsWith('/*')))!;
    expect(finding.status).toBe('ERROR');
    expect(evaluated).toMatchObject({ state: 'unknown', reason: finding.message });
  });
});
