// The coverage map: for each account and region, which trails cover it and whether that makes
// the region recorded. The verdict comes from the account-region-coverage findings when the rule
// was evaluated (so the map never disagrees with the findings); otherwise it is derived from the
// snapshot with the same rule of thumb, and a fact that was not collected makes the cell unknown.
// Each cell also says what records it: a trail, a CloudTrail Lake event data store (an
// organization data store records a member no trail covers), or none. The state stays the trail
// rule's, so the map never disagrees with account-region-coverage.
import { evaluatedReport, type AnyReport } from '../report.js';
import type { AccountRecord, EventDataStore, Snapshot, Trail } from '../../inventory/schema.js';

export const COVERAGE_RULE = 'account-region-coverage';

/** What a cell shows. `gap` is the one to fix; `unknown` means the scanner could not tell. */
export const CELL_STATES = ['covered', 'gap', 'unknown', 'not-opted-in', 'excluded', 'not-scanned', 'no-region'] as const;
export type CellState = (typeof CELL_STATES)[number];

/** Why a trail that could cover a region does, or does not. */
export const TRAIL_NOTES = ['records', 'not-logging', 'no-management-events', 'not-collected'] as const;
export type TrailNote = (typeof TRAIL_NOTES)[number];

/** What records a cell's management events: a trail, an event data store only, nothing, or it could not be told. */
export const RECORDED_BY = ['trail', 'event-data-store', 'none', 'unknown'] as const;
export type RecordedBy = (typeof RECORDED_BY)[number];

/** Why an event data store that could cover a region does, or does not. */
export const STORE_NOTES = ['records', 'not-enabled', 'no-management-events', 'not-collected'] as const;
export type StoreNote = (typeof STORE_NOTES)[number];

export interface CoverageCell {
  state: CellState;
  /** What records the cell; null for a region that is not judged (not opted in, excluded, not scanned, no such region). */
  recordedBy?: RecordedBy | null;
  /** The event data stores that apply to this account and region, each with its note. */
  eventDataStores?: { arn: string; note: StoreNote }[];
  /** The trails that apply to this account and region, each with its note. */
  trails: { arn: string; note: TrailNote }[];
  /** Why an `unknown` cell could not be judged (the account's or region's error, or the ERROR finding's message). */
  reason?: string;
}

function noteFor(t: Trail): TrailNote {
  if (!t.status || !t.eventSelectors) return 'not-collected';
  if (!t.status.isLogging) return 'not-logging';
  const m = t.eventSelectors.management;
  return m.read || m.write ? 'records' : 'no-management-events';
}

function derived(notes: TrailNote[]): CellState {
  if (notes.includes('records')) return 'covered';
  return notes.includes('not-collected') ? 'unknown' : 'gap';
}

const FROM_STATUS: Record<string, CellState> = { PASS: 'covered', FAIL: 'gap', ERROR: 'unknown' };

function storeNote(d: EventDataStore): StoreNote {
  if (!d.configuration || !d.eventSelectors) return 'not-collected';
  if (d.configuration.status !== 'ENABLED') return 'not-enabled';
  const m = d.eventSelectors.management;
  return m.read || m.write ? 'records' : 'no-management-events';
}

const NOT_JUDGED: readonly CellState[] = ['not-scanned', 'no-region', 'not-opted-in', 'excluded'];

/** Adds what records the cell: the trail when the trail rule says covered, else an event data store that records it, else none. */
function withRecorders(cell: CoverageCell, account: AccountRecord | undefined, region: string, stores: Map<string, EventDataStore>, managementAccountId: string | null): CoverageCell {
  if (NOT_JUDGED.includes(cell.state) || !account) return { ...cell, recordedBy: null, eventDataStores: [] };
  const applicable = (account.coveringEventDataStoreArns ?? [])
    .map((arn) => stores.get(arn))
    .filter((d): d is EventDataStore => !!d && (d.configuration?.multiRegionEnabled !== false || d.homeRegion === region))
    .map((d) => ({ arn: d.arn, note: storeNote(d) }));
  const notes = applicable.map((d) => d.note);
  // A data store of the account or of the management account that could not be read may record it.
  const unread = [...stores.values()].some(
    (d) => d.configuration === null && (d.ownerAccountId === account.id || d.ownerAccountId === managementAccountId) && !applicable.some((x) => x.arn === d.arn),
  );
  if (unread) notes.push('not-collected');
  const recordedBy: RecordedBy =
    cell.state === 'covered' ? 'trail' : notes.includes('records') ? 'event-data-store' : cell.state === 'unknown' || notes.includes('not-collected') ? 'unknown' : 'none';
  return { ...cell, recordedBy, eventDataStores: applicable };
}

/** A coverage finding as the map reads it: its status, and its message where the cell shows it (an ERROR's). */
export interface CoverageVerdict {
  status: string;
  message: string;
}

const COVERED: CoverageVerdict = { status: 'PASS', message: '' };
const GAP: CoverageVerdict = { status: 'FAIL', message: '' };

/**
 * The account-region-coverage verdicts of a run, kept as its findings go by (the page's collector):
 * at 10,000 accounts the rule has 170,000 findings, which a spilled run would otherwise read back
 * from its file, parsing each whole, for two of their fields. Looked up by the finding's resource
 * id (`account/region` or `account/*`), kept under a number made of the account's and the
 * region's index (an id of another form under itself), not under 170,000 strings.
 */
export class CoverageVerdicts {
  private readonly accounts = new Map<string, number>();
  private readonly regions = new Map<string, number>();
  private readonly cells = new Map<number, CoverageVerdict>();
  private readonly others = new Map<string, CoverageVerdict>();
  /** Whether the rule has a finding in the run (evaluated, and not filtered out). */
  evaluated = false;

