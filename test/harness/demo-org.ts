// The organization behind `trailwarden demo`: the acceptance-test organization (14 accounts, every
// posture the rules judge, good and bad) plus the fault a real organization shows that moto cannot
// play (a member whose role trust refuses the scanner), scanned with the real collector.
// scripts/make-demo.ts writes the result to demo/snapshot.json; test/integration/demo.test.ts
// scans it afresh to prove the committed file is still what the collector records.
import { scan } from '../../src/collect/scan.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { TOOL_VERSION } from '../../src/version.js';
import { emulatorEnv } from './context.js';
import { startFaultProxy } from './fault-proxy.js';
import { startMoto } from './moto.js';
import { seedScenarioOrganization } from './scenario-org.js';

/** Bucket-name suffix of the demo: names read as the demo's, not a test run's. */
export const DEMO_SUFFIX = 'demo';

/** Starts moto, seeds the demo organization, scans it through the fault proxy, stops everything. */
export async function scanDemoOrganization(): Promise<Snapshot> {
  const moto = await startMoto();
  try {
    const org = await seedScenarioOrganization({ endpoint: moto.endpoint }, { suffix: DEMO_SUFFIX });
    const proxy = await startFaultProxy({ target: moto.endpoint });
    try {
      const role = `arn:aws:iam::${org.accounts.denied}:role/OrganizationAccountAccessRole`;
      proxy.setRules([{
        match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: org.accounts.denied }, fault: 'AccessDenied',
        message: `User: arn:aws:iam::${org.managementAccountId}:user/moto is not authorized to perform: sts:AssumeRole on resource: ${role}`,
      }]);
      emulatorEnv(proxy.endpoint);
      const { snapshot } = await scan({
        toolVersion: TOOL_VERSION,
        roleName: 'OrganizationAccountAccessRole',
        concurrency: 16,
        perAccountConcurrency: 4,
        endpointUrl: proxy.endpoint,
        region: 'us-east-1',
        maxAttempts: 10,
        requestTimeoutMs: 10_000,
      });
      return snapshot;
    } finally {
      await proxy.stop();
    }
  } finally {
    await moto.stop();
  }
}
