import { describe, expect, it } from 'vitest';
import { resolveShard, ShardRequestError, unusedShardIndex } from './from-env.js';

const fails = (request: Parameters<typeof resolveShard>[0], env: NodeJS.ProcessEnv): string => {
  try {
    resolveShard(request, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ShardRequestError);
    return (err as Error).message;
  }
  throw new Error(`resolved ${JSON.stringify(request)} with ${JSON.stringify(env)}`);
};

describe('resolveShard', () => {
  it('no flag: unsharded, whatever the environment holds', () => {
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '2', AWS_BATCH_JOB_ARRAY_INDEX: 'x' })).toBeNull();
  });

  it('--shard K/N alone, as before', () => {
    expect(resolveShard({ shard: '2/4' }, {})).toEqual({ index: 2, count: 4 });
  });

  it('Kubernetes Indexed Job: JOB_COMPLETION_INDEX 0..N-1 with --shard-count N is shard 1..N', () => {
    for (let i = 0; i < 4; i++) expect(resolveShard({ shardCount: '4' }, { JOB_COMPLETION_INDEX: String(i) })).toEqual({ index: i + 1, count: 4 });
    expect(resolveShard({ shard: 'auto', shardCount: '4' }, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
  });

  it('AWS Batch array job: index and size from the environment with --shard auto', () => {
    expect(resolveShard({ shard: 'auto' }, { AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: '3' })).toEqual({ index: 1, count: 3 });
    expect(resolveShard({ shardCount: '3' }, { AWS_BATCH_JOB_ARRAY_INDEX: '2', AWS_BATCH_JOB_ARRAY_SIZE: '3' })).toEqual({ index: 3, count: 3 });
    expect(resolveShard({ shardCount: '3' }, { AWS_BATCH_JOB_ARRAY_INDEX: '2' })).toEqual({ index: 3, count: 3 });
  });

  it('TRAILWARDEN_SHARD=K/N (a GitHub Actions matrix) with --shard auto', () => {
    expect(resolveShard({ shard: 'auto' }, { TRAILWARDEN_SHARD: '2/5' })).toEqual({ index: 2, count: 5 });
  });

  it('an explicit --shard that agrees with the engine is accepted', () => {
    expect(resolveShard({ shard: '2/4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '4' })).toEqual({ index: 2, count: 4 });
    expect(resolveShard({ shard: '3/4', shardCount: '4' }, {})).toEqual({ index: 3, count: 4 });
  });

  it.each([
    [{ shard: '2/4' }, { JOB_COMPLETION_INDEX: '0' }, '--shard 2/4 and JOB_COMPLETION_INDEX=0 (shard 1) name different shards: give one, or make them agree'],
    [{ shard: '2/4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '8' }, '--shard 2/4 and AWS_BATCH_JOB_ARRAY_SIZE=8 name different shard counts: give one, or make them agree'],
    [{ shard: '2/4', shardCount: '5' }, {}, '--shard 2/4 and --shard-count 5 name different shard counts: give one, or make them agree'],
    [{ shardCount: '4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '3' }, '--shard-count 4 and AWS_BATCH_JOB_ARRAY_SIZE=3 name different shard counts: give one, or make them agree'],
    [{ shardCount: '4' }, { JOB_COMPLETION_INDEX: '1', AWS_BATCH_JOB_ARRAY_INDEX: '2' }, 'JOB_COMPLETION_INDEX=1 (shard 2) and AWS_BATCH_JOB_ARRAY_INDEX=2 (shard 3) name different shards: give one, or make them agree'],
    [{ shard: 'auto' }, { TRAILWARDEN_SHARD: '1/4', AWS_BATCH_JOB_ARRAY_INDEX: '1' }, 'AWS_BATCH_JOB_ARRAY_INDEX=1 (shard 2) and TRAILWARDEN_SHARD=1/4 name different shards: give one, or make them agree'],
  ])('conflicting values: %j with %j', (request, env, message) => {
    expect(fails(request, env)).toBe(message);
  });

  it.each([
    [{ shardCount: '4' }, { JOB_COMPLETION_INDEX: '4' }, 'JOB_COMPLETION_INDEX=4 is outside 4 shard(s): the index must be from 0 to 3 (--shard-count 4, JOB_COMPLETION_INDEX=4)'],
    [{ shard: 'auto' }, { AWS_BATCH_JOB_ARRAY_INDEX: '5', AWS_BATCH_JOB_ARRAY_SIZE: '5' }, 'AWS_BATCH_JOB_ARRAY_INDEX=5 is outside 5 shard(s): the index must be from 0 to 4 (AWS_BATCH_JOB_ARRAY_INDEX=5, AWS_BATCH_JOB_ARRAY_SIZE=5)'],
    [{ shardCount: '4' }, { JOB_COMPLETION_INDEX: 'one' }, 'JOB_COMPLETION_INDEX="one" is not a whole number'],
    [{ shardCount: '4' }, { JOB_COMPLETION_INDEX: '-1' }, 'JOB_COMPLETION_INDEX="-1" is not a whole number'],
    [{ shardCount: '4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '1.5' }, 'AWS_BATCH_JOB_ARRAY_INDEX="1.5" is not a whole number'],
    [{ shard: 'auto' }, { AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: '0' }, 'AWS_BATCH_JOB_ARRAY_SIZE=0 must be at least 1'],
    [{ shard: 'auto' }, { TRAILWARDEN_SHARD: '5/4' }, 'TRAILWARDEN_SHARD: "5/4": K must be from 1 to N (4)'],
    [{ shardCount: 'four' }, { JOB_COMPLETION_INDEX: '0' }, '--shard-count: expected a whole number from 1 to 1000, got "four"'],
    [{ shardCount: '0' }, { JOB_COMPLETION_INDEX: '0' }, '--shard-count: expected a whole number from 1 to 1000, got "0"'],
    [{ shard: 'two' }, {}, '--shard: "two" is not K/N (e.g. 2/4) or auto'],
    [{ shard: '5/4' }, {}, '--shard: "5/4": K must be from 1 to N (4)'],
  ])('invalid values: %j with %j', (request, env, message) => {
    expect(fails(request, env)).toBe(message);
  });

  it.each([
    [{ shardCount: '4' }, {}, '--shard-count: no shard index in the environment (JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, TRAILWARDEN_SHARD); give --shard K/N instead'],
    [{ shard: 'auto' }, { AWS_BATCH_JOB_ARRAY_SIZE: '4' }, '--shard auto: no shard index in the environment (JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, TRAILWARDEN_SHARD); give --shard K/N instead'],
    [{ shard: 'auto' }, { JOB_COMPLETION_INDEX: '1' }, 'JOB_COMPLETION_INDEX=1: the shard count is unknown; add --shard-count N (a Kubernetes Indexed Job\'s spec.completions)'],
  ])('missing values: %j with %j', (request, env, message) => {
    expect(fails(request, env)).toBe(message);
  });
});

describe('unusedShardIndex', () => {
  it('names an engine index that no flag asked to use', () => {
    expect(unusedShardIndex({}, { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).toBe('AWS_BATCH_JOB_ARRAY_INDEX=3');
    expect(unusedShardIndex({ shard: 'auto' }, { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).toBeNull();
    expect(unusedShardIndex({}, {})).toBeNull();
  });
});
