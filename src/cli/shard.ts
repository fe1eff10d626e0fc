// --shard and --shard-count, shared by scan and verify-logs.
import { UsageError } from '../core/errors.js';
import { resolveShard, ShardRequestError } from '../shard/from-env.js';

/** --shard K/N, or the index a Kubernetes Indexed Job, AWS Batch array job or CI matrix gives (src/shard/from-env.ts). */
export function shardFlag(flags: { shard?: string; shardCount?: string }, env: NodeJS.ProcessEnv) {
  try {
    return resolveShard(flags, env);
  } catch (err) {
    if (err instanceof ShardRequestError) throw new UsageError(err.message);
    throw err;
  }
}
