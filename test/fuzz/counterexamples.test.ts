// Inputs the fuzz suites found that once crashed trailwarden, kept as plain cases through the CLI.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';
import { BASE_SNAPSHOT, NOW, outDirState, previousSet, tempDir } from './harness.js';

describe('fuzz counterexamples', () => {
  it('a block sequence 3,000 deep inside --config, --waivers or --baseline is exit 2 with the file named, the previous set kept', async () => {
    const out = await previousSet();
    const before = outDirState(out);
    const dir = tempDir('deep');
    for (const flag of ['--config', '--waivers', '--baseline']) {
      const file = join(dir, `deep-${flag.slice(2)}.yaml`);
      writeFileSync(file, `{\n  "findings": [\n    {\n      "title": "x",\n    ${'- '.repeat(3_000)}x\n    }\n  ]\n}\n`);
      const run = await cli(['evaluate', BASE_SNAPSHOT, flag, file, '--out', out, '--now', NOW]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.startsWith(`trailwarden: ${file}`), run.stderr).toBe(true);
      expect(run.stderr).toContain('invalid YAML');
    }
    expect(outDirState(out)).toBe(before);
  });
});
