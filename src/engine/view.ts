// The evaluation view: for each scope, the subjects a rule is judged on and the CEL variables
// each one sees. Linked resources are joined onto trails here so rules stay one-liners.
import type { AccountRecord, Alarm, Bucket, CollectionError, EventDataStore, Key, LogGroup, LogStream, Snapshot, Topic, Trail } from '../inventory/schema.js';
import { eventDataStoreRecorder, trailRecorder, type Recorder } from './recorders.js';
import type { Scope } from './rule-schema.js';

export interface ResourceRef {
  type: 'organization' | 'account' | 'account-region' | 'trail' | 'bucket' | 'key' | 'topic' | 'log-group' | 'log-stream' | 'event-data-store';
  id: string;
  arn: string | null;
  name: string;
}

export interface Subject {
  resource: ResourceRef;
  accountId: string;
  accountName: string;
  region: string | null;
  vars: Record<string, unknown>;
  /** Per-item variables for rules with `forAny: trails`. */
  trails?: Record<string, unknown>[];
  /** Per-item variables for rules with `forAny: recorders` (each `{ recorder }`). */
  recorders?: Record<string, unknown>[];
  /** The event data stores that could cover the subject were not all listed: a recorder-judging FAIL becomes ERROR. */
  recordersIncomplete?: string | null;
  /** The collection error behind recordersIncomplete (a failed listing, or an unread data store). */
  recordersCause?: CollectionError;
  /** The subject cannot be judged at all (its account could not be scanned): every verdict is ERROR. */
  blocked: string | null;
  /** What the scanner may have missed; a FAIL then becomes ERROR ("could not see everything"). */
  incomplete: string | null;
  /** What the scanner could not read; a PASS then becomes ERROR (what it did see can still FAIL). */
  unseen?: string | null;
}

export interface AlarmView extends Alarm {
  /** The SNS topics among alarmActions, as collected (null when a topic was not read). */
  topics: (Topic | null)[];
}

export interface LogGroupView extends Omit<LogGroup, 'alarms'> {
  alarms: AlarmView[] | null;
}

/** The variables a trail brings: the trail and what it points at (null when not configured). */
export interface TrailVars {
  trail: Trail;
  bucket: Bucket | null;
  key: Key | null;
  topic: Topic | null;
  logGroup: LogGroupView | null;
}

export class InventoryView {
  private readonly accounts: Map<string, AccountRecord>;
  private readonly buckets: Map<string, Bucket>;
  private readonly keys: Map<string, Key>;
  private readonly topics: Map<string, Topic>;
  private readonly logGroups: Map<string, LogGroupView>;
  private readonly trailVars = new Map<string, TrailVars>();
  private readonly eventDataStores: Map<string, EventDataStore>;

  constructor(readonly snapshot: Snapshot) {
    this.accounts = new Map(snapshot.accounts.map((a) => [a.id, a]));
    this.buckets = new Map(snapshot.buckets.map((b) => [b.name, b]));
    this.keys = new Map(snapshot.keys.map((k) => [k.arn, k]));
    this.topics = new Map(snapshot.topics.map((t) => [t.arn, t]));
    this.eventDataStores = new Map((snapshot.eventDataStores ?? []).map((d) => [d.arn, d]));
    this.logGroups = new Map(
      snapshot.logGroups.map((g) => [
        g.arn,
        {
          ...g,
          alarms:
            g.alarms?.map((a) => ({ ...a, topics: a.alarmActions.filter((x) => x.includes(':sns:')).map((arn) => this.topics.get(arn) ?? null) })) ??
            null,
        },
      ]),
    );
    for (const t of snapshot.trails) {
      this.trailVars.set(t.arn, {
        trail: t,
        bucket: t.s3BucketName ? (this.buckets.get(t.s3BucketName) ?? null) : null,
        key: t.kmsKeyId ? (this.keys.get(t.kmsKeyId) ?? null) : null,
        topic: t.snsTopicArn ? (this.topics.get(t.snsTopicArn) ?? null) : null,
        logGroup: t.cloudWatchLogsLogGroupArn ? (this.logGroups.get(t.cloudWatchLogsLogGroupArn) ?? null) : null,
      });
    }
  }

