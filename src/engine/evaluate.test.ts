// Engine behaviour that no single rule fixture shows: options that change how every rule is judged.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseSnapshot, EVALUATION_NOW, loadFixture } from '../../test/harness/fixture.js';
import { evaluate } from './evaluate.js';
import { loadRules, type RulesPack } from './load.js';

const RULES = fileURLToPath(new URL('../../rules/', import.meta.url));
const V3_FILTER = fileURLToPath(new URL('../../test/rules/monitoring-security-group-changes/fail/v3-pattern-judged-as-v5.json', import.meta.url));
let pack: RulesPack;
beforeAll(async () => {
  pack = await loadRules([RULES]);
});

const statuses = (framework?: string) =>
  evaluate(loadFixture(V3_FILTER).snapshot, pack.rules.filter((r) => r.id === 'monitoring-security-group-changes'), { now: EVALUATION_NOW, framework }).map((f) => f.status);

describe('evaluate', () => {
  it('--framework cis-aws-vX judges monitoring filters by that version\'s pattern; other frameworks by the configured one', () => {
    expect(new Set(statuses('cis-aws-v3.0.0'))).toEqual(new Set(['PASS']));
    expect(new Set(statuses('cis-aws-v5.0.0'))).toEqual(new Set(['FAIL']));
    expect(new Set(statuses())).toEqual(new Set(['FAIL']));
  });

  it('is pure: evaluating twice gives identical findings and leaves the snapshot untouched', () => {
    const snapshot = baseSnapshot();
    const before = JSON.stringify(snapshot);
    const a = evaluate(snapshot, pack.rules, { now: EVALUATION_NOW });
    const b = evaluate(snapshot, pack.rules, { now: EVALUATION_NOW });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(snapshot)).toBe(before);
  });
});
