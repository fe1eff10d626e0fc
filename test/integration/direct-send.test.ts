// The scan's direct send path (src/collect/direct-send.ts) against moto: the same organization
// scanned with every call through the SDK's own middleware pipeline and then on the direct path
// gives the same snapshot and the same calls, and the direct path really carried them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { comparable, scanAt } from '../harness/scan-run.js';
import { seedScenarioOrganization } from '../harness/scenario-org.js';

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  await seedScenarioOrganization({ endpoint: moto.endpoint });
});

afterAll(async () => {
  await moto?.stop();
});

describe('the direct send path', () => {
  it('gives the snapshot and the calls the SDK pipeline gives, and carries most calls', async () => {
    const viaSdk = await scanAt(moto.endpoint, { sdkPipeline: true });
    const direct = await scanAt(moto.endpoint);
    expect(viaSdk.directCalls).toBe(0);
    const calls = (r: typeof direct) => r.counter.stats().reduce((n, s) => n + s.calls, 0);
    const byOperation = (r: typeof direct) => {
      const m: Record<string, number> = {};
      for (const s of r.counter.stats()) for (const [op, n] of Object.entries(s.byOperation ?? {})) m[op] = (m[op] ?? 0) + (n as number);
      return m;
    };
    expect(calls(direct)).toBe(calls(viaSdk));
    expect(byOperation(direct)).toEqual(byOperation(viaSdk));
    // The first call of each service and S3 Control go through the SDK; the rest directly.
    expect(direct.directCalls).toBeGreaterThan(calls(direct) * 0.7);
    expect(comparable(direct.snapshot)).toEqual(comparable(viaSdk.snapshot));
    expect(direct.snapshot.errors).toEqual(viaSdk.snapshot.errors);
  }, 240_000);
});
