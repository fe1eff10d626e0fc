// Which shard this run is, from the flags and from the engine running it. Kubernetes Indexed Jobs
// and AWS Batch array jobs hand each copy a 0-based index in the environment; trailwarden's shards
// are 1-based (K/N), so index i is shard i + 1. Pure: the environment is passed in.
import { formatShard, MAX_SHARDS, parseShard, type ShardSpec } from './assign.js';

export interface ShardRequest {
  /** --shard: "K/N", or "auto" (both from the environment, --shard-count when the engine gives no count). */
  shard?: string;
  /** --shard-count N: the index comes from the environment. */
  shardCount?: string;
}

/** The engines' variables, in the order they are named in messages. */
export const SHARD_INDEX_VARS = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;
export const SHARD_SIZE_VAR = 'AWS_BATCH_JOB_ARRAY_SIZE';
/** The generic form, e.g. a GitHub Actions matrix: TRAILWARDEN_SHARD: ${{ matrix.shard }}/${{ strategy.job-total }}. */
export const SHARD_VAR = 'TRAILWARDEN_SHARD';

/** A shard that cannot be decided: the message names the flag or variable and what is wrong (exit 2). */
export class ShardRequestError extends Error {}

interface Source {
  /** Where the value came from, as the user wrote it: "--shard 2/4", "JOB_COMPLETION_INDEX=1". */
  from: string;
  index?: number;
  count?: number;
}

const DIGITS = /^\s*\d+\s*$/;

function envInt(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!DIGITS.test(raw)) throw new ShardRequestError(`${name}="${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min) throw new ShardRequestError(`${name}=${raw} must be at least ${min}`);
  return n;
}

/** Every shard fact the environment carries; each variable checked on its own. */
function fromEnvironment(env: NodeJS.ProcessEnv): Source[] {
  const sources: Source[] = [];
  for (const name of SHARD_INDEX_VARS) {
    const index = envInt(env, name, 0);
    if (index !== undefined) sources.push({ from: `${name}=${index}`, index: index + 1 });
  }
  const size = envInt(env, SHARD_SIZE_VAR, 1);
  if (size !== undefined) sources.push({ from: `${SHARD_SIZE_VAR}=${size}`, count: size });
  const generic = env[SHARD_VAR];
  if (generic !== undefined && generic !== '') {
    const spec = parseShard(generic);
    if (typeof spec === 'string') throw new ShardRequestError(`${SHARD_VAR}: ${spec}`);
    sources.push({ from: `${SHARD_VAR}=${formatShard(spec)}`, ...spec });
  }
  return sources;
}

/**
 * The shard of this run, or null for an unsharded scan. Every source that says something must
 * agree: two sources naming different indexes or counts is a mistake in the job definition, and
 * guessing which one is meant would scan one part twice and another part never.
 *
 * - `--shard K/N`: explicit. An engine's variables, when present, must agree with it.
 * - `--shard-count N`: the index from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX.
 * - `--shard auto`: index and count from the environment (AWS_BATCH_JOB_ARRAY_INDEX with
 *   AWS_BATCH_JOB_ARRAY_SIZE, TRAILWARDEN_SHARD, or an index with --shard-count).
 * - neither flag: unsharded, whatever the environment holds (an engine's index alone does not
 *   split a scan, so an array job of unrelated scans is not silently cut into parts).
 */
export function resolveShard(request: ShardRequest, env: NodeJS.ProcessEnv): ShardSpec | null {
  if (request.shard === undefined && request.shardCount === undefined) return null;
  const sources: Source[] = [];
  const auto = request.shard === undefined || request.shard.trim() === 'auto';
  if (!auto) {
    const spec = parseShard(request.shard!);
    if (typeof spec === 'string') throw new ShardRequestError(`--shard: ${/\d\s*\/\s*\d/.test(request.shard!) ? spec : `"${request.shard}" is not K/N (e.g. 2/4) or auto`}`);
    sources.push({ from: `--shard ${formatShard(spec)}`, ...spec });
  }
  if (request.shardCount !== undefined) {
    const raw = request.shardCount;
    const n = Number(raw);
    if (!DIGITS.test(raw) || n < 1 || n > MAX_SHARDS) throw new ShardRequestError(`--shard-count: expected a whole number from 1 to ${MAX_SHARDS}, got "${raw}"`);
    sources.push({ from: `--shard-count ${n}`, count: n });
  }
  sources.push(...fromEnvironment(env));

  const index = agreed(sources, 'index');
  const count = agreed(sources, 'count');
  const given = sources.map((s) => s.from).join(', ');
  if (index === undefined) {
    throw new ShardRequestError(
      `${request.shard !== undefined ? '--shard auto' : '--shard-count'}: no shard index in the environment ` +
        `(${[...SHARD_INDEX_VARS, SHARD_VAR].join(', ')}); give --shard K/N instead`,
    );
  }
  if (count === undefined) {
    throw new ShardRequestError(`${given}: the shard count is unknown; add --shard-count N (a Kubernetes Indexed Job's spec.completions)`);
  }
  if (count > MAX_SHARDS) throw new ShardRequestError(`${given}: the shard count must be from 1 to ${MAX_SHARDS}`);
  if (index > count) {
    // Say it in the engine's own 0-based terms when the index came from one.
    const engine = sources.find((s) => s.index !== undefined && !s.from.startsWith('--') && !s.from.startsWith(SHARD_VAR));
    throw new ShardRequestError(
      engine
        ? `${engine.from} is outside ${count} shard(s): the index must be from 0 to ${count - 1} (${given})`
        : `${given}: K must be from 1 to N (${count})`,
    );
  }
  return { index, count };
}

function agreed(sources: Source[], key: 'index' | 'count'): number | undefined {
  const saying = sources.filter((s) => s[key] !== undefined);
  const first = saying[0];
  for (const other of saying.slice(1)) {
    if (other[key] !== first![key]) {
      const what = key === 'index' ? 'shard' : 'shard count';
      const show = (s: Source) => (key === 'index' && !s.from.startsWith('--shard ') && !s.from.startsWith(SHARD_VAR) ? `${s.from} (shard ${s.index})` : s.from);
      throw new ShardRequestError(`${show(first!)} and ${show(other)} name different ${what}s: give one, or make them agree`);
    }
  }
  return first?.[key];
}

/** An engine index in the environment of a run that was not asked to shard: worth one note, since every copy then scans everything. */
export function unusedShardIndex(request: ShardRequest, env: NodeJS.ProcessEnv): string | null {
  if (request.shard !== undefined || request.shardCount !== undefined) return null;
  const name = [...SHARD_INDEX_VARS, SHARD_VAR].find((n) => env[n] !== undefined && env[n] !== '');
  return name ? `${name}=${env[name]}` : null;
}
