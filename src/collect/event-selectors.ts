// GetEventSelectors → the inventory's EventSelectors model. Pure: no SDK calls, no I/O.
//
// Semantics (also documented in the report of the change that introduced this file):
// - source: 'advanced' when advanced selectors are present; otherwise 'default' when the trail has
//   no custom selectors (AWS returns the default basic selector, an emulator returns nothing; both
//   mean all management events, read and write); otherwise 'basic'. A custom trail with no
//   selectors at all records nothing.
// - Management events, per direction (read, write), as the union of the selectors recording that
//   direction. Each selector records either "every source except E" (open) or "only O, except E"
//   (restricted). For a direction:
//     * every contributor restricted → onlySources = ∪O, excluded = ∩E;
//     * otherwise → no onlySources, excluded = ∩E over the open contributors, minus the sources
//       a restricted contributor names exactly (it records them).
//   The model has no per-direction filters, so the output reports, conservatively, a source as
//   excluded when it is excluded for read OR for write, and onlySources as the union of the
//   per-direction restrictions (null only when neither direction is restricted).
// - Advanced management selector: eventCategory Equals contains 'Management' (the Name is never
//   looked at). eventSource Not* values → excluded (raw values); eventSource Equals/StartsWith/
//   EndsWith values → only (raw values). Any other narrowing field (eventName, userIdentity.arn,
//   errorCode, …) means the selector records a subset only: it is described in onlySources as
//   'field<op>v1|v2' (op: = != ^= !^= $= !$=), joined to the source values with ' & ' when both
//   exist, e.g. 'eventName=ConsoleLogin' or 'kms.amazonaws.com & eventName=Decrypt'.
// - S3 data events: 'all' beats 'some' beats 'none', per direction. 'all' needs no narrowing at
//   all (no resources.ARN, or resources.ARN StartsWith an all-buckets ARN such as 'arn:aws:s3' /
//   'arn:aws-us-gov:s3:::'). Otherwise 'some', and s3Data.resources lists the ARN values, plus the
//   descriptions of any other narrowing (same format as above, e.g. 'resources.ARN!^=arn:…',
//   'arn:aws:s3:::b/ & eventName=GetObject') so that a prefix match on them never over-reports.
//   resources is filled only from directions whose result is 'some'.
// - Other data resource types (Lambda, DynamoDB, …) go to otherDataResourceTypes, whatever their
//   filters, and every type (S3 included) to dataEvents with its read/write scope (data-events.ts).
// - NetworkActivity selectors go to networkActivity, one entry per event source (data-events.ts).
import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';
import type { EventSelectors } from '../inventory/schema.js';
import { dataEventsOf, networkActivityOf } from './data-events.js';
import { combine, describe, has, NEGATIVE, POSITIVE, readWrite, sorted, values } from './selector-fields.js';

const S3_OBJECT = 'AWS::S3::Object';
const ALL_S3 = /^arn:[a-z0-9-]+:s3(:::)?$/;

type Dir = 'read' | 'write';
interface MgmtPart { read: boolean; write: boolean; excluded: string[]; only: string[] | null }
interface DataPart { read: boolean; write: boolean; all: boolean; resources: string[] }

function fromBasic(selectors: EventSelector[], mgmt: MgmtPart[], data: DataPart[], other: Set<string>): void {
  for (const s of selectors) {
    const rw = s.ReadWriteType ?? 'All';
    const dirs = { read: rw !== 'WriteOnly', write: rw !== 'ReadOnly' };
    if (s.IncludeManagementEvents !== false) {
      mgmt.push({ ...dirs, excluded: s.ExcludeManagementEventSources ?? [], only: null });
    }
    for (const r of s.DataResources ?? []) {
      if (!r.Type) continue;
      if (r.Type !== S3_OBJECT) {
        other.add(r.Type);
        continue;
      }
      const vals = r.Values ?? [];
      if (vals.length > 0) data.push({ ...dirs, all: vals.some((v) => ALL_S3.test(v)), resources: vals });
    }
  }
}

