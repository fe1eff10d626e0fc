// The scan: discover accounts, visit each (credentials, regions, trails, buckets), read each
// trail once in its home region by its owner, then read every linked resource once by the
// account that owns it. Failures are recorded as data; the scan always runs to the end.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AccountRecord, Bucket, Channel, CollectionError, EventDataStore, LogGroup, RegionRecord, Snapshot, Trail } from '../inventory/schema.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../inventory/schema.js';
import { finalizeSnapshot } from '../inventory/derive.js';
import { formatShard, inShard, type ShardSpec } from '../shard/assign.js';
import { ClientPool } from './aws.js';
import type { ApiCallRecorder } from './recording.js';
import { listOwnedBuckets, readAccountPublicAccessBlock, readBucket } from './buckets.js';
import { parseArn, ScanContext } from './context.js';
import { CredentialBroker, stsAssumeRole } from './credentials.js';
import { ErrorLog, firstCallFailure } from './errors.js';
import { readKey } from './keys.js';
import { listLake, readChannel, readEventDataStore, type LakeListing } from './lake.js';
import { accountWindow, Limits } from './limits.js';
import { alarmTopicArns, readLogGroup } from './log-groups.js';
import { CallCounter } from './observer.js';
import { discoverOrganization, readAccountTags, type OrgAccount } from './organizations.js';
import { listRegions } from './regions.js';
import { readTopic } from './topics.js';
import { listTrails, readTrailConfig } from './trails.js';
import { verifyLogs, type VerifyLogsOptions } from './log-integrity.js';

export interface ScanOptions {
  toolVersion: string;
  roleName: string;
  externalId?: string;
  accounts?: string[] | null;
  ous?: string[] | null;
  excludeAccounts?: string[];
  /** Scan only the in-scope accounts of this shard (applied after the filters above). */
  shard?: ShardSpec | null;
  regions?: string[] | null;
  concurrency: number;
  perAccountConcurrency: number;
  endpointUrl?: string;
  /** Region for global APIs; defaults to AWS_REGION, AWS_DEFAULT_REGION, then us-east-1. */
  region?: string;
  maxAttempts?: number;
  retryMode?: 'adaptive' | 'standard';
  requestTimeoutMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Supply one to watch API calls while the scan runs (progress display). */
  counter?: CallCounter;
  now?: () => Date;
  /** Aborting stops in-flight and queued API calls; what they would have read is recorded as errors. */
  signal?: AbortSignal;
  /** How long before expiry assumed-role credentials are refreshed (default 5 minutes). */
  credentialRefreshMarginMs?: number;
  /** scan --evidence: every API call and its answer go to this recorder. */
  recorder?: ApiCallRecorder;
  /** scan --verify-logs: after the configuration scan, walk every validated stream's digests and logs. */
  verifyLogs?: VerifyLogsOptions;
  /** Every call through the SDK's own send() and middleware pipeline, none on the direct path (tests compare the two). */
  sdkPipeline?: boolean;
  /** S3 object reads in flight for --verify-logs (their own cap). */
  objectConcurrency?: number;
}

export type ProgressEvent =
  | { kind: 'discovered'; accounts: number; toScan: number; organization: boolean }
  | { kind: 'account-done'; accountId: string; name: string; status: AccountRecord['status']; regions: number; trails: number }
  | { kind: 'phase'; phase: 'trails' | 'resources' | 'logs' | 'done' }
  | { kind: 'stream-done'; streamId: string; done: number; total: number };

export interface ScanResult {
  snapshot: Snapshot;
  counter: CallCounter;
  /** Calls sent on the direct path (direct-send.ts) rather than through the SDK's middleware pipeline. */
  directCalls: number;
}

/** Codes of a request that never reached the endpoint (Node's socket errors, the SDK's timeout). */
/** The caller's credentials could not be used at all (or the endpoint not reached): nothing can be scanned. */
export class NoCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoCredentialsError';
  }
}

/**
 * The scan was interrupted before the organization's accounts were known. Nothing honest can be
 * written: a partial account list would look like a smaller organization, not an unseen one.
 */
export class InterruptedBeforeDiscoveryError extends Error {
  constructor() {
    super('interrupted before the accounts of the organization were listed');
    this.name = 'InterruptedBeforeDiscoveryError';
  }
}

