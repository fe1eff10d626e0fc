// Joins the snapshots of a sharded scan into the snapshot one unsharded scan would have written.
// Pure: no I/O. Each shard holds the whole organization's account list, the organization-level
// facts (read in every shard), its own accounts scanned, and whatever linked resources its
// trails led it to; resources reached from several shards appear in each of them.
import { finalizeSnapshot } from '../inventory/derive.js';
import type { AccountRecord, ApiCallStats, Snapshot } from '../inventory/schema.js';
import { InputError } from '../util/input-error.js';
import { formatShard, shardOf, type ShardSpec } from './assign.js';

export interface ShardFile {
  file: string;
  snapshot: Snapshot;
}

export interface MergeResult {
  snapshot: Snapshot;
  /** Copies that disagreed and which one was kept: worth a line on stderr, not an error. */
  notes: string[];
}

/** The set of shards is wrong as a whole (a shard missing): exit 2 like any bad input. */
export class ShardSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardSetError';
  }
}

type Sharded = ShardFile & { shard: ShardSpec };

export function mergeShards(inputs: ShardFile[]): MergeResult {
  const shards = checkShardSet(inputs);
  const notes: string[] = [];
  const label = (s: Sharded) => `shard ${formatShard(s.shard)} (${s.file})`;
  const first = shards[0]!;

  const organization = pickRicher(
    shards.map((s) => ({ from: label(s), at: s.snapshot.finishedAt, value: s.snapshot.organization })),
    'the organization',
    notes,
  );
  const accounts = mergeAccounts(shards, first.shard.count, notes);
  const trails = mergeByKey(shards, (s) => s.snapshot.trails, (t) => t.arn, 'trail', notes, label);
  const eventDataStores = mergeByKey(shards, (s) => s.snapshot.eventDataStores ?? [], (d) => d.arn, 'event data store', notes, label);
  const channels = mergeByKey(shards, (s) => s.snapshot.channels ?? [], (c) => c.arn, 'channel', notes, label);
  const buckets = mergeByKey(shards, (s) => s.snapshot.buckets, (b) => b.name, 'bucket', notes, label, (kept, all) => ({
    ...kept,
    usedByTrailArns: union(all.map((b) => b.usedByTrailArns)),
  }));
  ownedTrailBuckets(accounts, buckets);
  const keys = mergeByKey(shards, (s) => s.snapshot.keys, (k) => k.arn, 'key', notes, label, (kept, all) => ({
    ...kept,
    usedByTrailArns: union(all.map((k) => k.usedByTrailArns)),
  }));
  const topics = mergeByKey(shards, (s) => s.snapshot.topics, (t) => t.arn, 'topic', notes, label, (kept, all) => ({
    ...kept,
    usedByTrailArns: union(all.map((t) => t.usedByTrailArns)),
    usedByAlarmArns: union(all.map((t) => t.usedByAlarmArns)),
  }));
  const logGroups = mergeByKey(shards, (s) => s.snapshot.logGroups, (g) => g.arn, 'log group', notes, label, (kept, all) => ({
    ...kept,
    usedByTrailArns: union(all.map((g) => g.usedByTrailArns)),
  }));

  const logIntegrity = mergeLogIntegrity(shards);

  const incomplete = shards.filter((s) => !s.snapshot.complete);
  const versions = [...new Set(shards.map((s) => s.snapshot.tool.version))];
  if (versions.length > 1) notes.push(`the shards were written by different trailwarden versions (${versions.join(', ')}); the merged snapshot names ${first.snapshot.tool.version}`);
  const { shard: _shard, logIntegrity: _logIntegrity, ...base } = first.snapshot;
  const snapshot = finalizeSnapshot({
    ...base,
    startedAt: shards.map((s) => s.snapshot.startedAt).sort()[0]!,
    finishedAt: shards.map((s) => s.snapshot.finishedAt).sort().at(-1)!,
    complete: incomplete.length === 0,
    incompleteReason: incomplete.length
      ? incomplete.map((s) => `shard ${formatShard(s.shard)}: ${s.snapshot.incompleteReason ?? 'incomplete'}`).join('; ')
      : null,
    organization,
    accounts,
    trails,
    eventDataStores,
    channels,
    buckets,
    keys,
    topics,
    logGroups,
    // Kept from every shard, even when another shard read the fact: an error never turns into a PASS.
    errors: shards.flatMap((s) => s.snapshot.errors),
    stats: { apiCalls: sumStats(shards.flatMap((s) => s.snapshot.stats.apiCalls)) },
    ...(logIntegrity ? { logIntegrity } : {}),
  });
  return { snapshot, notes };
}

/**
 * scan --shard K/N --verify-logs: each shard verified the streams of its own accounts, so the
 * streams join as a union (a trail that does not validate is listed by every shard: once). All
 * shards must have verified, over the same window and depth, or none.
 */
