// Which shard scans an account. The assignment is a pure function of the account id and the
// shard count, so every shard runner agrees on it without talking to the others, and an
// account keeps its shard when accounts are added, closed or listed in another order.
// Round-robin over the account list would not: one account created between two runners'
// ListAccounts calls shifts every later account, and one account is scanned twice while
// another is scanned by nobody (docs/sharding.md).
import { createHash } from 'node:crypto';

export interface ShardSpec {
  /** 1-based: shard K of N. */
  index: number;
  count: number;
}

/** The upper bound keeps a typo (--shard 1/1000000) from producing a million empty runs. */
export const MAX_SHARDS = 1000;

/** The shard (1..count) that owns an account: the first 32 bits of sha256(account id), mod count. */
export function shardOf(accountId: string, count: number): number {
  const digest = createHash('sha256').update(accountId, 'utf8').digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard(accountId: string, shard: ShardSpec | null | undefined): boolean {
  return !shard || shardOf(accountId, shard.count) === shard.index;
}

/** Parses "K/N"; returns the reason as a string when it is not a valid shard. */
export function parseShard(text: string): ShardSpec | string {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return `"${text}" is not K/N (e.g. 2/4)`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return `"${text}": the shard count must be from 1 to ${MAX_SHARDS}`;
  if (index < 1 || index > count) return `"${text}": K must be from 1 to N (${count})`;
  return { index, count };
}

export const formatShard = (s: ShardSpec): string => `${s.index}/${s.count}`;
