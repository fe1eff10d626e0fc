// What the machine formats share: one deterministic order of findings, and compact JSON arrays.
import type { Severity } from '../../engine/rule-schema.js';
import type { Report } from '../report.js';
import { chunked } from '../../util/chunked.js';

export { chunked };

type Finding = Report['findings'][number];

const STATUS_ORDER = ['FAIL', 'ERROR', 'NOT_APPLICABLE', 'PASS'];
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];

/** Code-unit order, not localeCompare: the same report sorts the same on every machine and locale. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** jsonArrayLines as chunks (see chunked), each item turned into what is written as it comes. */
export function jsonArrayChunks<T>(items: Iterable<T>, toJson: (item: T) => unknown = (item) => item): Generator<string> {
  return chunked(
    (function* () {
      let first = true;
      for (const item of items) {
        yield `${first ? '[\n' : ',\n'}${JSON.stringify(toJson(item))}`;
        first = false;
      }
      yield first ? '[]\n' : '\n]\n';
    })(),
  );
}

/**
 * A JSON array with one compact element per line: valid JSON that line tools (grep, head, jq -c)
 * can still handle, and about half the size of indented JSON. As one string, for tests and small
 * reports; the formats write jsonArrayChunks.
 */
export function jsonArrayLines(items: unknown[]): string {
  return [...jsonArrayChunks(items)].join('');
}

/** FAIL, ERROR, NOT_APPLICABLE, PASS; then by severity, rule, account and resource. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.accountId, b.accountId) ||
    compareText(a.resource.id, b.resource.id)
  );
}

