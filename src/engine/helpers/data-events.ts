// Data-event and network-activity helpers over recorders (trails and event data stores alike),
// judged by meaning on the normalized selectors: a requirement is met only by what certainly
// records it, and a recorder the scanner could not read makes an unmet requirement unknown.
import { CannotJudge } from './cannot-judge.js';
import type { DataEvents, EventSelectors } from '../../inventory/schema.js';
import type { Recorder } from '../recorders.js';

export interface DataEventRequirement { resourceType: string; arnPrefix?: string; read?: boolean; write?: boolean }
export interface NetworkActivityRequirement { eventSource: string; read?: boolean; write?: boolean }
type Dir = 'read' | 'write';

function dataEventsOf(selectors: EventSelectors | null): DataEvents[] {
  if (!selectors) throw new CannotJudge('event selectors were not collected');
  if (!selectors.dataEvents) throw new CannotJudge('the snapshot predates the per-type data-event model (schema 1.2): scan again');
  return selectors.dataEvents;
}

/** Whether one direction of one entry certainly records `arnPrefix` (every resource when absent). */
function covers(entry: DataEvents, dir: Dir, arnPrefix: string | undefined): boolean {
  const scope = entry[dir];
  if (scope === 'all') return true;
  if (scope !== 'some' || !arnPrefix) return false;
  const listed = dir === 'read' ? entry.readResources : entry.writeResources;
  // A plain string is an ARN prefix; 'resources.ARN=<arn>' one resource; anything narrowed credits nothing.
  return listed.some((r) =>
    r.startsWith('resources.ARN=') ? r.slice('resources.ARN='.length) === arnPrefix : r.startsWith('arn:') && !r.includes(' & ') && arnPrefix.startsWith(r),
  );
}

/** The selectors record, read and write, for all its resources, at least one data-event resource type starting with `typePrefix` (AWS::Bedrock::). */
export function recordsDataEventTypes(selectors: EventSelectors | null, typePrefix: string): boolean {
  return dataEventsOf(selectors).some((e) => e.resourceType.startsWith(typePrefix) && e.read === 'all' && e.write === 'all');
}

function describeRequirement(r: DataEventRequirement): string {
  const dirs = [(r.read ?? true) ? 'read' : null, (r.write ?? true) ? 'write' : null].filter(Boolean).join(' and ');
  return `${r.resourceType} ${dirs} data events for ${r.arnPrefix ? `${r.arnPrefix}*` : 'every resource'}`;
}

/** Recorders that count: multi-region and recording; those whose facts are missing are returned apart. */
function partition(recorders: Recorder[], seen: (r: Recorder) => boolean): { usable: Recorder[]; unknown: Recorder[] } {
  const usable: Recorder[] = [];
  const unknown: Recorder[] = [];
  for (const r of recorders) {
    if (r.recording === null || r.multiRegion === null || !seen(r)) unknown.push(r);
    else if (r.recording && r.multiRegion) usable.push(r);
  }
  return { usable, unknown };
}

const selectorsSeen = (r: Recorder) => !!r.eventSelectors?.dataEvents && !!r.eventSelectors.networkActivity;

/** met(r, q, dir): recorder r records direction dir of requirement q; a direction may be met by any recorder. */
function unmet<T extends { read?: boolean; write?: boolean }>(recorders: Recorder[], requirements: T[], met: (r: Recorder, q: T, dir: Dir) => boolean, describe: (q: T) => string): string[] {
  const { usable, unknown } = partition(recorders, selectorsSeen);
  const missing = requirements.filter((q) => (['read', 'write'] as const).some((dir) => (q[dir] ?? true) && !usable.some((r) => met(r, q, dir))));
  if (missing.length && unknown.length) {
    throw new CannotJudge(
      `${missing.map(describe).join('; ')}: not recorded by what was seen, and ${unknown.map((r) => r.arn).join(', ')} could not be read`,
    );
  }
  return missing.map(describe);
}

/** Each required data event no multi-region, recording trail or event data store records (union over recorders and directions). */
export function unmetDataEvents(recorders: Recorder[], requirements: DataEventRequirement[]): string[] {
  return unmet(
    recorders,
    requirements,
    (r, q, dir) => r.eventSelectors!.dataEvents!.some((e) => e.resourceType === q.resourceType && covers(e, dir, q.arnPrefix)),
    describeRequirement,
  );
}

/** Each required VPC endpoint service whose network activity events no multi-region, recording recorder records in full. */
export function unmetNetworkActivity(recorders: Recorder[], requirements: NetworkActivityRequirement[]): string[] {
  return unmet(
    recorders,
    requirements,
    (r, q, dir) => r.eventSelectors!.networkActivity!.some((n) => n.eventSource === q.eventSource && n[dir] === 'all'),
    (q) => `network activity events of ${q.eventSource} (${[(q.read ?? true) ? 'read' : null, (q.write ?? true) ? 'write' : null].filter(Boolean).join(' and ')})`,
  );
}
