// The evaluated findings of a run, in report order (rules by id, each rule's findings by resource
// id), as the report writers read them: in memory (FindingList, for the library's evaluate() and
// small runs) or spilled (FindingStore): each finding written as its report.json text to a file as it
// is produced, so a run of
// 10,000 accounts (about 470,000 findings, several hundred megabytes as objects) never holds them
// all. What stays in memory per finding is a few bytes of columns (status, severity, waiver, rule
// and account), enough for every count, score and framework view the formats derive, and the
// FAIL, ERROR and NOT_APPLICABLE findings without their texts (NotableFinding), which the fix plan,
// the gate and the summaries name one by one; a spilled one reads its remediation summary back
// from the file when asked.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ResourceRef } from '../engine/view.js';
import { createTempDirSync, removeTempDirSync } from '../util/atomic-write.js';
import { capStrings, MAX_REPORT_TEXT } from '../util/cap-text.js';
import { Fingerprints } from './fingerprints.js';
import { STATUSES, type Finding, type FixTarget, type RenderedRemediation, type Status, type Waiver } from './finding.js';
import { SEVERITIES, type Severity } from '../engine/rule-schema.js';

/** What counts, scores and framework views read of a finding: everything but its texts and evidence. */
export type FindingHead = Pick<Finding, 'ruleId' | 'title' | 'severity' | 'status' | 'waiver' | 'accountId' | 'accountName' | 'frameworks'> & { resource: Pick<ResourceRef, 'type'> };

/**
 * A FAIL, ERROR or NOT_APPLICABLE finding as the fix plan, the gate and the summaries read it:
 * without its message, evidence and frameworks, and of its remediation only the summary. A
 * badly configured organization has hundreds of thousands of FAILs (40% of its findings in the
 * 10,000-account benchmark), each with its remediation rendered: they are not held whole either.
 */
export type NotableFinding = Omit<Finding, 'message' | 'evidence' | 'frameworks' | 'remediation'> & { remediation: Pick<RenderedRemediation, 'summary'> | null };

/**
 * A notable finding of a FindingStore. Its remediation summary (often hundreds of characters,
 * rendered for each of hundreds of thousands of FAILs: most of what these held) is not kept: it is
 * read from the finding when asked (a spilled one's record in the file), which only the fix plan
 * does, once per action.
 * Like every read of the store, only between finish() and dispose(). `remediation` is an own,
 * enumerable property (an accessor shared by every instance), so copies and JSON carry it.
 */
class StoredNotable {
  static readonly #remediation = {
    get(this: StoredNotable): Pick<RenderedRemediation, 'summary'> | null {
      if (this.#at < 0) return null;
      const summary = this.#store.remediationSummaryAt(this.#at);
      return summary === undefined ? null : { summary };
    },
    enumerable: true,
  };
  readonly #store: FindingStore;
  /** The finding's index in the store, or -1 when it has no remediation. */
  readonly #at: number;
  // Declared, not defined as class fields: each is created where the constructor assigns it, in
  // notableOf's order (class fields would all be created first, the accessor after them).
  declare readonly fingerprint: string;
  declare readonly ruleId: string;
  declare readonly title: string;
  declare readonly severity: Severity;
  declare readonly status: Status;
  declare readonly waiver: Waiver | null;
  declare readonly accountId: string;
  declare readonly accountName: string;
  declare readonly region: string | null;
  declare readonly resource: Finding['resource'];
  declare readonly remediation: Pick<RenderedRemediation, 'summary'> | null;
  declare readonly fixedOn: FixTarget | null;

  /** Whether it has a remediation, without reading it (the fix plan asks this of every one). */
  get hasRemediation(): boolean {
    return this.#at >= 0;
  }