function mergeLogIntegrity(shards: Sharded[]): Snapshot['logIntegrity'] {
  const withLogs = shards.filter((s) => s.snapshot.logIntegrity);
  if (!withLogs.length) return undefined;
  const first = withLogs[0]!;
  const window = (s: Sharded) => { const l = s.snapshot.logIntegrity; return l ? `${l.since}..${l.until} depth ${l.depth}` : 'no --verify-logs'; };
  for (const s of shards) {
    if (window(s) !== window(first)) throw new InputError(s.file, null, `verified the logs with ${window(s)}, but ${first.file} with ${window(first)}: run every shard with the same --verify-logs window`);
  }
  const streams = new Map<string, NonNullable<Snapshot['logIntegrity']>['streams'][number]>();
  for (const s of shards) for (const stream of s.snapshot.logIntegrity!.streams) if (!streams.has(stream.id)) streams.set(stream.id, stream);
  const li = first.snapshot.logIntegrity!;
  return {
    since: li.since,
    until: li.until,
    depth: li.depth,
    streams: [...streams.values()].sort((a, b) => a.id.localeCompare(b.id)),
    objects: shards.reduce((n, s) => n + s.snapshot.logIntegrity!.objects, 0),
    bytes: shards.reduce((n, s) => n + s.snapshot.logIntegrity!.bytes, 0),
  };
}

