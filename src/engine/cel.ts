// CEL behind a small interface: compile once (syntax and overloads type-checked when the pack
// loads), evaluate many times. The helpers CEL expresses badly are typed TypeScript functions.
import { Environment } from '@marcbachmann/cel-js';
import { HELPERS, type HelperDeps } from './helpers/index.js';

/** Variables a rule may use; which ones are bound depends on the scope. */
export const VARIABLES = ['trail', 'bucket', 'key', 'topic', 'logGroup', 'stream', 'eventDataStore', 'recorder', 'recorders', 'account', 'region', 'organization', 'trails', 'accounts', 'params'] as const;

export interface CompiledExpression {
  source: string;
  /** With a budget, every CEL node evaluated spends one step; past the budget it throws BudgetExceeded. */
  evaluate(vars: Record<string, unknown>, deps: HelperDeps, budget?: EvaluationBudget): unknown;
}

/**
 * Steps one rule may spend on one subject, a step being one CEL node evaluated (a macro's every
 * iteration, every helper call, every operator). The shipped pack needs at most 71 on the demo
 * snapshot; its costliest rule at scale (a bucket's 100 lifecycle rules against 1,000 trails
 * writing to it) about 3.4 million. Ten million take about half a second; four nested .all() over
 * 200-element lists would need 1.6 billion.
 */
export const EVALUATION_BUDGET = 10_000_000;

export const BUDGET_EXCEEDED = 'rule exceeded its evaluation budget';

export class BudgetExceeded extends Error {
  constructor() {
    super(BUDGET_EXCEEDED);
  }
}

/** Shared by every expression one rule evaluates on one subject (when, assert, details, forAny items). */
export class EvaluationBudget {
  private remaining: number;
  constructor(readonly steps: number = EVALUATION_BUDGET) {
    this.remaining = steps;
  }
  get spent(): number {
    return this.steps - this.remaining;
  }
  get exceeded(): boolean {
    return this.remaining < 0;
  }
  /** Once exceeded, every further step throws too: no branch of the expression can still yield a value. */
  spend(): void {
    if (--this.remaining < 0) throw new BudgetExceeded();
  }
}

type Evaluator = { run(ast: unknown, ctx: unknown): unknown };
type Meter = { budget: EvaluationBudget | null };

/**
 * cel-js has structural limits at parse time but no cost limit at run time. Every node it
 * evaluates below the root goes through its evaluator's run(), so the meter wraps that one method.
 * The evaluator is private to the Environment; a macro (the library's documented extension point)
 * receives it, so a probe macro, registered only here and never in the checker rules compile
 * against, hands it over once.
 */
function attachMeter(env: Environment): Meter {
  const meter: Meter = { budget: null };
  let evaluator: Evaluator | undefined;
  env.registerFunction('__trailwardenEvaluator(ast): bool', (() => ({
    typeCheck: (checker: { getType(name: string): unknown }) => checker.getType('bool'),
    evaluate: (ev: Evaluator) => ((evaluator = ev), true),
  })) as never);
  env.evaluate('__trailwardenEvaluator(0)');
  if (!evaluator || typeof evaluator.run !== 'function') throw new Error('cel-js: the evaluator could not be metered');
  const run = evaluator.run;
  evaluator.run = function metered(this: Evaluator, ast: unknown, ctx: unknown) {
    meter.budget?.spend();
    return run.call(this, ast, ctx);
  };
  // A library version that stops routing evaluation through run() must fail here, not lose the budget.
  const probe = new EvaluationBudget(Number.MAX_SAFE_INTEGER);
  meter.budget = probe;
  env.evaluate('[1, 2, 3].all(x, x > 0)');
  meter.budget = null;
  if (probe.spent < 3) throw new Error('cel-js: macro iterations are not metered');
  return meter;
}

function environment(deps: HelperDeps | null): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false });
  for (const v of VARIABLES) env.registerVariable(v, 'dyn');
  for (const h of HELPERS) {
    env.registerFunction(h.signature, (...args: unknown[]) => {
      if (!deps) throw new Error('helpers are not callable while checking');
      return h.handler(deps, ...args);
    });
  }
  return env;
}

const checker = environment(null);

export class ExpressionError extends Error {}

type Program = (context: Record<string, unknown>) => unknown;
/** One environment per evaluation (its helpers close over that evaluation's clock and options). */
const perEvaluation = new WeakMap<HelperDeps, { env: Environment; meter: Meter; programs: Map<string, Program> }>();

/** Parses and type-checks; throws ExpressionError with the library's explanation. */
export function compile(source: string): CompiledExpression {
  let check;
  try {
    check = checker.check(source);
  } catch (err) {
    throw new ExpressionError((err as Error).message.split('\n')[0]);
  }
  if (!check.valid) throw new ExpressionError(check.error?.message.split('\n')[0] ?? 'invalid expression');
  return {
    source,
    evaluate(vars, deps, budget) {
      let slot = perEvaluation.get(deps);
      if (!slot) {
        const env = environment(deps);
        slot = { env, meter: attachMeter(env), programs: new Map() };
        perEvaluation.set(deps, slot);
      }
      let program = slot.programs.get(source);
      if (!program) {
        program = slot.env.parse(source) as unknown as Program;
        slot.programs.set(source, program);
      }
      const bound: Record<string, unknown> = {};
      for (const v of VARIABLES) bound[v] = vars[v] ?? null;
      slot.meter.budget = budget ?? null;
      let value: unknown;
      try {
        value = program(bound);
      } catch (err) {
        // The runtime may wrap the error, or an all()/exists() may hold it until its end.
        if (budget?.exceeded) throw new BudgetExceeded();
        throw err;
      } finally {
        slot.meter.budget = null;
      }
      // `||` and `&&` absorb an error when the other side decides: a spent budget still decides.
      if (budget?.exceeded) throw new BudgetExceeded();
      return value;
    },
  };
}
