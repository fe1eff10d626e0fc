// What the machine formats share: one deterministic order of findings, and compact JSON arrays.
import type { Severity } from '../../engine/rule-schema.js';
import type { Report } from '../report.js';

type Finding = Report['findings'][number];

const STATUS_ORDER = ['FAIL', 'ERROR', 'NOT_APPLICABLE', 'PASS'];
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];

/** Code-unit order, not localeCompare: the same report sorts the same on every machine and locale. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Characters gathered into one chunk of a chunked rendering (about 4 MB of text). */
const CHUNK_CHARS = 1 << 22;

/**
 * Pieces of text joined into chunks of a few megabytes, in order: a file larger than one string
 * can be (V8's limit is about 512 M characters; a CSV of 10,000 accounts is larger) is written
 * chunk by chunk, and none of it is held whole.
 */
export function* chunked(pieces: Iterable<string>, chunkChars = CHUNK_CHARS): Generator<string> {
  let parts: string[] = [];
  let chars = 0;
  for (const p of pieces) {
    parts.push(p);
    chars += p.length;
    if (chars >= chunkChars) {
      yield parts.join('');
      parts = [];
      chars = 0;
    }
  }
  if (parts.length) yield parts.join('');
}

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

