// Fuzz: the --waivers file (YAML, with globs over rule ids and resources).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { parse } from 'yaml';
import { BUILTIN_RULES } from '../../src/core/pipeline.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRules, type RulesPack } from '../../src/engine/load.js';
import type { Finding } from '../../src/findings/finding.js';
import { loadSnapshot } from '../../src/inventory/load.js';
import { applyWaivers } from '../../src/waivers/apply.js';
import { loadWaivers } from '../../src/waivers/load.js';
import { BASE_SNAPSHOT, documents, evaluateKeepsInvariants, expectHandled, fuzzParams, NOW, previousSet, read, tempDir } from './harness.js';

const validText = read('examples/waivers.yaml');
const valid = parse(validText);

describe('fuzz: waivers', () => {
  let pack: RulesPack;
  let findings: Finding[];
  beforeAll(async () => {
    pack = await loadRules([BUILTIN_RULES]);
    findings = evaluate(await loadSnapshot(BASE_SNAPSHOT), pack.rules, { now: new Date(NOW) });
  });

  it('loads and applies any mutation, or refuses it as bad input', async () => {
    const file = join(tempDir('waivers'), 'waivers.yaml');
    await fc.assert(
      fc.asyncProperty(documents(valid, validText, 'yaml'), async (text) => {
        writeFileSync(file, text);
        await expectHandled(async () => {
          applyWaivers(findings, await loadWaivers(file, 'waivers.yaml', pack.rules.map((r) => r.id)), new Date(NOW));
        });
      }),
      fuzzParams(800),
    );
  });

  it('evaluate --waivers: a documented exit code, and a complete report set or the previous one', async () => {
    const out = await previousSet();
    const file = join(tempDir('waivers-cli'), 'waivers.yaml');
    await fc.assert(
      fc.asyncProperty(documents(valid, validText, 'yaml'), async (text) => {
        writeFileSync(file, text);
        await evaluateKeepsInvariants([BASE_SNAPSHOT, '--waivers', file], out);
      }),
      fuzzParams(15),
    );
  });
});
