// Fuzz: a custom rule file in a --rules directory (YAML, with CEL and templates in it).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { parse } from 'yaml';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRules } from '../../src/engine/load.js';
import { loadSnapshot } from '../../src/inventory/load.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { BASE_SNAPSHOT, documents, evaluateKeepsInvariants, expectHandled, fuzzParams, NOW, previousSet, read, tempDir } from './harness.js';

const RULE = 'examples/rules/trail-delivers-to-log-archive.yaml';
const validText = read(RULE);
const valid = parse(validText);

/** CEL a rule author might write, odd or costly: type errors, runaway macros, huge literals. */
const expressions = fc.constantFrom(
  'trail.s3BucketName == params.custom.logArchiveBucket',
  'trails.all(a, trails.all(b, trails.all(c, a.name != b.name || c.name != "")))',
  `cel.bind(xs, [${Array.from({ length: 300 }, (_, i) => i).join(',')}], xs.all(a, xs.all(b, xs.all(c, a + b + c >= 0))))`,
  '1 / 0 == 1',
  '"a".matches("(a+)+$")',
  'trail.name.size() > 9223372036854775807',
  'int("x") == 1',
  'trail.tags["nope"] == "x"',
  'cannotJudge("no")',
  'dyn(trail) == dyn(1)',
  'params.nothing.deeper == 1',
  '[1, "a", null].exists(x, x == null)',
  '{"a": 1}.a == 1',
  'has(trail.name) ? trail.name : 1',
);

describe('fuzz: rules', () => {
  let snapshot: Snapshot;
  beforeAll(async () => {
    snapshot = await loadSnapshot(BASE_SNAPSHOT);
  });

  const rules = fc.oneof(
    { weight: 3, arbitrary: documents(valid, validText, 'yaml') },
    { weight: 1, arbitrary: expressions.map((assert) => validText.replace(/^assert: .*$/m, `assert: ${JSON.stringify(assert)}`)) },
  );

  it('loads and evaluates any mutation, or refuses it as bad input', async () => {
    const dir = tempDir('rules');
    await fc.assert(
      fc.asyncProperty(rules, async (text) => {
        writeFileSync(join(dir, 'trail-delivers-to-log-archive.yaml'), text);
        await expectHandled(async () => {
          const pack = await loadRules([dir]);
          evaluate(snapshot, pack.rules, { now: new Date(NOW) });
        });
      }),
      fuzzParams(500),
    );
  });

  it('evaluate --rules: a documented exit code, and a complete report set or the previous one', async () => {
    const out = await previousSet();
    const dir = tempDir('rules-cli');
    await fc.assert(
      fc.asyncProperty(rules, async (text) => {
        writeFileSync(join(dir, 'trail-delivers-to-log-archive.yaml'), text);
        await evaluateKeepsInvariants([BASE_SNAPSHOT, '--rules', dir], out);
      }),
      fuzzParams(15),
    );
  });
});