  constructor(
    store: FindingStore,
    at: number,
    fingerprint: string,
    f: Pick<NotableFinding, 'ruleId' | 'title' | 'severity' | 'status' | 'waiver' | 'accountId' | 'accountName'>,
    region: string | null,
    resource: Finding['resource'],
    fixedOn: FixTarget | null,
  ) {
    this.#store = store;
    this.#at = at;
    // In notableOf's order: JSON and the key order of a copy are the same as for a held finding.
    this.fingerprint = fingerprint;
    this.ruleId = f.ruleId;
    this.title = f.title;
    this.severity = f.severity;
    this.status = f.status;
    this.waiver = f.waiver;
    this.accountId = f.accountId;
    this.accountName = f.accountName;
    this.region = region;
    this.resource = resource;
    Object.defineProperty(this, 'remediation', StoredNotable.#remediation);
    this.fixedOn = fixedOn;
  }
}

export function notableOf(f: Finding): NotableFinding {
  return {
    fingerprint: f.fingerprint,
    ruleId: f.ruleId,
    title: f.title,
    severity: f.severity,
    status: f.status,
    waiver: f.waiver,
    accountId: f.accountId,
    accountName: f.accountName,
    region: f.region,
    resource: f.resource,
    remediation: f.remediation ? { summary: f.remediation.summary } : null,
    fixedOn: f.fixedOn ?? null,
  };
}

/**
 * Reads each finding of a store as it is added: what a report format keeps of every finding
 * (report.html's rows) is built then, not read back from the spill file.
 */
export interface FindingCollector {
  add(f: Finding, texts?: FindingTexts): void;
}

const frameworksTexts = new WeakMap<object, string>();

/**
 * JSON.stringify(f.frameworks), once per object: every finding of a rule shares the rule's
 * mapping (engine/evaluate.ts), and the store and the page each need its text for every finding.
 */
export function frameworksText(frameworks: Finding['frameworks']): string {
  let text = frameworksTexts.get(frameworks);
  if (text === undefined) {
    text = JSON.stringify(frameworks);
    frameworksTexts.set(frameworks, text);
  }
  return text;
}

/** A read-only sequence of findings in report order; iterated as often as needed. */
export interface FindingSource extends Iterable<Finding> {
  readonly length: number;
  /** The findings that are not PASS, in report order (held in memory, without their texts). */
  readonly notable: readonly NotableFinding[];
  /** The same findings one at a time, made as they are read (a reader that keeps few of them holds few). */
  notables(): Iterable<NotableFinding>;
  /** Every finding's head, in report order, without reading a spilled finding back. */
  heads(): Iterable<FindingHead>;
  /** The findings of one rule, in report order (a spilled store reads only that rule's lines). */
  ofRule(ruleId: string): Iterable<Finding>;
}

interface RuleKey {
  ruleId: string;
  title: string;
  severity: Severity;
  type: ResourceRef['type'];
  frameworks: Record<string, string[]>;
}

/** Grows by doubling: one typed array per column, a few bytes a finding. */
class Column<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array> {
  data: T;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = v;
  }
}

/** Interns values by a key, giving each a small index. */
class Table<T> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  id(key: string, make: () => T): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.items.length;
      this.items.push(make());
      this.index.set(key, i);
    }
    return i;
  }
}

const SPILL_FILE = 'findings.json-records';
/**
 * Follows each finding's text in the spill file, as it separates report.json's findings: the file
 * is report.json's findings array, copied into it as it is (the last separator aside). Where each
 * record starts is a column of the store.
 */
const SEPARATOR = ',\n';
const SEPARATOR_BYTES = SEPARATOR.length;

/**
 * A finding as report.json holds it: on a line of its own, indented by the four spaces of its place
 * in the file, as compact JSON (JSON.stringify(finding)). One finding a line can be read with grep
 * or a line reader, and it is a third smaller than the finding indented (2 GB of report.json at
 * 10,000 accounts were 1.5 GB), and faster to write. The spill file keeps this text, so report.json
 * is copied from it, not parsed and written again; the other readers parse it.
 *
 * `texts`: findingTexts(f), when the caller has made them: the same text, from them.
 */
export function reportJsonText(f: Finding, texts?: FindingTexts | null): string {
  return reportJsonParts(f, texts).join('');
}

/**
 * reportJsonText in pieces (joined, the same text): the spill file is written from them as they
 * are, not from the text they would make once joined, a copy of each finding's kilobytes.
 */
function reportJsonParts(f: Finding, texts: FindingTexts | null | undefined): string[] {
  const t = texts === undefined ? findingTexts(f) : texts;
  if (!t) return [`    ${JSON.stringify(f)}`];
  return [`    ${t.head.slice(0, -1)}${t.head.length > 2 ? ',' : ''}"evidence":`, t.evidence, '}'];
}

/**
 * A finding's JSON text in two parts: the finding without its evidence, and the evidence. Made once
 * a finding: they tell whether it needs capping (capFinding), the page's collector reads the
 * evidence's, and the spill file is written from both. Null where the evidence is not the finding's
 * last key (the engine always puts it last): its place in the text would differ.
 */