  add(f: { ruleId: string; status: string; message: string; resource: { id: string } }): void {
    if (f.ruleId !== COVERAGE_RULE) return;
    this.evaluated = true;
    // The message is shown only where the cell is unknown; a covered cell or a gap keeps none.
    const v = f.status === 'PASS' ? COVERED : f.status === 'FAIL' ? GAP : { status: f.status, message: f.message };
    const cell = this.cell(f.resource.id, true);
    if (cell === null) this.others.set(f.resource.id, v);
    else this.cells.set(cell, v);
  }

  /** The verdict of the finding whose resource id is `resourceId`, if there is one. */
  get(resourceId: string): CoverageVerdict | undefined {
    const cell = this.cell(resourceId, false);
    // A part never seen as a cell's may still be an id kept as it is (past the region slots).
    return cell === null || cell < 0 ? this.others.get(resourceId) : this.cells.get(cell);
  }

  /** The number an id is kept under (-1: a part never seen, so no verdict), or null for an id not of the form `account/region`. */
  private cell(id: string, adding: boolean): number | null {
    const slash = id.lastIndexOf('/');
    if (slash <= 0) return null;
    const account = this.index(this.accounts, id.slice(0, slash), adding);
    const region = this.index(this.regions, id.slice(slash + 1), adding);
    if (account === null || region === null) return null;
    if (account < 0 || region < 0) return -1;
    return account * REGION_SLOTS + region;
  }

  private index(table: Map<string, number>, key: string, adding: boolean): number | null {
    let i = table.get(key);
    if (i === undefined) {
      if (!adding) return -1;
      // Past the slots a number has for regions, the ids are kept as they are.
      if (table === this.regions && table.size >= REGION_SLOTS) return null;
      i = table.size;
      table.set(key, i);
    }
    return i;
  }

  static of(report: AnyReport): CoverageVerdicts {
    const verdicts = new CoverageVerdicts();
    for (const f of evaluatedReport(report).findings.ofRule(COVERAGE_RULE)) verdicts.add(f);
    return verdicts;
  }
}

/** Regions (and `*`) a cell number has room for: AWS has under 40. */
const REGION_SLOTS = 1024;

/**
 * One row per account of `accountIds`, one cell per region of `regions`. `verdicts`: the run's
 * coverage findings as a collector kept them; without it they are read from the report.
 */
export function coverageMap(snapshot: Snapshot, report: AnyReport, accountIds: string[], regions: string[], verdicts: CoverageVerdicts = CoverageVerdicts.of(report)): CoverageCell[][] {
  return [...coverageRows(snapshot, verdicts, accountIds, regions)];
}

/**
 * coverageMap a row at a time: the page encodes each row as it comes, and never holds the cells of
 * every account at once (170,000 of them at 10,000 accounts, each with its trails and data stores).
 */
export function* coverageRows(snapshot: Snapshot, verdicts: CoverageVerdicts, accountIds: string[], regions: string[]): Generator<CoverageCell[]> {
  const accounts = new Map(snapshot.accounts.map((a) => [a.id, a]));
  const stores = new Map((snapshot.eventDataStores ?? []).map((d) => [d.arn, d]));
  const trails = new Map(snapshot.trails.map((t) => [t.arn, t]));
  for (const id of accountIds) {
    const account = accounts.get(id);
    yield trailCoverage(account, id, trails, verdicts, regions).map((cell, j) => withRecorders(cell, account, regions[j]!, stores, snapshot.organization.managementAccountId));
  }
}

/** One account's row of trail coverage. */
function trailCoverage(account: AccountRecord | undefined, id: string, trails: ReadonlyMap<string, Trail>, coverage: CoverageVerdicts, regions: string[]): CoverageCell[] {
  const ruleEvaluated = coverage.evaluated;
  return regions.map((region): CoverageCell => {
    if (!account || account.status === 'skipped') return { state: 'not-scanned', trails: [] };
    if (account.status === 'error') return { state: 'unknown', trails: [], reason: `account not scanned: ${account.reason ?? 'no reason recorded'}` };
    const record = account.regions.find((r) => r.name === region);
    if (!record) return { state: 'no-region', trails: [] };
    if (record.status === 'not-opted-in') return { state: 'not-opted-in', trails: [] };
    if (record.status === 'excluded') return { state: 'excluded', trails: [] };
    const applicable = account.coveringTrailArns
      .map((arn) => trails.get(arn))
      .filter((t): t is Trail => !!t && (t.isMultiRegionTrail || t.homeRegion === region));
    const cellTrails = applicable.map((t) => ({ arn: t.arn, note: noteFor(t) }));
    if (record.status === 'unreachable') return { state: 'unknown', trails: cellTrails, reason: `region unreachable: ${record.reason ?? 'no reason recorded'}` };
    const verdict = coverage.get(`${id}/${region}`) ?? coverage.get(`${id}/*`);
    if (ruleEvaluated) {
      // Evaluated, but no finding for this cell (e.g. the account was left out): not judged.
      if (!verdict) return { state: 'unknown', trails: cellTrails, reason: `no ${COVERAGE_RULE} finding for this account and region` };
      const state = FROM_STATUS[verdict.status] ?? 'unknown';
      return state === 'unknown' ? { state, trails: cellTrails, reason: verdict.message } : { state, trails: cellTrails };
    }
    const state = derived(cellTrails.map((t) => t.note));
    return state === 'unknown' ? { state, trails: cellTrails, reason: 'a trail\'s logging status or event selectors were not collected' } : { state, trails: cellTrails };
  });
}
