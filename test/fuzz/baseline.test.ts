// Fuzz: the --baseline report (report.json of an earlier run).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { loadReport } from '../../src/report/load.js';
import { BASE_SNAPSHOT, documents, evaluateKeepsInvariants, expectHandled, fuzzParams, previousSet, tempDir } from './harness.js';

describe('fuzz: baseline', () => {
  let validText: string;
  let valid: unknown;
  let out: string;
  beforeAll(async () => {
    out = await previousSet();
    // A real report with a few findings: the whole one is 250 KB, which the YAML parser (it gives
    // loadReport its line numbers) takes 0.2 s to read; a short one lets the suite run hundreds.
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    report.findings = report.findings.slice(0, 12);
    validText = JSON.stringify(report, null, 2);
    valid = report;
  });

  it('loads any mutation, or refuses it as bad input', async () => {
    const file = join(tempDir('baseline'), 'report.json');
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => documents(valid, validText, 'json')),
        async (text) => {
          writeFileSync(file, text);
          await expectHandled(() => loadReport(file));
        },
      ),
      fuzzParams(400),
    );
  });

  it('evaluate --baseline: a documented exit code, and a complete report set or the previous one', async () => {
    const file = join(tempDir('baseline-cli'), 'report.json');
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => documents(valid, validText, 'json')),
        async (text) => {
          writeFileSync(file, text);
          await evaluateKeepsInvariants([BASE_SNAPSHOT, '--baseline', file], out);
        },
      ),
      fuzzParams(15),
    );
  });
});