export function findingTexts(f: Finding): FindingTexts | null {
  if (Object.keys(f).at(-1) !== 'evidence') return null;
  const { evidence, ...rest } = f;
  const evidenceText = JSON.stringify(evidence);
  return evidenceText === undefined ? null : { head: JSON.stringify(rest), evidence: evidenceText };
}

/** See findingTexts. */
export interface FindingTexts {
  /** JSON.stringify of the finding without its evidence. */
  head: string;
  /** JSON.stringify(f.evidence). */
  evidence: string;
}

/**
 * capStrings(f, MAX_REPORT_TEXT, seen), walking only the part of the finding (its evidence, or the
 * rest) whose JSON text is longer than the cap: a string is never longer than its JSON text, so a
 * shorter part has none to cut. Most findings (70% at 10,000 accounts) have neither part over the
 * cap, and walking them every one took 5 s of such a run.
 */
export function capFinding(f: Finding, texts: FindingTexts | null, seen: WeakMap<object, unknown>): Finding {
  if (!texts) return capStrings(f, MAX_REPORT_TEXT, seen);
  const longHead = texts.head.length > MAX_REPORT_TEXT;
  const longEvidence = texts.evidence.length > MAX_REPORT_TEXT;
  if (longHead && longEvidence) return capStrings(f, MAX_REPORT_TEXT, seen);
  if (longEvidence) {
    const evidence = capStrings(f.evidence, MAX_REPORT_TEXT, seen);
    return evidence === f.evidence ? f : { ...f, evidence };
  }
  if (!longHead) return f;
  const { evidence, ...rest } = f;
  const capped = capStrings(rest, MAX_REPORT_TEXT, seen);
  return capped === rest ? f : { ...capped, evidence };
}

/**
 * Findings held in memory before the store spills (about 640 bytes each as objects, so ~40 MB):
 * a run of up to about 1,300 accounts reads nothing back, a larger one holds no more than this.
 */
const HOLD_UP_TO = 64_000;
/** Bytes of records gathered before one write to the spill file (a record larger is written alone). */
const WRITE_BUFFER = 4 << 20;
/** Bytes read from the spill file at a time. */
const READ_BUFFER = 4 << 20;

/**
 * Findings are added in report order; `finish()` ends the writing. Past the first HOLD_UP_TO,
 * they go to a file in a temporary directory, removed by `dispose()` (or at exit).
 */
export class FindingStore implements FindingSource {
  private count = 0;
  /**
   * The notable findings as columns (about 35 bytes each and the resource, where the objects were
   * 300): materialized each time `notable` is read. Per notable: its finding's index, whether it
   * has a remediation, its fingerprint, region (regions index), resource, and fixedOn (index + 1
   * into fixTargets, 0 for none).
   */
  private notableCount = 0;
  private readonly notableAt = new Column((n) => new Uint32Array(n));
  private readonly notableRemediated = new Column((n) => new Uint8Array(n));
  private readonly notableFingerprints = new Fingerprints();
  private readonly notableRegion = new Column((n) => new Uint32Array(n));
  private readonly notableResources: Finding['resource'][] = [];
  private readonly notableFixedOn = new Column((n) => new Uint32Array(n));
  /** Index 0: no region. */
  private readonly regions = new Table<string | null>();
  private readonly status = new Column((n) => new Uint8Array(n));
  private readonly rule = new Column((n) => new Uint32Array(n));
  private readonly account = new Column((n) => new Uint32Array(n));
  private readonly waiver = new Column((n) => new Uint32Array(n));
  private readonly rules = new Table<RuleKey>();
  private readonly accounts = new Table<{ accountId: string; accountName: string }>();
  /** What the notable findings' fixedOn name: many findings share one (an organization trail, a log group). */
  private readonly fixTargets = new Table<FixTarget>();
  /** Index 0: no waiver. */
  private readonly waivers = new Table<Waiver | null>();
  /** Per rule id: its first and last finding's index. */
  private readonly ranges = new Map<string, { first: number; last: number }>();
  /** Where each finding's record starts in the spill file (a byte offset; 8 bytes a finding). */
  private readonly offset = new Column((n) => new Float64Array(n));
  private readonly spillDir: string;
  private readonly holdUpTo: number;
  /** The findings while there are at most holdUpTo of them; null once they are in the file. */
  private held: Finding[] | null = [];
  private dir: string | null = null;
  private fd: number | null = null;
  /** Bytes in the file. */
  private bytes = 0;
  /** Records encoded and not yet written: pendingBytes of writeBuffer. */
  private writeBuffer: Buffer | null = null;
  private pendingBytes = 0;
  private finished = false;
  private disposed = false;
  private readonly collectors: ReadonlyMap<string, FindingCollector>;

