// A custom rule that runs away (nested macros over large lists) is stopped by the evaluation
// budget: that finding is ERROR, every other rule and subject is judged as usual.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';

const BASE = new URL('../rules/base-snapshot.json', import.meta.url).pathname;
const DEMO = new URL('../../demo/snapshot.json', import.meta.url).pathname;
const NOW = '2026-11-21T12:00:00Z';
const BUDGET_MESSAGE = 'rule exceeded its evaluation budget';

type Finding = { ruleId: string; status: string; message: string; fingerprint: string };
const findings = (dir: string): Finding[] => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).findings;

function customRule(id: string, assert: string): string {
  return [
    `id: ${id}`,
    `title: Custom rule ${id}`,
    'severity: low',
    'scope: organization',
    'description: A custom rule written for the evaluation budget test.',
    'rationale: It exercises the engine, not an AWS control.',
    `assert: >-\n  ${assert}`,
    'message:',
    '  pass: "It holds."',
    '  fail: "It does not hold."',
    'frameworksNote: A test rule; it maps to no framework.',
    'remediation:',
    '  summary: Nothing to do.',
    '  console:',
    '    - "Nothing to do"',
    '  cli: "true"',
    '  terraform: "# nothing"',
    '  cloudformation: "# nothing"',
    'references:',
    '  - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-user-guide.html',
    '',
  ].join('\n');
}

describe('the CEL evaluation budget', () => {
  it('stops four nested all() over 200-element lists: ERROR for that rule, normal verdicts for the rest', async () => {
    const rules = mkdtempSync(join(tmpdir(), 'tw-budget-rules-'));
    const list = `[${Array.from({ length: 200 }, (_, i) => `"s${i}"`).join(', ')}]`;
    writeFileSync(
      join(rules, 'runaway-nesting.yaml'),
      customRule('runaway-nesting', `cel.bind(xs, ${list}, xs.all(a, xs.all(b, xs.all(c, xs.all(d, a + b + c + d != "")))))`),
    );
    writeFileSync(join(rules, 'quick-custom.yaml'), customRule('quick-custom', `cel.bind(xs, ${list}, xs.all(a, xs.exists(b, a == b)))`));
    const [withCustom, without] = [mkdtempSync(join(tmpdir(), 'tw-budget-')), mkdtempSync(join(tmpdir(), 'tw-budget-'))];

    const started = performance.now();
    const run = await cli(['evaluate', BASE, '--out', withCustom, '--now', NOW, '--rules', rules]);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(10);
    expect(run.code).toBe(3); // the gate passes, but an ERROR verdict makes the run incomplete
    const all = findings(withCustom);
    const runaway = all.filter((f) => f.ruleId === 'runaway-nesting');
    expect(runaway).toHaveLength(1);
    expect(runaway[0]).toMatchObject({ status: 'ERROR', message: expect.stringContaining(BUDGET_MESSAGE) });
    expect(all.find((f) => f.ruleId === 'quick-custom')).toMatchObject({ status: 'PASS' });

    // The shipped pack's verdicts are those of a run without the custom rules.
    expect((await cli(['evaluate', BASE, '--out', without, '--now', NOW])).code).toBe(0);
    const verdicts = (fs: Finding[]) => fs.filter((f) => !['runaway-nesting', 'quick-custom'].includes(f.ruleId)).map((f) => `${f.fingerprint} ${f.status}`);
    expect(verdicts(all)).toEqual(verdicts(findings(without)));
  });

  it('the shipped pack never reaches it on the demo snapshot', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tw-budget-demo-'));
    await cli(['evaluate', DEMO, '--out', out, '--now', NOW]);
    const all = findings(out);
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter((f) => f.message.includes(BUDGET_MESSAGE))).toEqual([]);
  });
});
