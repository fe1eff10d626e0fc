// Fuzz: the snapshot given to `evaluate` (JSON, from a scan or from anyone).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { loadSnapshotInput } from '../../src/cli/inputs.js';
import { evaluateSnapshot, prepare, type Prepared } from '../../src/core/pipeline.js';
import { renderText, reportFormat } from '../../src/report/formats/index.js';
import { BASE_SNAPSHOT, documents, evaluateKeepsInvariants, expectHandled, FORMATS, fuzzParams, NOW, previousSet, read, tempDir } from './harness.js';

const validText = read('test/rules/base-snapshot.json');
const valid = JSON.parse(validText);

describe('fuzz: snapshot', () => {
  let prepared: Prepared;
  beforeAll(async () => {
    prepared = await prepare({ format: FORMATS }, process.cwd());
  });

  it('loads, evaluates and renders any mutation, or refuses it as bad input', async () => {
    const dir = tempDir('snapshot');
    const file = join(dir, 'snapshot.json');
    await fc.assert(
      fc.asyncProperty(documents(valid, validText, 'json'), async (text) => {
        writeFileSync(file, text);
        await expectHandled(async () => {
          const outcome = evaluateSnapshot(await loadSnapshotInput(file), prepared, undefined, new Date(NOW));
          for (const f of FORMATS) await renderText(reportFormat(f)!, outcome);
        });
      }),
      fuzzParams(400),
    );
  });

  it('evaluate: a documented exit code, and a complete report set or the previous one', async () => {
    const out = await previousSet();
    const dir = tempDir('snapshot-cli');
    const file = join(dir, 'snapshot.json');
    await fc.assert(
      fc.asyncProperty(documents(valid, validText, 'json'), async (text) => {
        writeFileSync(file, text);
        await evaluateKeepsInvariants([file], out);
      }),
      fuzzParams(15),
    );
    await evaluateKeepsInvariants([BASE_SNAPSHOT], out);
  });
});