  /**
   * Up to `holdUpTo` findings are held in memory (a small run reads nothing back); past that all
   * go to a file in a temporary directory made inside `spillDir`. Each collector is given every
   * finding as it is added, and is found again by its name (collected()).
   */
  constructor(spillDir: string, options: { holdUpTo?: number; collectors?: ReadonlyMap<string, FindingCollector> } = {}) {
    this.waivers.id('', () => null);
    this.regions.id('', () => null);
    this.spillDir = spillDir;
    this.holdUpTo = options.holdUpTo ?? HOLD_UP_TO;
    this.collectors = options.collectors ?? new Map();
  }

  /** The collector given under this name, once every finding has been added to it. */
  collected(name: string): FindingCollector | undefined {
    this.checkReadable();
    return this.collectors.get(name);
  }

  /** Whether the findings are in the spill file (there were more than holdUpTo). */
  get spilled(): boolean {
    return this.held === null;
  }

  get length(): number {
    return this.count;
  }

  /** The notable findings in report order, made again from the columns at each read (a new array). */
  get notable(): readonly NotableFinding[] {
    return [...this.notables()];
  }

  /** The notable findings in report order, made from the columns one at a time (the fix plan keeps none of them). */
  *notables(): Generator<NotableFinding & { readonly hasRemediation: boolean }> {
    for (let k = 0; k < this.notableCount; k++) {
      const i = this.notableAt.data[k]!;
      const on = this.notableFixedOn.data[k]!;
      // The columns given as they are, not spread into an object of their own first.
      yield new StoredNotable(
        this,
        this.notableRemediated.data[k] ? i : -1,
        this.notableFingerprints.at(k),
        this.columns(i),
        this.regions.items[this.notableRegion.data[k]!]!,
        this.notableResources[k]!,
        on ? this.fixTargets.items[on - 1]! : null,
      );
    }
  }

  /** The last finding's rule key and its index: the findings of a rule come together, so most are that one. */
  private lastRule: { key: RuleKey; at: number } | null = null;

  /** The index of the finding's rule key (rule, title, severity, resource type and mapping). */
  private ruleOf(f: Finding): number {
    const last = this.lastRule;
    if (last && last.key.ruleId === f.ruleId && last.key.title === f.title && last.key.severity === f.severity && last.key.type === f.resource.type && last.key.frameworks === f.frameworks) return last.at;
    const frameworks = frameworksText(f.frameworks);
    const at = this.rules.id(`${f.ruleId}\n${f.title}\n${f.severity}\n${f.resource.type}\n${frameworks}`, () => ({ ruleId: f.ruleId, title: f.title, severity: f.severity, type: f.resource.type, frameworks: f.frameworks }));
    this.lastRule = { key: { ruleId: f.ruleId, title: f.title, severity: f.severity, type: f.resource.type, frameworks: f.frameworks }, at };
    return at;
  }

  /** `texts`: findingTexts(f), when the caller has made them (else the store makes them where it needs them). */
  add(f: Finding, texts?: FindingTexts | null): void {
    if (this.finished) throw new Error('FindingStore: add() after finish()');
    const i = this.count++;
    this.status.set(i, STATUSES.indexOf(f.status));
    this.rule.set(i, this.ruleOf(f));
    this.account.set(i, this.accounts.id(`${f.accountId}\n${f.accountName}`, () => ({ accountId: f.accountId, accountName: f.accountName })));
    this.waiver.set(i, f.waiver ? this.waivers.id(JSON.stringify(f.waiver), () => f.waiver) : 0);
    if (f.status !== 'PASS') {
      const k = this.notableCount++;
      const on = f.fixedOn;
      this.notableAt.set(k, i);
      this.notableRemediated.set(k, f.remediation ? 1 : 0);
      this.notableFingerprints.add(f.fingerprint);
      this.notableRegion.set(k, f.region === null ? 0 : this.regions.id(`r${f.region}`, () => f.region));
      this.notableResources.push(f.resource);
      this.notableFixedOn.set(k, on ? this.fixTargets.id(`${on.kind}\n${on.target}\n${on.accountId}`, () => on) + 1 : 0);
    }
    // The finding's JSON texts, made once for the collectors and the spill file.
    const made = texts !== undefined ? texts : this.collectors.size || !this.held ? findingTexts(f) : null;
    for (const c of this.collectors.values()) c.add(f, made ?? undefined);
    const range = this.ranges.get(f.ruleId);
    if (range && range.last !== i - 1) throw new Error(`FindingStore: the findings of ${f.ruleId} are not together (report order is by rule)`);
    if (range) range.last = i;
    else this.ranges.set(f.ruleId, { first: i, last: i });
    if (this.held) {
      this.held.push(f);
      if (this.held.length <= this.holdUpTo) return;
      // One past what is held: every finding so far goes to the file, and the rest after them.
      this.dir = createTempDirSync(this.spillDir, '.trailwarden-findings-');
      this.fd = openSync(join(this.dir, SPILL_FILE), 'w+');
      const held = this.held;
      this.held = null;
      for (const [k, h] of held.entries()) this.spill(k, h);
      return;
    }
    this.spill(i, f, made);
  }