interface Visit {
  record: AccountRecord;
  /** true when this account's credentials work. */
  accessible: boolean;
  /** Only organization trails are kept from accounts visited for context (out of scope). */
  contextOnly: boolean;
  trails: Trail[];
  /** Event data stores and channels listed by the account (summaries). */
  lake: LakeListing;
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const homeRegion = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL ?? undefined;
  const counter = options.counter ?? new CallCounter();
  const pool = new ClientPool(
    {
      endpoint,
      maxAttempts: options.maxAttempts ?? 10,
      retryMode: options.retryMode ?? 'adaptive',
      requestTimeoutMs: options.requestTimeoutMs ?? 20_000,
      connectionTimeoutMs: 5_000,
      // Object reads (--verify-logs) have a cap of their own: sockets for both.
      maxSockets: Math.max(options.concurrency, 8) + (options.verifyLogs ? (options.objectConcurrency ?? 64) : 0),
      abortSignal: options.signal,
      recorder: options.recorder,
      optIns: options.verifyLogs ? ['log-verification'] : [],
      directSend: !options.sdkPipeline,
    },
    new Limits(options.concurrency, options.perAccountConcurrency, options.objectConcurrency ?? 64),
    counter,
  );
  try {
    let identity;
    try {
      identity = await pool.get('sts', 'caller', homeRegion, undefined).send(new GetCallerIdentityCommand({}));
    } catch (err) {
      throw new NoCredentialsError(firstCallFailure(err, endpoint ?? `the AWS STS endpoint of ${homeRegion}`));
    }
    const callerAccountId = identity.Account ?? '';
    const callerArn = identity.Arn ?? '';
    const partition = parseArn(callerArn)?.partition ?? 'aws';
    const log = new ErrorLog();
    const broker = new CredentialBroker(
      { partition, callerAccountId, roleName: options.roleName, externalId: options.externalId, refreshMarginMs: options.credentialRefreshMarginMs },
      stsAssumeRole(pool.get('sts', callerAccountId, homeRegion, undefined)),
    );
    const ctx = new ScanContext(partition, homeRegion, pool, broker, log);
    const run = new ScanRun(ctx, options, callerAccountId);
    const body = await run.execute();
    const interrupted = options.signal?.aborted ?? false;
    const snapshot: Snapshot = finalizeSnapshot({
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      tool: { name: 'trailwarden', version: options.toolVersion },
      startedAt,
      finishedAt: now().toISOString(),
      complete: !interrupted,
      incompleteReason: interrupted ? `interrupted (${abortReason(options.signal)}): calls not finished by then are recorded as errors` : null,
      ...(options.shard ? { shard: { ...options.shard } } : {}),
      partition,
      caller: { accountId: callerAccountId, arn: callerArn },
      scope: {
        roleName: options.roleName,
        regions: options.regions ?? null,
        accounts: options.accounts ?? null,
        ous: options.ous ?? null,
        excludeAccounts: options.excludeAccounts ?? [],
      },
      ...body,
      errors: log.errors,
      stats: { apiCalls: counter.stats() },
    });
    if (options.verifyLogs && !interrupted) {
      options.onProgress?.({ kind: 'phase', phase: 'logs' });
      let done = 0;
      const { integrity, errors } = await verifyLogs(ctx, snapshot, {
        objectConcurrency: options.objectConcurrency,
        ...options.verifyLogs,
        onStream: (s) => options.onProgress?.({ kind: 'stream-done', streamId: s.id, done: ++done, total: 0 }),
      });
      snapshot.logIntegrity = integrity;
      snapshot.errors.push(...errors);
      snapshot.stats = { apiCalls: counter.stats() };
      snapshot.finishedAt = now().toISOString();
      if (options.signal?.aborted) {
        snapshot.complete = false;
        snapshot.incompleteReason = `interrupted (${abortReason(options.signal)}) while the logs were verified: streams not finished by then hold read errors`;
      }
    }
    options.onProgress?.({ kind: 'phase', phase: 'done' });
    return { snapshot, counter, directCalls: pool.directCalls };
  } finally {
    pool.destroy();
  }
}

type Body = Pick<Snapshot, 'organization' | 'accounts' | 'trails' | 'eventDataStores' | 'channels' | 'buckets' | 'keys' | 'topics' | 'logGroups'>;