  account(id: string | null): AccountRecord | null {
    return id ? (this.accounts.get(id) ?? null) : null;
  }

  /**
   * subjects(scope), each as its resource id and a function that builds it: an account-region
   * rule of 10,000 accounts has 170,000 subjects, each with its own facts, and built all at once
   * per rule they were ~100 MB of heap at a time. The others are few and built at once.
   */
  subjectRefs(scope: Scope): { id: string; subject: () => Subject }[] {
    if (scope === 'account-region') {
      return this.judgedAccounts().flatMap((a) => {
        if (a.status === 'error') return [{ id: `${a.id}/*`, subject: () => this.regionSubjects(a)[0]! }];
        const regions = a.regions.filter((r) => r.status === 'scanned' || r.status === 'unreachable');
        return regions.map((r, i) => ({ id: `${a.id}/${r.name}`, subject: () => this.regionSubjects(a, i)[0]! }));
      });
    }
    return this.subjects(scope).map((s) => ({ id: s.resource.id, subject: () => s }));
  }

  subjects(scope: Scope): Subject[] {
    switch (scope) {
      case 'organization':
        return this.organizationSubjects();
      case 'account':
        return this.judgedAccounts().map((a) => this.accountSubject(a));
      case 'account-region':
        return this.judgedAccounts().flatMap((a) => this.regionSubjects(a));
      case 'trail':
        return this.snapshot.trails.map((t) => this.trailSubject(t));
      case 'bucket':
        return this.snapshot.buckets.map((b) => this.resourceSubject({ type: 'bucket', id: b.name, arn: b.arn, name: b.name }, b.ownerAccountId, b.region, { bucket: b, trails: this.trailsUsing(b.usedByTrailArns) }));
      case 'key':
        return this.snapshot.keys.map((k) => this.resourceSubject({ type: 'key', id: k.arn, arn: k.metadata?.keyArn ?? k.arn, name: k.keyId ?? k.arn }, k.ownerAccountId, k.region, { key: k, trails: this.trailsUsing(k.usedByTrailArns) }));
      case 'topic':
        return this.snapshot.topics.map((t) => this.resourceSubject({ type: 'topic', id: t.arn, arn: t.arn, name: t.name }, t.ownerAccountId, t.region, { topic: t, trails: this.trailsUsing(t.usedByTrailArns) }));
      case 'log-group':
        return this.snapshot.logGroups.map((g) =>
          this.resourceSubject({ type: 'log-group', id: g.arn, arn: g.arn, name: g.name }, g.ownerAccountId, g.region, { logGroup: this.logGroups.get(g.arn)!, trails: this.trailsUsing(g.usedByTrailArns) }),
        );
      case 'log-stream':
        return (this.snapshot.logIntegrity?.streams ?? []).map((s) => this.streamSubject(s));
      case 'event-data-store':
        return (this.snapshot.eventDataStores ?? []).map((d) =>
          this.resourceSubject({ type: 'event-data-store', id: d.arn, arn: d.arn, name: d.name }, d.ownerAccountId, d.homeRegion, { eventDataStore: d }),
        );
    }
  }

  /** trail x account x region: the finding belongs to the account and region whose logs were checked. */
  private streamSubject(s: LogStream): Subject {
    const account = this.account(s.accountId);
    const vars = this.trailVars.get(s.trailArn);
    const first = s.readErrors[0];
    return {
      resource: { type: 'log-stream', id: s.id, arn: s.trailArn, name: `${s.trailName} ${s.accountId} ${s.region}` },
      accountId: s.accountId,
      accountName: account?.name ?? s.accountId,
      region: s.region,
      vars: { stream: s, trail: vars?.trail ?? null, bucket: vars?.bucket ?? null, account, organization: this.snapshot.organization },
      blocked: null,
      incomplete: null,
      unseen: !s.validationEnabled
        ? null
        : s.readErrorCount > 0
          ? `${s.readErrorCount} read(s) of the stream failed, so it cannot be proven whole; first: ${first!.operation} ${first!.key ?? ''} ${first!.code}: ${first!.message}`
          : s.digests.valid === 0
            ? `no digest of the window ${this.snapshot.logIntegrity!.since} to ${this.snapshot.logIntegrity!.until} could be verified, so nothing vouches for its logs`
            : null,
    };
  }