  private spill(i: number, f: Finding, texts?: FindingTexts | null): void {
    const parts = reportJsonParts(f, texts);
    parts.push(SEPARATOR);
    let length = 0;
    for (const p of parts) length += p.length;
    this.offset.set(i, this.bytes + this.pendingBytes);
    // Encoded straight into the write buffer (at most 3 bytes a UTF-16 unit), one pass over the text.
    const buf = (this.writeBuffer ??= Buffer.allocUnsafe(WRITE_BUFFER));
    if (this.pendingBytes + length * 3 > buf.length) this.flush();
    if (length * 3 > buf.length) {
      this.write(Buffer.from(parts.join('')));
      return;
    }
    for (const p of parts) this.pendingBytes += buf.write(p, this.pendingBytes);
  }

  private flush(): void {
    if (!this.pendingBytes || !this.writeBuffer) return;
    this.write(this.writeBuffer.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }

  private write(bytes: Buffer): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd!, bytes, off, bytes.length - off, this.bytes + off);
    this.bytes += bytes.length;
  }

  finish(): this {
    this.flush();
    this.writeBuffer = null;
    this.finished = true;
    return this;
  }

  /** Removes the spill file and its directory; the store cannot be read after. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.dir) removeTempDirSync(this.dir);
    this.held = null;
  }

  /** What the columns hold of finding i, in a finding's key order. */
  private columns(i: number): Pick<Finding, 'ruleId' | 'title' | 'severity' | 'status' | 'waiver' | 'accountId' | 'accountName'> {
    const r = this.rules.items[this.rule.data[i]!]!;
    const a = this.accounts.items[this.account.data[i]!]!;
    return {
      ruleId: r.ruleId,
      title: r.title,
      severity: r.severity,
      status: STATUSES[this.status.data[i]!]!,
      waiver: this.waivers.items[this.waiver.data[i]!]!,
      accountId: a.accountId,
      accountName: a.accountName,
    };
  }

  private head(i: number): FindingHead {
    const r = this.rules.items[this.rule.data[i]!]!;
    return { ...this.columns(i), resource: { type: r.type }, frameworks: r.frameworks };
  }

  *heads(): Generator<FindingHead> {
    this.checkReadable();
    for (let i = 0; i < this.count; i++) yield this.head(i);
  }

  [Symbol.iterator](): Iterator<Finding> {
    this.checkReadable();
    if (this.held) return this.held[Symbol.iterator]();
    return this.lines(0, this.count - 1);
  }

  *ofRule(ruleId: string): Generator<Finding> {
    this.checkReadable();
    const range = this.ranges.get(ruleId);
    if (!range) return;
    if (this.held) {
      for (let i = range.first; i <= range.last; i++) yield this.held[i]!;
      return;
    }
    yield* this.lines(range.first, range.last);
  }

  /**
   * Every finding's text as report.json has it (reportJsonText), separated as report.json
   * separates them (",\n"), in chunks of a few megabytes: report.json's findings array without its
   * brackets, read from the spill file as it is, nothing parsed.
   */
  *reportJsonBody(): Generator<string> {
    this.checkReadable();
    if (this.held) {
      for (const [i, f] of this.held.entries()) yield `${i ? SEPARATOR : ''}${reportJsonText(f)}`;
      return;
    }
    const decoder = new StringDecoder('utf8');
    for (const bytes of this.reportJsonBodyBytes()!) yield decoder.write(bytes);
    const rest = decoder.end();
    if (rest) yield rest;
  }

  /**
   * reportJsonBody as the UTF-8 bytes of the file, a few megabytes a chunk (one may end inside a
   * character): report.json is written from them as they are. Every chunk is the same buffer,
   * filled again when the next is asked for: use each before asking for the next (a new 4 MB
   * buffer for each of 500 chunks left hundreds of megabytes of them waiting for a collection).
   * Only a spilled store has them; a held one gives null.
   */
  reportJsonBodyBytes(): Iterable<Uint8Array> | null {
    this.checkReadable();
    return this.held ? null : this.fileBytes(0, this.bytes - SEPARATOR_BYTES);
  }

  /** Bytes start..end of the spill file, READ_BUFFER at a time, read into one buffer again and again. */
  private *fileBytes(start: number, end: number): Generator<Uint8Array> {
    const buf = Buffer.allocUnsafe(Math.min(READ_BUFFER, end - start));
    for (let pos = start; pos < end; ) {
      const n = this.read(buf, 0, Math.min(buf.length, end - pos), pos);
      pos += n;
      yield buf.subarray(0, n);
    }
  }

  /** The remediation summary of the finding at index i (a spilled one is read back from its record). */
  remediationSummaryAt(i: number): string | undefined {
    this.checkReadable();
    if (i < 0 || i >= this.count) throw new RangeError(`FindingStore: no finding ${i}`);
    if (this.held) return this.held[i]!.remediation?.summary;
    const start = this.offset.data[i]!;
    const end = (i + 1 < this.count ? this.offset.data[i + 1]! : this.bytes) - SEPARATOR_BYTES;
    const buf = Buffer.allocUnsafe(end - start);
    this.read(buf, 0, buf.length, start);
    return (JSON.parse(buf.toString('utf8')) as Finding).remediation?.summary;
  }

  /** The findings first..last (indexes), parsed a record at a time. */
  private *lines(first: number, last: number): Generator<Finding> {
    for (const text of this.records(first, last)) yield JSON.parse(text) as Finding;
  }

  /** The texts of findings first..last (indexes) from the spill file, read a few megabytes at a time. */
  private *records(first: number, last: number): Generator<string> {
    let buf = Buffer.allocUnsafe(READ_BUFFER);
    // The bytes of the file that buf holds: [from, to).
    let from = 0;
    let to = 0;
    for (let i = first; i <= last; i++) {
      const start = this.offset.data[i]!;
      const end = (i + 1 < this.count ? this.offset.data[i + 1]! : this.bytes) - SEPARATOR_BYTES;
      if (start < from || end > to) {
        // A record larger than the buffer gets a buffer of its own size.
        if (end - start > buf.length) buf = Buffer.allocUnsafe(end - start);
        from = start;
        to = start + this.read(buf, 0, Math.min(buf.length, this.bytes - start), start);
      }
      yield buf.toString('utf8', start - from, end - from);
    }
  }

  /** Reads `length` bytes of the spill file at `position` into buf (fewer only at its end). */
  private read(buf: Buffer, offset: number, length: number, position: number): number {
    let n = 0;
    while (n < length) {
      const got = readSync(this.fd!, buf, offset + n, length - n, position + n);
      if (got === 0) break;
      n += got;
    }
    if (n < length) throw new Error('FindingStore: the spill file ended early');
    return n;
  }

  private checkReadable(): void {
    if (!this.finished) throw new Error('FindingStore: read before finish()');
    if (this.disposed) throw new Error('FindingStore: read after dispose()');
  }
}