class ScanRun {
  private readonly records = new Map<string, AccountRecord>();
  private readonly orgAccounts = new Map<string, OrgAccount>();
  private readonly access = new Map<string, Promise<boolean>>();
  private readonly bucketListings = new Map<string, Promise<string[] | null>>();
  /** The listings of bucketListings that have finished. */
  private readonly bucketsListed = new Map<string, string[] | null>();
  private searchOrder: AccountRecord[] | null = null;
  private resourceWindow: (<T>(fn: () => Promise<T>) => Promise<T>) | null = null;
  private organizationAvailable = false;

  constructor(
    private readonly ctx: ScanContext,
    private readonly options: ScanOptions,
    private readonly callerAccountId: string,
  ) {}

  async execute(): Promise<Body> {
    const { ctx, options, callerAccountId } = this;
    const discovery = await discoverOrganization(ctx, callerAccountId);
    // An abort during discovery reads like "no organization" (the calls failed): never report that.
    if (options.signal?.aborted) throw new InterruptedBeforeDiscoveryError();
    const organization = discovery.organization;
    this.organizationAvailable = organization.available;
    const orgAccounts: OrgAccount[] = discovery.accounts.length
      ? discovery.accounts
      : [{ id: callerAccountId, name: callerAccountId, email: null, status: 'ACTIVE', ouPath: [] }];
    for (const a of orgAccounts) this.orgAccounts.set(a.id, a);

    const toScan: OrgAccount[] = [];
    for (const a of orgAccounts) {
      const selection = this.selected(a);
      const selected = selection !== false;
      // The shard filter comes after --accounts/--ous/--exclude-accounts, so the shards of one
      // selection partition exactly that selection.
      const inScope = selected && inShard(a.id, options.shard);
      const active = a.status === 'ACTIVE';
      // Whether --ous selects it is unknown: an account in error, never silently left out.
      const unknownSelection = selection === 'unknown' && inScope && active;
      const record: AccountRecord = {
        id: a.id,
        name: a.name,
        email: a.email,
        organizationStatus: organization.available ? a.status : null,
        isManagementAccount: organization.managementAccountId === a.id,
        status: unknownSelection ? 'error' : 'skipped',
        reason: !active
          ? `account is ${a.status}`
          : unknownSelection
            ? 'its OU membership is unknown (the OU tree could not be read), so whether --ous selects it is unknown; not scanned'
            : inScope
            ? null
            : selected
              ? `scanned by another shard (this is shard ${formatShard(options.shard!)})`
              : 'not selected by --accounts, --ous or --exclude-accounts',
        inScope,
        ouPath: a.ouPath,
        tags: null,
        access: null,
        roleArn: null,
        regions: [],
        bucketNames: null,
        s3PublicAccessBlock: null,
        coveringTrailArns: [],
        coveringEventDataStoreArns: [],
      };
      this.records.set(a.id, record);
      if (inScope && active && !unknownSelection) toScan.push(a);
    }
    options.onProgress?.({ kind: 'discovered', accounts: orgAccounts.length, toScan: toScan.length, organization: organization.available });

    // Organization trails live in the management account: read its trails even when it is
    // outside the selected scope, so members are credited with the trails that cover them.
    const mgmt = organization.managementAccountId;
    // Accounts are visited a window at a time (limits.ts accountWindow): all at once, every
    // queued call held its SDK client, and the management account's AssumeRole and tag calls
    // waited behind the whole organization's queue while the global slots went idle.
    // Tags come from the management account's Organizations API, read alongside each visit.
    // The window grows while the global slots sit idle (accounts paced by their rate or backoffs).
    const window = ctx.pool.limits.visitWindow(accountWindow(options.concurrency, options.perAccountConcurrency));
    const visits: Promise<Visit>[] = toScan.map((a) =>
      window(async () => {
        const record = this.records.get(a.id)!;
        // The visit first: its AssumeRole queues on the management account's slots ahead of the tags.
        const visit = this.visit(a.id, false);
        const tags = organization.available ? readAccountTags(ctx, callerAccountId, a.id) : Promise.resolve(null);
        const [visited, accountTags] = await Promise.all([visit, tags]);
        record.tags = accountTags;
        return visited;
      }),
    );
    if (organization.available && mgmt && !toScan.some((a) => a.id === mgmt) && this.records.has(mgmt)) {
      visits.push(this.visit(mgmt, true));
    }
    const visited = await Promise.all(visits);

    options.onProgress?.({ kind: 'phase', phase: 'trails' });
    const [trails, lake] = await Promise.all([this.readTrails(visited), this.readLake(visited)]);
    options.onProgress?.({ kind: 'phase', phase: 'resources' });
    const resources = await this.readLinkedResources(trails);

    return { organization, accounts: [...this.records.values()], trails, ...lake, ...resources };
  }

