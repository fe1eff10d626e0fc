// Writes the CloudFormation templates under deploy/ (npm run deploy:write). A test fails when the
// committed files differ from what this would write, so they never lag behind the collectors.
import { writeFileSync } from 'node:fs';
import { deployFiles } from './deploy-templates.js';

for (const [file, text] of Object.entries(deployFiles())) {
  writeFileSync(new URL(`../deploy/${file}`, import.meta.url), text);
  console.log(`wrote deploy/${file}`);
}