/** Findings in memory: an array (what the library returns) that is also a FindingSource. */
export class FindingList extends Array<Finding> implements FindingSource {
  // map, filter and slice of a FindingList give plain arrays.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  get notable(): readonly Finding[] {
    return this.filter((f) => f.status !== 'PASS');
  }

  *notables(): Generator<Finding> {
    for (const f of this) if (f.status !== 'PASS') yield f;
  }

  heads(): Iterable<FindingHead> {
    return this;
  }

  ofRule(ruleId: string): Iterable<Finding> {
    return this.filter((f) => f.ruleId === ruleId);
  }
}

export function isFindingSource(value: unknown): value is FindingSource {
  return value instanceof FindingList || value instanceof FindingStore;
}

/** The findings (in report order) as a FindingList. */
export function findingList(findings: Iterable<Finding>): FindingList {
  const list = new FindingList();
  for (const f of findings) list.push(f);
  return list;
}

/** Counts per status and per severity of FAIL, from the heads. */
export function countStatuses(source: FindingSource): { byStatus: Record<Status, number>; bySeverity: Record<Severity, number> } {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const h of source.heads()) {
    byStatus[h.status]++;
    if (h.status === 'FAIL') bySeverity[h.severity]++;
  }
  return { byStatus, bySeverity };
}
