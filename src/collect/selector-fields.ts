// The field-selector vocabulary shared by the selector normalizers (event-selectors.ts,
// data-events.ts): which values a condition names, whether a selector accepts a value, and how a
// narrowing is described ('field<op>v1|v2'). Pure.
import type { AdvancedFieldSelector } from '@aws-sdk/client-cloudtrail';

export const OPS = [
  ['Equals', '='],
  ['NotEquals', '!='],
  ['StartsWith', '^='],
  ['NotStartsWith', '!^='],
  ['EndsWith', '$='],
  ['NotEndsWith', '!$='],
] as const;
export type Op = (typeof OPS)[number][0];
export const POSITIVE: readonly Op[] = ['Equals', 'StartsWith', 'EndsWith'];
export const NEGATIVE: readonly Op[] = ['NotEquals', 'NotStartsWith', 'NotEndsWith'];

export type Dir = 'read' | 'write';

export const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

export function values(fields: AdvancedFieldSelector[], field: string, ops: readonly Op[]): string[] {
  return fields.filter((f) => f.Field === field).flatMap((f) => ops.flatMap((op) => f[op] ?? []));
}

export function has(fields: AdvancedFieldSelector[], field: string, ops: readonly Op[] = OPS.map(([op]) => op)): boolean {
  return values(fields, field, ops).length > 0;
}

// Whether the selector's conditions on `field` (AND'ed) accept `value`.
export function accepts(fields: AdvancedFieldSelector[], field: string, value: string): boolean {
  return fields
    .filter((f) => f.Field === field)
    .every((f) => {
      const pos = (xs: string[] | undefined, ok: (x: string) => boolean) => !xs?.length || xs.some(ok);
      const neg = (xs: string[] | undefined, ok: (x: string) => boolean) => !xs?.length || !xs.some(ok);
      return (
        pos(f.Equals, (x) => x === value) &&
        pos(f.StartsWith, (x) => value.startsWith(x)) &&
        pos(f.EndsWith, (x) => value.endsWith(x)) &&
        neg(f.NotEquals, (x) => x === value) &&
        neg(f.NotStartsWith, (x) => value.startsWith(x)) &&
        neg(f.NotEndsWith, (x) => value.endsWith(x))
      );
    });
}

// 'field<op>v1|v2' for every condition of `fields` that `keep` accepts.
export function describe(fields: AdvancedFieldSelector[], keep: (field: string, op: Op) => boolean): string[] {
  return fields.flatMap((f) =>
    OPS.filter(([op]) => (f[op]?.length ?? 0) > 0 && keep(f.Field ?? '', op)).map(
      ([op, sym]) => `${f.Field ?? ''}${sym}${(f[op] ?? []).join('|')}`,
    ),
  );
}

export function combine(positives: string[], conditions: string[]): string[] {
  if (conditions.length === 0) return positives;
  const cond = conditions.join(' & ');
  return positives.length > 0 ? positives.map((p) => `${p} & ${cond}`) : [cond];
}

export function readWrite(fields: AdvancedFieldSelector[]): { read: boolean; write: boolean } {
  return { read: accepts(fields, 'readOnly', 'true'), write: accepts(fields, 'readOnly', 'false') };
}