  /**
   * Runs one read of a trail, event data store, channel, bucket, key, log group or topic a window
   * at a time, as accounts are visited. Started all at once, every read of the organization queued
   * its calls together (thousands of buckets and trails at 10,000 accounts), each holding its
   * inputs, promises and closures until a slot came, and that garbage grew the heap of a scan
   * already holding most of its snapshot (bench:phases).
   */
  private resource<T>(fn: () => Promise<T>): Promise<T> {
    this.resourceWindow ??= this.ctx.pool.limits.visitWindow(accountWindow(this.options.concurrency, this.options.perAccountConcurrency));
    return this.resourceWindow(fn);
  }

  /** Selected by the filters; 'unknown' when --ous decides and the account's OU path was not read. */
  private selected(a: OrgAccount): boolean | 'unknown' {
    const { accounts, ous, excludeAccounts } = this.options;
    if (accounts?.length && !accounts.includes(a.id)) return false;
    if ((excludeAccounts ?? []).includes(a.id)) return false;
    // Every member sits at least under a root: an empty path means the OU tree was not read.
    if (ous?.length && !a.ouPath.length && this.organizationAvailable) return 'unknown';
    return !ous?.length || a.ouPath.some((ou) => ous.includes(ou.id));
  }

  /** Whether the account's credentials work; assumes the role once, lazily, for org accounts. */
  private canAccess(accountId: string): Promise<boolean> {
    let pending = this.access.get(accountId);
    if (!pending) {
      pending = this.checkAccess(accountId);
      this.access.set(accountId, pending);
    }
    return pending;
  }

  private async checkAccess(accountId: string): Promise<boolean> {
    const { ctx } = this;
    const record = this.records.get(accountId);
    if (ctx.broker.isCaller(accountId)) {
      if (record) record.access = 'caller';
      return true;
    }
    // Accounts outside the organization (or closed ones) are never assumed into.
    if (!record || record.organizationStatus === 'SUSPENDED' || record.organizationStatus === 'PENDING_CLOSURE') return false;
    const roleArn = ctx.broker.roleArn(accountId);
    record.roleArn = roleArn;
    const r = await ctx.attempt(
      { accountId, region: ctx.homeRegion, service: 'sts', operation: 'AssumeRole', resource: { type: 'account', id: accountId }, facts: ['account'] },
      () => ctx.broker.credentials(accountId),
    );
    if (r.status === 'ok') {
      record.access = 'assumed-role';
      return true;
    }
    if (r.status === 'error' && record.inScope) {
      record.status = 'error';
      record.reason = `cannot assume ${roleArn} (${r.error.code}: ${r.error.message})`;
    }
    return false;
  }

  private ownedBuckets(accountId: string): Promise<string[] | null> {
    let pending = this.bucketListings.get(accountId);
    if (!pending) {
      pending = this.canAccess(accountId)
        .then((ok) => (ok ? listOwnedBuckets(this.ctx, accountId) : null))
        .then((names) => {
          this.bucketsListed.set(accountId, names);
          return names;
        });
      this.bucketListings.set(accountId, pending);
    }
    return pending;
  }

  /**
   * Active accounts in the order a trail bucket's owner is looked for, but for the trails' own
   * owners (moved up per bucket): in scope first, then accounts named like a log archive, each by
   * id. Sorted once: sorted per bucket it was most of a minute at 10,000 accounts.
   */
  private ownerSearchOrder(): AccountRecord[] {
    if (!this.searchOrder) {
      const rank = (r: AccountRecord) => (r.inScope ? 0 : /log|archive|audit|security/i.test(r.name) ? 2 : 3);
      const active = [...this.records.values()].filter((r) => r.organizationStatus === 'ACTIVE' || r.organizationStatus === null);
      this.searchOrder = active.map((r) => ({ r, rank: rank(r) })).sort((a, b) => a.rank - b.rank || a.r.id.localeCompare(b.r.id)).map((x) => x.r);
    }
    return this.searchOrder;
  }

