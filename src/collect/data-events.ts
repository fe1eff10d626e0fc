// Data events of every resource type, and network activity events, from the selectors of a trail
// or an event data store. Pure: no SDK calls, no I/O.
//
// Semantics:
// - dataEvents: one entry per resources.type (AWS::S3::Object, AWS::Lambda::Function,
//   AWS::DynamoDB::Table, AWS::Bedrock::*, ...). Per direction (read, write): 'all' beats 'some'
//   beats 'none'. 'all' needs no narrowing at all: no resources.ARN condition (or only StartsWith a
//   whole-service prefix such as 'arn:aws:lambda' / 'arn:aws:s3:::'), no eventName or other field.
//   Otherwise 'some', and readResources / writeResources say what is recorded, in a form a requirement can be matched
//   against without ever over-crediting:
//     * a plain string is an ARN prefix (advanced StartsWith; basic S3 values, which are prefixes);
//     * 'resources.ARN=<arn>' is one exact resource (advanced Equals; basic values of other types,
//       which name single functions or tables);
//     * anything joined with ' & ', or any other 'field<op>values', is a narrowing (eventName,
//       EndsWith, NotStartsWith, ...) and credits no requirement.
//   Each list is filled only when its direction's result is 'some'.
// - Basic selectors: DataResources Type/Values with the selector's ReadWriteType.
// - networkActivity: advanced selectors with eventCategory Equals NetworkActivity, one entry per
//   eventSource Equals value (the VPC endpoint's service, e.g. s3.amazonaws.com). 'all' when nothing
//   but readOnly narrows it; otherwise 'some' (errorCode=VpceAccessDenied records only the denied
//   calls, vpcEndpointId names some endpoints) with the narrowing in `conditions`.
import type { AdvancedEventSelector, EventSelector } from '@aws-sdk/client-cloudtrail';
import type { DataEvents, NetworkActivity } from '../inventory/schema.js';
import { combine, describe, has, POSITIVE, readWrite, sorted, values, type Dir } from './selector-fields.js';

const S3_OBJECT = 'AWS::S3::Object';
/** An ARN prefix naming a whole service in a partition: every resource of the type. */
const WHOLE_SERVICE = /^arn:[a-z0-9-]+:[a-z0-9-]+:*$/;

interface Part { type: string; read: boolean; write: boolean; all: boolean; resources: string[] }
type Scope = 'all' | 'some' | 'none';

function fromBasic(selectors: EventSelector[]): Part[] {
  const parts: Part[] = [];
  for (const s of selectors) {
    const rw = s.ReadWriteType ?? 'All';
    const dirs = { read: rw !== 'WriteOnly', write: rw !== 'ReadOnly' };
    for (const r of s.DataResources ?? []) {
      const vals = r.Values ?? [];
      if (!r.Type || vals.length === 0) continue;
      const all = vals.some((v) => WHOLE_SERVICE.test(v));
      const resources = r.Type === S3_OBJECT ? vals : vals.map((v) => `resources.ARN=${v}`);
      parts.push({ type: r.Type, ...dirs, all, resources });
    }
  }
  return parts;
}

function fromAdvanced(selectors: AdvancedEventSelector[]): Part[] {
  const parts: Part[] = [];
  for (const s of selectors) {
    const fields = s.FieldSelectors ?? [];
    if (!values(fields, 'eventCategory', ['Equals']).includes('Data')) continue;
    const prefixes = values(fields, 'resources.ARN', ['StartsWith']);
    const exact = values(fields, 'resources.ARN', ['Equals']).map((v) => `resources.ARN=${v}`);
    const conditions = describe(
      fields,
      (f, op) => !['eventCategory', 'resources.type', 'readOnly'].includes(f) && !(f === 'resources.ARN' && (op === 'StartsWith' || op === 'Equals')),
    );
    const open =
      !has(fields, 'resources.ARN', POSITIVE) ||
      (!has(fields, 'resources.ARN', ['Equals', 'EndsWith']) && prefixes.some((v) => WHOLE_SERVICE.test(v)));
    for (const type of values(fields, 'resources.type', ['Equals'])) {
      parts.push({ type, ...readWrite(fields), all: open && conditions.length === 0, resources: combine([...prefixes, ...exact], conditions) });
    }
  }
  return parts;
}

function scopeOf<P extends { read: boolean; write: boolean; all: boolean }>(parts: P[], dir: Dir): Scope {
  const contributors = parts.filter((p) => p[dir]);
  return contributors.some((p) => p.all) ? 'all' : contributors.length > 0 ? 'some' : 'none';
}

export function dataEventsOf(basic: EventSelector[], advanced: AdvancedEventSelector[]): DataEvents[] {
  const parts = [...fromBasic(basic), ...fromAdvanced(advanced)];
  return sorted(parts.map((p) => p.type)).map((resourceType) => {
    const mine = parts.filter((p) => p.type === resourceType);
    const read = scopeOf(mine, 'read');
    const write = scopeOf(mine, 'write');
    const of = (dir: Dir, scope: Scope) => (scope === 'some' ? sorted(mine.filter((p) => p[dir]).flatMap((p) => p.resources)) : []);
    return { resourceType, read, readResources: of('read', read), write, writeResources: of('write', write) };
  });
}

export function networkActivityOf(advanced: AdvancedEventSelector[]): NetworkActivity[] {
  const parts: { source: string; read: boolean; write: boolean; all: boolean; conditions: string[] }[] = [];
  for (const s of advanced) {
    const fields = s.FieldSelectors ?? [];
    if (!values(fields, 'eventCategory', ['Equals']).includes('NetworkActivity')) continue;
    const conditions = describe(fields, (f, op) => !['eventCategory', 'readOnly'].includes(f) && !(f === 'eventSource' && op === 'Equals'));
    for (const source of values(fields, 'eventSource', ['Equals'])) {
      parts.push({ source, ...readWrite(fields), all: conditions.length === 0, conditions });
    }
  }
  return sorted(parts.map((p) => p.source)).map((eventSource) => {
    const mine = parts.filter((p) => p.source === eventSource);
    const read = scopeOf(mine, 'read');
    const write = scopeOf(mine, 'write');
    const conditions = mine.filter((p) => (p.read && read === 'some') || (p.write && write === 'some')).flatMap((p) => p.conditions);
    return { eventSource, read, write, conditions: sorted(conditions) };
  });
}
