// Pieces of text gathered into chunks of a few megabytes, for files written a chunk at a time.

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