  private async visit(accountId: string, contextOnly: boolean): Promise<Visit> {
    const { ctx, options } = this;
    const record = this.records.get(accountId)!;
    const done = (visit: Visit, trailListings = visit.trails.length): Visit => {
      options.onProgress?.({
        kind: 'account-done',
        accountId,
        name: record.name,
        status: record.status,
        regions: record.regions.filter((r) => r.status === 'scanned').length,
        trails: trailListings,
      });
      return visit;
    };
    if (!(await this.canAccess(accountId))) return done({ record, accessible: false, contextOnly, trails: [], lake: { eventDataStores: [], channels: [] } });

    const [regions, buckets] = await Promise.all([
      listRegions(ctx, accountId, options.regions ?? null),
      contextOnly ? Promise.resolve(null) : this.ownedBuckets(accountId),
    ]);
    if (!contextOnly) record.bucketNames = buckets;
    if (!regions) {
      if (!contextOnly) {
        record.status = 'error';
        record.reason = 'could not list the account\'s regions (ec2:DescribeRegions failed)';
      }
      return done({ record, accessible: true, contextOnly, trails: [], lake: { eventDataStores: [], channels: [] } });
    }
    record.regions = regions;
    const lakeListings: LakeListing[] = [];
    const listings = await Promise.all(
      regions
        .filter((r) => r.status === 'scanned')
        .map(async (region): Promise<Trail[]> => {
          // Event data stores and channels are listed beside the trails; their failure is recorded
          // against the account-region (DescribeTrails alone decides whether a region is reachable).
          const [result, lake] = await Promise.all([listTrails(ctx, accountId, region.name), listLake(ctx, accountId, region.name)]);
          lakeListings.push(lake.listing);
          if (Array.isArray(result)) return result;
          markUnreachable(region, result);
          return [];
        }),
    );
    const lake: LakeListing = {
      eventDataStores: lakeListings.flatMap((l) => l.eventDataStores),
      channels: contextOnly ? [] : lakeListings.flatMap((l) => l.channels),
    };
    if (!contextOnly) {
      record.status = 'scanned';
      record.reason = null;
    }
    const listed = listings.flat().filter((t) => !contextOnly || t.isOrganizationTrail);
    // Multi-region and organization trails appear in every region's listing. Keep the first of
    // each (the one readTrails would use): the copies (17,000 at 1,000 accounts x 17 regions)
    // were held until every account had been visited, for nothing.
    const unique = new Map<string, Trail>();
    for (const t of listed) if (!unique.has(t.arn)) unique.set(t.arn, t);
    return done({ record, accessible: true, contextOnly, trails: [...unique.values()], lake }, listed.length);
  }

  /** De-duplicates by ARN and reads each trail's configuration once, as its owner, in its home region. */
  private async readTrails(visits: Visit[]): Promise<Trail[]> {
    const byArn = new Map<string, { summary: Trail; listedBy: Set<string> }>();
    for (const v of visits) {
      for (const t of v.trails) {
        const seen = byArn.get(t.arn);
        if (seen) seen.listedBy.add(v.record.id);
        else byArn.set(t.arn, { summary: t, listedBy: new Set([v.record.id]) });
      }
    }
    const entries = [...byArn.values()].sort((a, b) => a.summary.arn.localeCompare(b.summary.arn));
    return Promise.all(
      entries.map(({ summary, listedBy }) => this.resource(async () => {
        const readAs = await this.firstAccessible([summary.ownerAccountId, ...[...listedBy].sort()]);
        if (!readAs) {
          this.ctx.log.record(
            {
              accountId: summary.ownerAccountId,
              region: summary.homeRegion,
              service: 'cloudtrail',
              operation: 'ReadTrail',
              resource: { type: 'trail', id: summary.arn },
              facts: ['trail.status', 'trail.eventSelectors', 'trail.insightTypes', 'trail.tags'],
            },
            Object.assign(new Error('no account whose credentials work can read this trail'), { name: 'NoAccess' }),
          );
          return summary;
        }
        return readTrailConfig(this.ctx, summary, readAs);
      })),
    );
  }

