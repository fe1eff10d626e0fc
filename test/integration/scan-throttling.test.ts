// Throttling must cost time, never facts: a scan with 20% of calls throttled yields the same
// snapshot as a clean scan of the same organization.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { comparable, scanAt } from '../harness/scan-run.js';
import { seedScenarioOrganization, type ScenarioOrg } from '../harness/scenario-org.js';

let moto: MotoServer;
let proxy: FaultProxy;
let org: ScenarioOrg;

beforeAll(async () => {
  moto = await startMoto();
  org = await seedScenarioOrganization({ endpoint: moto.endpoint });
  proxy = await startFaultProxy({ target: moto.endpoint, seed: 20 });
});

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('throttling', () => {
  it('20% throttled calls give the same snapshot as none (timestamps aside)', async () => {
    const denied = { match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: org.accounts.denied }, fault: 'AccessDenied' as const };
    proxy.setRules([denied]);
    const clean = await scanAt(proxy.endpoint);
    expect(clean.counter.retries).toBe(0);

    proxy.resetLog();
    proxy.setRules([denied, { match: {}, fault: 'Throttling', rate: 0.2 }]);
    const throttled = await scanAt(proxy.endpoint);
    const injected = proxy.requests.filter((r) => r.injected === 'Throttling').length;
    // The fault really happened, at about the rate asked for, and the SDK retried through it.
    expect(injected / proxy.requests.length).toBeGreaterThan(0.12);
    expect(injected / proxy.requests.length).toBeLessThan(0.28);
    expect(throttled.counter.retries).toBeGreaterThanOrEqual(injected - 5);

    // Kept as artifacts so a failure can be diffed by hand.
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/throttling-clean.json', JSON.stringify(comparable(clean.snapshot), null, 2));
    writeFileSync('test-artifacts/throttling-throttled.json', JSON.stringify(comparable(throttled.snapshot), null, 2));
    expect(comparable(throttled.snapshot)).toEqual(comparable(clean.snapshot));
    expect(throttled.snapshot.trails.length).toBe(Object.keys(org.trails).length);
    // Each throttled call backs off on its own (src/collect/backoff.ts: full jitter, 25 ms base,
    // 1 s cap for throttling) while the rest go on; the account is slowed only if most of its
    // attempts are refused.
  }, 240_000);

  it('a call throttled past its retries stays an ERROR naming the throttling, and the scan goes on', async () => {
    proxy.resetLog();
    proxy.setRules([{ match: { service: 'cloudtrail', operation: 'GetEventSelectors' }, fault: 'Throttling' }]);
    const { snapshot } = await scanAt(proxy.endpoint, { maxAttempts: 3 });
    proxy.clearRules();
    const sent = proxy.requests.filter((r) => r.operation === 'GetEventSelectors');
    const failed = snapshot.errors.filter((e) => e.operation === 'GetEventSelectors');
    // Every trail's selectors were asked for, three attempts each, and each read is an error.
    expect(failed.length).toBe(snapshot.trails.length);
    expect(sent.length).toBe(3 * failed.length);
    for (const e of failed) expect(`${e.code} ${e.message}`).toMatch(/Throttl/);
    // Nothing was invented for the facts it could not read; everything else was still read.
    expect(snapshot.trails.every((t) => t.eventSelectors === null)).toBe(true);
    expect(snapshot.trails.length).toBe(Object.keys(org.trails).length);
    expect(snapshot.complete).toBe(true);
  }, 120_000);
});