function fromAdvanced(selectors: AdvancedEventSelector[], mgmt: MgmtPart[], data: DataPart[], other: Set<string>): void {
  for (const s of selectors) {
    const fields = s.FieldSelectors ?? [];
    const categories = values(fields, 'eventCategory', ['Equals']);
    if (categories.includes('Management')) {
      const sources = values(fields, 'eventSource', POSITIVE);
      const conditions = describe(fields, (f) => !['eventCategory', 'readOnly', 'eventSource'].includes(f));
      const restricted = sources.length > 0 || conditions.length > 0;
      mgmt.push({
        ...readWrite(fields),
        excluded: values(fields, 'eventSource', NEGATIVE),
        only: restricted ? combine(sources, conditions) : null,
      });
    }
    if (!categories.includes('Data')) continue;
    for (const type of values(fields, 'resources.type', ['Equals'])) {
      if (type !== S3_OBJECT) other.add(type);
    }
    if (!values(fields, 'resources.type', ['Equals']).includes(S3_OBJECT)) continue;
    const arns = values(fields, 'resources.ARN', POSITIVE);
    const conditions = describe(
      fields,
      (f, op) => !['eventCategory', 'resources.type', 'readOnly'].includes(f) && !(f === 'resources.ARN' && POSITIVE.includes(op)),
    );
    const arnOpen =
      arns.length === 0 ||
      (!has(fields, 'resources.ARN', ['Equals', 'EndsWith']) && values(fields, 'resources.ARN', ['StartsWith']).some((v) => ALL_S3.test(v)));
    data.push({ ...readWrite(fields), all: arnOpen && conditions.length === 0, resources: combine(arns, conditions) });
  }
}

function intersect(lists: string[][]): Set<string> {
  const [first, ...rest] = lists;
  return new Set((first ?? []).filter((x) => rest.every((l) => l.includes(x))));
}

function unionManagement(parts: MgmtPart[], dir: Dir): { on: boolean; excluded: Set<string>; only: string[] | null } {
  const contributors = parts.filter((p) => p[dir]);
  const open = contributors.filter((p) => p.only === null);
  if (contributors.length === 0) return { on: false, excluded: new Set(), only: null };
  if (open.length === 0) {
    return { on: true, excluded: intersect(contributors.map((p) => p.excluded)), only: contributors.flatMap((p) => p.only ?? []) };
  }
  const named = new Set(contributors.flatMap((p) => p.only ?? []));
  const excluded = [...intersect(open.map((p) => p.excluded))].filter((x) => !named.has(x));
  return { on: true, excluded: new Set(excluded), only: null };
}

function plain(xs: unknown[]): unknown[] {
  return JSON.parse(JSON.stringify(xs)) as unknown[];
}

export function normalizeEventSelectors(input: {
  hasCustomEventSelectors: boolean;
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
}): EventSelectors {
  const basic = input.eventSelectors ?? [];
  const advanced = input.advancedEventSelectors ?? [];
  const source = advanced.length > 0 ? 'advanced' : input.hasCustomEventSelectors ? 'basic' : 'default';

  const mgmt: MgmtPart[] = [];
  const data: DataPart[] = [];
  const other = new Set<string>();
  if (source === 'default' && basic.length === 0) {
    mgmt.push({ read: true, write: true, excluded: [], only: null });
  }
  fromBasic(basic, mgmt, data, other);
  fromAdvanced(advanced, mgmt, data, other);

  const read = unionManagement(mgmt, 'read');
  const write = unionManagement(mgmt, 'write');
  const onlySources = read.only === null && write.only === null ? null : sorted([...(read.only ?? []), ...(write.only ?? [])]);

  const scope = (dir: Dir) => {
    const contributors = data.filter((d) => d[dir]);
    return contributors.some((d) => d.all) ? 'all' : contributors.length > 0 ? 'some' : 'none';
  };
  const s3Read = scope('read');
  const s3Write = scope('write');
  const resources = data
    .filter((d) => (d.read && s3Read === 'some') || (d.write && s3Write === 'some'))
    .flatMap((d) => d.resources);

  return {
    source,
    management: {
      read: read.on,
      write: write.on,
      excludedSources: sorted([...read.excluded, ...write.excluded]),
      onlySources,
    },
    s3Data: { read: s3Read, write: s3Write, resources: sorted(resources) },
    otherDataResourceTypes: sorted(other),
    dataEvents: dataEventsOf(basic, advanced),
    networkActivity: networkActivityOf(advanced),
    raw: { eventSelectors: plain(basic), advancedEventSelectors: plain(advanced) },
  };
}