  /**
   * De-duplicates event data stores and channels by ARN and reads each once, as its owner, in its
   * home region. From an account visited only for context (the management account out of scope),
   * only organization event data stores are kept, as only organization trails are.
   */
  private async readLake(visits: Visit[]): Promise<Pick<Body, 'eventDataStores' | 'channels'>> {
    const collect = <T extends { arn: string; ownerAccountId: string }>(pick: (l: LakeListing) => T[]) => {
      const byArn = new Map<string, { summary: T; listedBy: Set<string>; contextOnly: boolean }>();
      for (const v of visits) {
        for (const item of pick(v.lake)) {
          const seen = byArn.get(item.arn);
          if (seen) {
            seen.listedBy.add(v.record.id);
            seen.contextOnly &&= v.contextOnly;
          } else byArn.set(item.arn, { summary: item, listedBy: new Set([v.record.id]), contextOnly: v.contextOnly });
        }
      }
      return [...byArn.values()].sort((a, b) => a.summary.arn.localeCompare(b.summary.arn));
    };
    const unreadable = (type: 'event-data-store' | 'channel', arn: string, ownerAccountId: string, region: string, facts: string[]) =>
      this.ctx.log.record(
        { accountId: ownerAccountId, region, service: 'cloudtrail', operation: type === 'channel' ? 'GetChannel' : 'GetEventDataStore', resource: { type, id: arn }, facts },
        Object.assign(new Error(`no account whose credentials work can read this ${type === 'channel' ? 'channel' : 'event data store'}`), { name: 'NoAccess' }),
      );
    const [stores, channels] = await Promise.all([
      Promise.all(
        collect((l) => l.eventDataStores).map(({ summary, listedBy, contextOnly }) => this.resource(async (): Promise<EventDataStore | null> => {
          const readAs = await this.firstAccessible([summary.ownerAccountId, ...[...listedBy].sort()]);
          if (!readAs) {
            if (!contextOnly) unreadable('event-data-store', summary.arn, summary.ownerAccountId, summary.homeRegion, ['eventDataStore.configuration', 'eventDataStore.eventSelectors', 'eventDataStore.insightTypes']);
            return contextOnly ? null : summary;
          }
          const store = await readEventDataStore(this.ctx, summary, readAs);
          return contextOnly && store.configuration?.organizationEnabled !== true ? null : store;
        })),
      ),
      Promise.all(
        collect((l) => l.channels).map(({ summary, listedBy }) => this.resource(async (): Promise<Channel> => {
          const readAs = await this.firstAccessible([summary.ownerAccountId, ...[...listedBy].sort()]);
          if (!readAs) {
            unreadable('channel', summary.arn, summary.ownerAccountId, summary.region, ['channel.configuration']);
            return summary;
          }
          return readChannel(this.ctx, summary, readAs);
        })),
      ),
    ]);
    return { eventDataStores: stores.filter((d): d is EventDataStore => d !== null), channels };
  }

  private async firstAccessible(candidates: string[]): Promise<string | null> {
    for (const id of [...new Set(candidates)]) {
      if (this.orgAccounts.has(id) && (await this.canAccess(id))) return id;
    }
    return null;
  }

