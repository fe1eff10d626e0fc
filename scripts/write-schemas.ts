// Writes the published JSON Schemas from their zod sources, and the IAM action table of the collectors. A test fails when the committed
// files differ from what this script would write, so they never drift from the code.
import { writeFileSync } from 'node:fs';
import { iamActionsSource } from '../src/collect/registry.js';
import { publishedSchemas } from '../src/schemas.js';

for (const [file, schema] of Object.entries(publishedSchemas())) {
  writeFileSync(new URL(`../schemas/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/${file}`);
}

// The SDK operation -> IAM action table the engine names in an ERROR's permission fix, as data:
// evaluate reads it without loading the collectors and the AWS SDK behind them.
writeFileSync(new URL('../src/collect/iam-actions.ts', import.meta.url), iamActionsSource());
console.log('wrote src/collect/iam-actions.ts');
