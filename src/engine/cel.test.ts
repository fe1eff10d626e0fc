// The evaluation budget at the CEL boundary: every node evaluated is a step, and a spent budget
// decides even where CEL would absorb an error.
import { describe, expect, it } from 'vitest';
import { BudgetExceeded, compile, EvaluationBudget } from './cel.js';

const deps = { now: new Date('2026-11-21T12:00:00Z') };
const list = `[${Array.from({ length: 200 }, (_, i) => i).join(', ')}]`;
const nested = `cel.bind(xs, ${list}, xs.all(a, xs.all(b, xs.all(c, a + b + c >= 0))))`;

describe('EvaluationBudget', () => {
  it('counts macro iterations: a small budget stops three nested all() over 200 elements', () => {
    const budget = new EvaluationBudget(10_000);
    expect(() => compile(nested).evaluate({}, deps, budget)).toThrow(BudgetExceeded);
    expect(budget.exceeded).toBe(true);
  });

  it('is shared across expressions: what one spends, the next cannot', () => {
    const budget = new EvaluationBudget(10_000);
    const small = compile(`${list}.all(x, x >= 0)`);
    for (let i = 0; i < 5; i++) small.evaluate({}, deps, budget);
    expect(budget.spent).toBeGreaterThan(5 * 200);
    expect(() => {
      for (let i = 0; i < 100; i++) small.evaluate({}, deps, budget);
    }).toThrow(BudgetExceeded);
  });

  it('is not absorbed by || or exists(), which swallow an error when another branch decides', () => {
    for (const source of [`${nested} || true`, `[1, 2].exists(i, i == 2 || ${nested})`, `[${nested}, true].exists(b, b)`]) {
      expect(() => compile(source).evaluate({}, deps, new EvaluationBudget(10_000)), source).toThrow(BudgetExceeded);
    }
  });

  it('leaves an expression within budget alone, and evaluation without a budget unmetered', () => {
    expect(compile(`${list}.all(x, x >= 0)`).evaluate({}, deps, new EvaluationBudget(10_000))).toBe(true);
    expect(compile(`${list}.map(x, x * 2).size() == 200`).evaluate({}, deps)).toBe(true);
  });
});
