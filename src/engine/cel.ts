// CEL behind a small interface: compile once (syntax and overloads type-checked when the pack
// loads), evaluate many times. The helpers CEL expresses badly are typed TypeScript functions.
import { Environment } from '@marcbachmann/cel-js';
import { HELPERS, type HelperDeps } from './helpers/index.js';

/** Variables a rule may use; which ones are bound depends on the scope. */
export const VARIABLES = ['trail', 'bucket', 'key', 'topic', 'logGroup', 'stream', 'account', 'region', 'organization', 'trails', 'accounts', 'params'] as const;

export interface CompiledExpression {
  source: string;
  evaluate(vars: Record<string, unknown>, deps: HelperDeps): unknown;
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
const perEvaluation = new WeakMap<HelperDeps, { env: Environment; programs: Map<string, Program> }>();

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
    evaluate(vars, deps) {
      let slot = perEvaluation.get(deps);
      if (!slot) {
        slot = { env: environment(deps), programs: new Map() };
        perEvaluation.set(deps, slot);
      }
      let program = slot.programs.get(source);
      if (!program) {
        program = slot.env.parse(source) as unknown as Program;
        slot.programs.set(source, program);
      }
      const bound: Record<string, unknown> = {};
      for (const v of VARIABLES) bound[v] = vars[v] ?? null;
      return program(bound);
    },
  };
}
