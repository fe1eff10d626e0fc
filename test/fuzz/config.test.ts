// Fuzz: the --config file (YAML).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { BUILTIN_RULES } from '../../src/core/pipeline.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRules, type RulesPack } from '../../src/engine/load.js';
import { loadSnapshot } from '../../src/inventory/load.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { BASE_SNAPSHOT, documents, evaluateKeepsInvariants, expectHandled, fuzzParams, NOW, previousSet, read, tempDir } from './harness.js';

const validText = read('examples/trailwarden.config.yaml');
const valid = parse(validText);

describe('fuzz: config', () => {
  let pack: RulesPack;
  let snapshot: Snapshot;
  beforeAll(async () => {
    pack = await loadRules([BUILTIN_RULES]);
    snapshot = await loadSnapshot(BASE_SNAPSHOT);
  });

  it('loads and evaluates with any mutation, or refuses it as bad input', async () => {
    const file = join(tempDir('config'), 'trailwarden.config.yaml');
    await fc.assert(
      fc.asyncProperty(documents(valid, validText, 'yaml'), async (text) => {
        writeFileSync(file, text);
        await expectHandled(async () => {
          const config = await loadConfig(file, pack.rules.map((r) => r.id));
          evaluate(snapshot, pack.rules, { now: new Date(NOW), config });
        });
      }),
      fuzzParams(600),
    );
  });

  it('evaluate --config: a documented exit code, and a complete report set or the previous one', async () => {
    const out = await previousSet();
    const file = join(tempDir('config-cli'), 'trailwarden.config.yaml');
    await fc.assert(
      fc.asyncProperty(documents(valid, validText, 'yaml'), async (text) => {
        writeFileSync(file, text);
        await evaluateKeepsInvariants([BASE_SNAPSHOT, '--config', file], out);
      }),
      fuzzParams(15),
    );
  });
});
