// Writes the published JSON Schemas from their zod sources. A test fails when the committed
// files differ from what this script would write, so they never drift from the code.
import { writeFileSync } from 'node:fs';
import { publishedSchemas } from '../src/schemas.js';

for (const [file, schema] of Object.entries(publishedSchemas())) {
  writeFileSync(new URL(`../schemas/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/${file}`);
}
