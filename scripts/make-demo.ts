// Regenerates demo/snapshot.json (npm run demo:regenerate) by scanning the seeded demo
// organization in moto with the real collector, so the demo shows exactly what a scan records,
// in the current snapshot format. test/integration/demo.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scanDemoOrganization } from '../test/harness/demo-org.js';

const out = fileURLToPath(new URL('../demo/snapshot.json', import.meta.url));
const snapshot = await scanDemoOrganization();
writeFileSync(out, `${JSON.stringify(snapshot, null, 2)}\n`);
const scanned = snapshot.accounts.filter((a) => a.status === 'scanned').length;
console.log(`wrote ${out}: ${snapshot.accounts.length} accounts (${scanned} scanned), ${snapshot.trails.length} trails, ${snapshot.errors.length} collection error(s)`);