/** Same organization, scope and shard count; every shard exactly once. Sorted by shard index. */
function checkShardSet(inputs: ShardFile[]): Sharded[] {
  if (inputs.length === 0) throw new ShardSetError('no snapshots to merge');
  const shards: Sharded[] = [];
  for (const input of inputs) {
    const shard = input.snapshot.shard;
    if (!shard) throw new InputError(input.file, null, 'not a shard snapshot (it has no "shard": it was not written by scan --shard K/N)');
    shards.push({ ...input, shard });
  }
  const first = shards[0]!;
  for (const s of shards.slice(1)) {
    const why = (what: string) => new InputError(s.file, null, `${what} differs from ${first.file}'s`);
    if (s.shard.count !== first.shard.count) {
      throw new InputError(s.file, null, `shard ${formatShard(s.shard)}, but ${first.file} is shard ${formatShard(first.shard)}: the shard counts differ`);
    }
    if (organizationKey(s.snapshot) !== organizationKey(first.snapshot)) {
      throw new InputError(s.file, null, `scans ${organizationKey(s.snapshot)}, but ${first.file} scans ${organizationKey(first.snapshot)}`);
    }
    if (s.snapshot.partition !== first.snapshot.partition) throw why('the partition');
    if (scopeKey(s.snapshot) !== scopeKey(first.snapshot)) throw why('the scan scope (--role-name, --regions, --accounts, --ous or --exclude-accounts)');
  }
  const byIndex = new Map<number, Sharded>();
  for (const s of shards) {
    const twin = byIndex.get(s.shard.index);
    if (twin) throw new InputError(s.file, null, `shard ${formatShard(s.shard)} is given twice (also ${twin.file})`);
    byIndex.set(s.shard.index, s);
  }
  const count = first.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new ShardSetError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}: every shard of ${count} is needed`);
  }
  return [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index);
}

function organizationKey(s: Snapshot): string {
  return s.organization.available && s.organization.id
    ? `organization ${s.organization.id}`
    : `account ${s.caller.accountId} (no organization)`;
}

function scopeKey(s: Snapshot): string {
  const sorted = (list: string[] | null) => (list === null ? null : [...list].sort());
  const { roleName, regions, accounts, ous, excludeAccounts } = s.scope;
  return JSON.stringify([roleName, sorted(regions), sorted(accounts), sorted(ous), sorted(excludeAccounts)]);
}

/**
 * An account's record comes from the shard that owns it. Facts read for context by other
 * shards (credentials, the account-level Block Public Access of a bucket owner) fill the gaps.
 */
function mergeAccounts(shards: Sharded[], count: number, notes: string[]): AccountRecord[] {
  const copies = new Map<string, { shard: Sharded; record: AccountRecord }[]>();
  for (const s of shards) {
    for (const record of s.snapshot.accounts) {
      const list = copies.get(record.id) ?? [];
      list.push({ shard: s, record });
      copies.set(record.id, list);
    }
  }
  const merged: AccountRecord[] = [];
  for (const [id, list] of copies) {
    const owner = shardOf(id, count);
    const own = list.find((c) => c.shard.shard.index === owner);
    let record: AccountRecord;
    if (own) {
      record = { ...own.record };
    } else {
      // The owning shard never saw this account (it joined the organization between two
      // shards' ListAccounts): nobody scanned it.
      const seen = list[0]!;
      // Selected if any shard says another shard scans it (one that saw it suspended does not decide).
      const selected = list.some((c) => c.record.reason?.startsWith('scanned by another shard') ?? false);
      record = selected
        ? {
            ...seen.record,
            status: 'error',
            inScope: true,
            reason: `not in the account list of shard ${owner}/${count}, which owns it (did it join the organization while the shards ran?): not scanned`,
          }
        : { ...seen.record };
      notes.push(`account ${id}: listed by ${list.map((c) => formatShard(c.shard.shard)).join(', ')} but not by its own shard ${owner}/${count}`);
    }
    for (const { record: other } of list) {
      record.access ??= other.access;
      record.roleArn ??= other.roleArn;
      record.s3PublicAccessBlock ??= other.s3PublicAccessBlock;
      record.tags ??= other.tags;
    }
    merged.push(record);
  }
  return merged;
}

/**
 * An account's bucketNames are the trail buckets its ListBuckets returned. Its own shard kept only
 * the buckets of the trails that shard saw; the other shards found the owners of their trails'
 * buckets, with the same ListBuckets, so the merged buckets name the rest.
 */
function ownedTrailBuckets(accounts: AccountRecord[], buckets: Snapshot['buckets']): void {
  for (const a of accounts) {
    if (a.bucketNames === null) continue;
    a.bucketNames = union([a.bucketNames, buckets.filter((b) => b.ownerAccountId === a.id).map((b) => b.name)]);
  }
}

function mergeByKey<T extends object>(
  shards: Sharded[],
  items: (s: Sharded) => T[],
  key: (t: T) => string,
  what: string,
  notes: string[],
  label: (s: Sharded) => string,
  combine: (kept: T, all: T[]) => T = (kept) => kept,
): T[] {
  const groups = new Map<string, Copy<T>[]>();
  for (const s of shards) {
    for (const item of items(s)) {
      const list = groups.get(key(item)) ?? [];
      list.push({ from: label(s), at: s.snapshot.finishedAt, value: item });
      groups.set(key(item), list);
    }
  }
  return [...groups].map(([k, list]) => combine(pickRicher(list, `${what} ${k}`, notes), list.map((c) => c.value)));
}

interface Copy<T> {
  from: string;
  /** When the shard that read it finished. */
  at: string;
  value: T;
}

/**
 * The copy with the most collected facts (on a tie, the most recent reading), with any top-level
 * fact it lacks taken from the others, newest first: a fact one shard saw is not lost because
 * another shard's copy was richer elsewhere. Notes when copies disagree beyond timestamps.
 */
function pickRicher<T>(copies: Copy<T>[], what: string, notes: string[]): T {
  let best = copies[0]!;
  const facts = (v: T) => factCount(withoutVolatile(v));
  for (const c of copies.slice(1)) {
    const more = facts(c.value) - facts(best.value);
    if (more > 0 || (more === 0 && c.at > best.at)) best = c;
  }
  const shape = (v: T) => JSON.stringify(withoutVolatile(v));
  const differing = copies.filter((c) => shape(c.value) !== shape(best.value));
  if (differing.length) {
    notes.push(`${what}: the copies in ${[best, ...differing].map((c) => c.from).join(', ')} differ; kept the one from ${best.from} (${facts(best.value)} facts), facts it lacks from the others`);
  }
  if (!best.value || typeof best.value !== 'object' || Array.isArray(best.value)) return best.value;
  const filled = { ...best.value } as Record<string, unknown>;
  for (const c of [...copies].sort((a, b) => b.at.localeCompare(a.at))) {
    for (const [k, v] of Object.entries(c.value as Record<string, unknown>)) if (filled[k] === null && v !== null && v !== undefined) filled[k] = v;
  }
  return filled as T;
}

/** Collected leaf values: a fact that was not collected is null. */
export function factCount(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return 1 + value.reduce((n: number, v) => n + factCount(v), 0);
  if (typeof value === 'object') return Object.values(value).reduce((n: number, v) => n + factCount(v), 0);
  return 1;
}

/** Timestamps change between shard runs, and used-by lists are unioned: neither is a conflict. */
function withoutVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatile);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !/Time$|^usedBy/.test(k))
        .map(([k, v]) => [k, withoutVolatile(v)]),
    );
  }
  return value;
}

const union = (lists: string[][]): string[] => [...new Set(lists.flat())].sort();

function sumStats(rows: ApiCallStats[]): ApiCallStats[] {
  const cells = new Map<string, ApiCallStats>();
  for (const row of rows) {
    const key = `${row.accountId}|${row.region}`;
    const cell = cells.get(key) ?? { accountId: row.accountId, region: row.region, calls: 0, byOperation: {} };
    cell.calls += row.calls;
    for (const [op, n] of Object.entries(row.byOperation)) cell.byOperation[op] = (cell.byOperation[op] ?? 0) + n;
    cells.set(key, cell);
  }
  return [...cells.values()].map((c) => ({
    ...c,
    byOperation: Object.fromEntries(Object.entries(c.byOperation).sort(([a], [b]) => a.localeCompare(b))),
  }));
}