  private judgedAccounts(): AccountRecord[] {
    // Skipped accounts (suspended, or not selected) get no verdicts at all.
    return this.snapshot.accounts.filter((a) => a.status !== 'skipped');
  }

  private trailsUsing(arns: string[]): Trail[] {
    return arns.map((arn) => this.trailVars.get(arn)?.trail).filter((t): t is Trail => !!t);
  }

  private trailItems(arns: string[]): Record<string, unknown>[] {
    return arns.map((arn) => this.trailVars.get(arn)).filter((v): v is TrailVars => !!v).map((v) => ({ ...v }));
  }

  private organizationSubjects(): Subject[] {
    const org = this.snapshot.organization;
    if (!org.available || !org.id) return [];
    const mgmt = this.account(org.managementAccountId);
    const orgTrails = this.snapshot.trails.filter((t) => t.isOrganizationTrail && t.ownerAccountId === org.managementAccountId);
    // Out of scope, the management account is still visited for its organization trails: it is
    // unseen only when its regions were never listed.
    const mgmtUnseen = !mgmt || (mgmt.status !== 'scanned' && mgmt.regions.length === 0) ? `the management account ${org.managementAccountId} was not scanned` : null;
    const unreachable = mgmt?.regions.filter((r) => r.status === 'unreachable').map((r) => r.name) ?? [];
    return [
      {
        resource: { type: 'organization', id: org.id, arn: org.arn, name: org.id },
        accountId: org.managementAccountId ?? '',
        accountName: mgmt?.name ?? '',
        region: null,
        vars: { organization: org, account: mgmt },
        trails: this.trailItems(orgTrails.map((t) => t.arn)),
        blocked: null,
        incomplete: mgmtUnseen ?? (unreachable.length ? `the management account's regions ${unreachable.join(', ')} were unreachable` : null),
      },
    ];
  }

  private accountIncompleteness(a: AccountRecord): string | null {
    const unreachable = a.regions.filter((r) => r.status === 'unreachable').map((r) => r.name);
    return unreachable.length ? `regions ${unreachable.join(', ')} could not be listed, so trails there are unknown` : null;
  }

  /** The trails and event data stores covering the account (in `region` when given), as recorders. */
  private recordersOf(a: AccountRecord, region?: string): Recorder[] {
    const trails = a.coveringTrailArns
      .map((arn) => this.trailVars.get(arn)?.trail)
      .filter((t): t is Trail => !!t && (region === undefined || t.isMultiRegionTrail || t.homeRegion === region));
    const stores = (a.coveringEventDataStoreArns ?? [])
      .map((arn) => this.eventDataStores.get(arn))
      .filter((d): d is EventDataStore => !!d && (region === undefined || d.configuration?.multiRegionEnabled !== false || d.homeRegion === region));
    return [...trails.map(trailRecorder), ...stores.map(eventDataStoreRecorder)];
  }

  /** The event data stores that would cover the account could not all be listed (its own, or the organization's). */
  private recordersIncompleteness(a: AccountRecord): { recordersIncomplete: string | null; recordersCause?: CollectionError } {
    const org = this.snapshot.organization;
    const owners = new Set([a.id, ...(org.available && a.organizationStatus !== null && org.managementAccountId ? [org.managementAccountId] : [])]);
    const failed = this.snapshot.errors.filter((e) => e.operation === 'ListEventDataStores' && e.accountId !== null && owners.has(e.accountId));
    if (failed.length) {
      const where = [...new Set(failed.map((e) => `${e.accountId}/${e.region ?? '?'}`))].sort();
      return {
        recordersIncomplete: `the event data stores of ${where.join(', ')} could not be listed (${failed[0]!.code}: ${failed[0]!.message}), so a recorder there is unknown`,
        recordersCause: failed[0]!,
      };
    }
    // A data store of the management account that could not be read may be an organization one.
    const unread = (this.snapshot.eventDataStores ?? []).filter((d) => d.configuration === null && owners.has(d.ownerAccountId) && !(a.coveringEventDataStoreArns ?? []).includes(d.arn));
    if (!unread.length) return { recordersIncomplete: null };
    const cause = this.snapshot.errors.find((e) => e.resource?.type === 'event-data-store' && e.resource.id === unread[0]!.arn);
    return {
      recordersIncomplete: `event data store ${unread.map((d) => d.arn).join(', ')} could not be read, so whether it records this account is unknown`,
      ...(cause ? { recordersCause: cause } : {}),
    };
  }