  private async readLinkedResources(trails: Trail[]): Promise<Omit<Body, 'organization' | 'accounts' | 'trails' | 'eventDataStores' | 'channels'>> {
    const usedBy = (pick: (t: Trail) => string | null): Map<string, { trailArns: string[]; owners: string[] }> => {
      const map = new Map<string, { trailArns: string[]; owners: string[] }>();
      for (const t of trails) {
        const key = pick(t);
        if (!key) continue;
        const entry = map.get(key) ?? { trailArns: [], owners: [] };
        entry.trailArns.push(t.arn);
        entry.owners.push(t.ownerAccountId);
        map.set(key, entry);
      }
      return map;
    };
    const readerFor = (ownerAccountId: string | null, trailOwners: string[]) =>
      this.firstAccessible([...(ownerAccountId ? [ownerAccountId] : []), ...trailOwners]);

    const [buckets, keys, logGroups] = await Promise.all([
      Promise.all([...usedBy((t) => t.s3BucketName)].map(([name, use]) => this.resource(() => this.readTrailBucket(name, use.trailArns, use.owners)))),
      Promise.all(
        [...usedBy((t) => t.kmsKeyId)].map(([arn, use]) =>
          this.resource(async () => readKey(this.ctx, { arn, usedByTrailArns: use.trailArns, readAs: await readerFor(parseArn(arn)?.accountId ?? null, use.owners) })),
        ),
      ),
      Promise.all(
        [...usedBy((t) => t.cloudWatchLogsLogGroupArn)].map(([arn, use]) =>
          this.resource(async () => readLogGroup(this.ctx, { arn, usedByTrailArns: use.trailArns, readAs: await readerFor(parseArn(arn)?.accountId ?? null, use.owners) })),
        ),
      ),
    ]);

    // Topics: those trails notify, and those the monitoring alarms notify.
    const topicUse = new Map<string, { trailArns: string[]; alarmArns: string[]; owners: string[] }>();
    for (const [arn, use] of usedBy((t) => t.snsTopicArn)) topicUse.set(arn, { trailArns: use.trailArns, alarmArns: [], owners: use.owners });
    for (const [arn, alarmArns] of alarmTopicArns(logGroups)) {
      const entry = topicUse.get(arn) ?? { trailArns: [], alarmArns: [], owners: [] };
      entry.alarmArns.push(...alarmArns);
      topicUse.set(arn, entry);
    }
    const topics = await Promise.all(
      [...topicUse].map(([arn, use]) =>
        this.resource(async () => readTopic(this.ctx, {
          arn,
          usedByTrailArns: use.trailArns,
          usedByAlarmArns: use.alarmArns,
          readAs: await readerFor(parseArn(arn)?.accountId ?? null, use.owners),
        })),
      ),
    );

    // Account-level Block Public Access matters for every account that owns a trail bucket.
    const bucketOwners = [...new Set(buckets.map((b) => b.ownerAccountId).filter((id): id is string => !!id))];
    await Promise.all(
      bucketOwners.map((owner) =>
        this.resource(async () => {
          const record = this.records.get(owner);
          if (record && (await this.canAccess(owner))) record.s3PublicAccessBlock = await readAccountPublicAccessBlock(this.ctx, owner);
        }),
      ),
    );
    return { buckets, keys, topics, logGroups: logGroups as LogGroup[] };
  }

  /** Finds the bucket's owner among the organization's accounts (one ListBuckets each), then reads it. */
  private async readTrailBucket(name: string, trailArns: string[], trailOwners: string[]): Promise<Bucket> {
    // Scanned accounts first (already listed), then the likeliest owners among the rest of the
    // organization: the trails' owners, then accounts named like a log archive. Listing stops at
    // the owner, so out-of-scope accounts are only asked when the scanned ones do not own it.
    const base = this.ownerSearchOrder();
    const owners = new Set(trailOwners);
    const firstOutOfScope = base.findIndex((r) => !r.inScope);
    const inScope = firstOutOfScope < 0 ? base : base.slice(0, firstOutOfScope);
    const rest = firstOutOfScope < 0 ? [] : base.slice(firstOutOfScope);
    const ordered = [...inScope, ...rest.filter((r) => owners.has(r.id)).sort((a, b) => a.id.localeCompare(b.id)), ...rest.filter((r) => !owners.has(r.id))];
    let owner: string | null = null;
    const unlisted: string[] = [];
    for (const r of ordered) {
      // A listing already made is read without awaiting it: thousands of accounts are passed per bucket.
      const names = this.bucketsListed.has(r.id) ? this.bucketsListed.get(r.id)! : await this.ownedBuckets(r.id);
      if (names === null) unlisted.push(r.id);
      else if (names.includes(name)) {
        owner = r.id;
        break;
      }
    }
    let ownership: Bucket['ownership'];
    let ownershipReason: string;
    if (owner) {
      ownership = 'organization';
      ownershipReason = `owned by ${owner}`;
    } else if (!this.organizationAvailable) {
      ownership = 'unknown';
      ownershipReason = 'no organization: only the caller\'s own buckets could be listed';
    } else if (unlisted.length) {
      ownership = 'unknown';
      ownershipReason = `not owned by any account whose buckets could be listed; ${unlisted.length} account(s) could not be listed: ${unlisted.join(', ')}`;
    } else {
      ownership = 'outside-organization';
      ownershipReason = `no account of the organization owns it (ListBuckets in ${ordered.length} accounts)`;
    }
    const readAs = await this.firstAccessible([...(owner ? [owner] : []), ...trailOwners]);
    return readBucket(this.ctx, { name, ownerAccountId: owner, ownership, ownershipReason, usedByTrailArns: trailArns, readAs });
  }
}

function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}

function markUnreachable(region: RegionRecord, error: CollectionError): void {
  region.status = 'unreachable';
  region.reason = `${error.operation} failed (${error.code}: ${error.message})`;
}
