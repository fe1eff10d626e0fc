// JSON.stringify(value, null, 2), byte for byte, as pieces: the outer objects member by member and
// the outer arrays element by element, each element stringified on its own. A 10,000-account
// snapshot is 96 MB of this text: written whole it was a string of that size, flattened and
// encoded again, a few hundred megabytes at the end of a scan for a file the disk takes in pieces.
import { chunked } from './chunked.js';

/** Objects at most this deep are written a member at a time (0: the value itself). */
const OBJECT_DEPTH = 1;
/** Arrays at most this deep are written an element at a time (snapshot.stats.apiCalls is at 2). */
const ARRAY_DEPTH = 2;

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** The value JSON.stringify serializes in its place (its toJSON's result, given the key). */
function toJsonValue(value: unknown, key: string): unknown {
  const toJSON = value !== null && typeof value === 'object' ? (value as { toJSON?: unknown }).toJSON : undefined;
  return typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(value, key) : value;
}

/**
 * JSON.stringify(value, null, 2) of a value that sits `depth` levels deep: its first line without
 * indentation, the others indented as there. Nested in `depth` arrays, JSON.stringify indents it
 * itself; the arrays' own text is cut away (depth * (depth + 3) characters before, depth *
 * (depth + 1) after), with no pass over the text to indent it again.
 */
function indented(value: unknown, depth: number): string {
  let nested: unknown = value;
  for (let i = 0; i < depth; i++) nested = [nested];
  const text = JSON.stringify(nested, null, 2);
  return text.slice(depth * (depth + 3), text.length - depth * (depth + 1));
}

function* pieces(value: unknown, depth: number): Generator<string> {
  const isArray = Array.isArray(value);
  const streamed = value !== null && typeof value === 'object' && (isArray ? depth <= ARRAY_DEPTH : depth <= OBJECT_DEPTH);
  if (!streamed) {
    yield indented(value, depth);
    return;
  }
  const inner = ' '.repeat(2 * (depth + 1));
  let first = true;
  if (isArray) {
    for (const [i, item] of (value as unknown[]).entries()) {
      const v = toJsonValue(item, String(i));
      yield `${first ? '[\n' : ',\n'}${inner}`;
      first = false;
      if (omitted(v)) yield 'null';
      else yield* pieces(v, depth + 1);
    }
  } else {
    for (const key of Object.keys(value as object)) {
      const v = toJsonValue((value as Record<string, unknown>)[key], key);
      if (omitted(v)) continue;
      yield `${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `;
      first = false;
      yield* pieces(v, depth + 1);
    }
  }
  yield first ? (isArray ? '[]' : '{}') : `\n${' '.repeat(2 * depth)}${isArray ? ']' : '}'}`;
}

/**
 * `${JSON.stringify(value, null, 2)}\n` as pieces (each a member, an element or punctuation),
 * for a plain JSON value (objects, arrays, strings, numbers, booleans, null, and toJSON).
 */
export function* prettyJsonPieces(value: unknown): Generator<string> {
  const v = toJsonValue(value, '');
  if (omitted(v)) throw new TypeError('prettyJsonPieces: the value has no JSON text');
  yield* pieces(v, 0);
  yield '\n';
}

/** prettyJsonPieces joined into chunks of a few megabytes: what a file is written from. */
export function prettyJsonChunks(value: unknown): Iterable<string> {
  return chunked(prettyJsonPieces(value));
}