  private accountSubject(a: AccountRecord): Subject {
    const recorders = this.recordersOf(a);
    return {
      resource: { type: 'account', id: a.id, arn: null, name: a.name },
      accountId: a.id,
      accountName: a.name,
      region: null,
      vars: { account: a, organization: this.snapshot.organization, recorders },
      trails: this.trailItems(a.coveringTrailArns),
      recorders: recorders.map((recorder) => ({ recorder })),
      ...this.recordersIncompleteness(a),
      blocked: a.status === 'error' ? `account ${a.id} could not be scanned: ${a.reason}` : null,
      incomplete: this.accountIncompleteness(a),
    };
  }

  /** The account's region subjects, or with `only` the one of that index among them. */
  private regionSubjects(a: AccountRecord, only?: number): Subject[] {
    const listed = a.status === 'error' ? [] : a.regions.filter((r) => r.status === 'scanned' || r.status === 'unreachable');
    const regions = only === undefined ? listed : listed.slice(only, only + 1);
    if (a.status === 'error') {
      // Nothing is known about its regions; one blocked subject says so rather than none.
      return [{ ...this.accountSubject(a), resource: { type: 'account-region', id: `${a.id}/*`, arn: null, name: `${a.name} (all regions)` } }];
    }
    const incomplete = this.recordersIncompleteness(a);
    return regions.map((r) => ({
      resource: { type: 'account-region', id: `${a.id}/${r.name}`, arn: null, name: `${a.name} ${r.name}` },
      accountId: a.id,
      accountName: a.name,
      region: r.name,
      vars: { account: a, region: r, organization: this.snapshot.organization, recorders: this.recordersOf(a, r.name) },
      recorders: this.recordersOf(a, r.name).map((recorder) => ({ recorder })),
      ...incomplete,
      trails: this.trailItems(
        a.coveringTrailArns.filter((arn) => {
          const t = this.trailVars.get(arn)?.trail;
          return !!t && (t.isMultiRegionTrail || t.homeRegion === r.name);
        }),
      ),
      blocked: r.status === 'unreachable' ? `region ${r.name} of ${a.id} could not be listed: ${r.reason}` : null,
      // A multi-region trail homed in an unreachable region would cover this one too.
      incomplete: this.accountIncompleteness(a),
    }));
  }

  private trailSubject(t: Trail): Subject {
    const owner = this.account(t.ownerAccountId);
    return {
      resource: { type: 'trail', id: t.arn, arn: t.arn, name: t.name },
      accountId: t.ownerAccountId,
      accountName: owner?.name ?? t.ownerAccountId,
      region: t.homeRegion,
      vars: { ...this.trailVars.get(t.arn)!, account: owner, organization: this.snapshot.organization },
      blocked: null,
      incomplete: null,
    };
  }

  private resourceSubject(resource: ResourceRef, ownerId: string | null, region: string | null, vars: Record<string, unknown>): Subject {
    const owner = this.account(ownerId);
    // A finding belongs to the account that owns its resource; a foreign bucket's to the trail owner.
    const trails = (vars.trails as Trail[] | undefined) ?? [];
    const accountId = ownerId ?? trails[0]?.ownerAccountId ?? '';
    return {
      resource,
      accountId,
      accountName: owner?.name ?? this.account(accountId)?.name ?? accountId,
      region,
      vars: { ...vars, account: owner, organization: this.snapshot.organization },
      blocked: null,
      incomplete: null,
    };
  }
}
