// Compact, lossless encoding of the HTML report's data, and the one safe way to embed it.
//
// At 1,000 accounts a report holds tens of thousands of findings whose long texts (messages,
// rendered remediation, evidence) differ only by the account, region and resource they name.
// Each such text is stored once: the finding's own names are replaced by markers, the result is
// interned in a string table, and the page puts the names back. Nothing is lost: the texts are
// rebuilt byte for byte (html-encode.test.ts proves it on hostile input).

/** Marks "value number d of this finding" as MARK + d: a private-use character that no report text needs (one that has it is stored verbatim). */
export const MARK = '\uE000';

/** Interns strings: each distinct string is stored once and referred to by its index. */
export class StringTable {
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  /** -1 stands for null. */
  idOrNull(s: string | null | undefined): number {
    return s === null || s === undefined ? -1 : this.id(s);
  }

  private readonly recent: { text: string; id: number }[] = [];

  /**
   * id(s), for texts that mostly repeat the one before them in the same `slot` (a rule's findings
   * templated alike, one after another): compared with that one first, which is cheaper than
   * hashing a text of kilobytes to look it up.
   */
  idAfter(slot: number, s: string): number {
    const last = this.recent[slot];
    if (last && last.text === s) return last.id;
    const id = this.id(s);
    this.recent[slot] = { text: this.strings[id]!, id };
    return id;
  }
}

/**
 * Replaces each occurrence of `values[d]` in `text` with MARK + d (at most 10 values). Where values
 * overlap, the leftmost match wins, and the longest of those starting there. Returns null when
 * the text cannot be templated losslessly because it already contains MARK: the caller then
 * stores it as it is. (indexOf per value rather than one alternation regex: several times faster
 * on the long remediation texts of tens of thousands of findings.)
 */
export function templatize(text: string, values: readonly string[]): string | null {
  if (values.length > 10) throw new Error('templatize: at most 10 values');
  if (text.includes(MARK)) return null;
  const matches: [start: number, end: number, d: number][] = [];
  for (let d = 0; d < values.length; d++) {
    const v = values[d]!;
    // A value equal to one before it would match where that one does, and lose to it: not searched again.
    if (!v || values.indexOf(v) < d) continue;
    for (let at = text.indexOf(v); at >= 0; at = text.indexOf(v, at + 1)) matches.push([at, at + v.length, d]);
  }
  if (!matches.length) return text;
  matches.sort((a, b) => a[0] - b[0] || b[1] - a[1] || a[2] - b[2]);
  let out = '';
  let pos = 0;
  for (const [start, end, d] of matches) {
    if (start < pos) continue;
    out += text.slice(pos, start) + MARK + String(d);
    pos = end;
  }
  return out + text.slice(pos);
}

/** The inverse of templatize (the page runs the same few lines in report.js). */
export function expand(text: string, values: readonly string[]): string {
  return text.replace(/\uE000(\d)/g, (_, d: string) => values[Number(d)]!);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` as \u escapes so that
 * `</script>` or `<!--` in the data cannot end or alter the element, and U+2028/U+2029 escaped so
 * the text stays valid in every JavaScript context. JSON.parse reads it back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return scriptSafe(JSON.stringify(value));
}

const scriptSafe = (json: string) => json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Items of a large array per chunk. */
const BATCH = 2000;

/**
 * An array member of the page's data whose items are produced only as it is written (the findings'
 * rows, read back from the spilled findings), and whose text is that of the array of those items.
 * A member after it sees what producing them did (the string table they added to).
 */
export class LazyItems {
  constructor(readonly items: () => Iterable<unknown>) {}
  toJSON(): unknown[] {
    return [...this.items()];
  }
}

/**
 * scriptSafeJson(value) as chunks, the same text once joined: a top-level object's members, and
 * the items of its arrays in batches, each stringified and escaped on its own (the escapes act
 * on single characters, so escaping the pieces is escaping the whole). At 10,000 accounts the
 * page's data is ~55 M characters, two bytes each; made whole it exists twice (the JSON and its
 * escaped copy) and a third time inside the page.
 */
export function* scriptSafeJsonChunks(value: unknown): Generator<string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    yield scriptSafeJson(value);
    return;
  }
  yield '{';
  let first = true;
  for (const [key, member] of Object.entries(value)) {
    // JSON.stringify leaves out a member it cannot represent.
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    yield `${first ? '' : ','}${scriptSafe(JSON.stringify(key))}:`;
    first = false;
    if (member instanceof LazyItems) {
      yield '[';
      let batch: string[] = [];
      let started = false;
      const flush = () => {
        const text = `${started ? ',' : ''}${scriptSafe(batch.join(','))}`;
        started = true;
        batch = [];
        return text;
      };
      for (const item of member.items()) {
        batch.push(JSON.stringify(item) ?? 'null');
        if (batch.length === BATCH) yield flush();
      }
      if (batch.length) yield flush();
      yield ']';
    } else if (Array.isArray(member) && member.length > BATCH) {
      yield '[';
      for (let i = 0; i < member.length; i += BATCH) {
        // An item JSON cannot represent is null in an array, as JSON.stringify writes it.
        const items = Array.from(member.slice(i, i + BATCH), (item: unknown) => JSON.stringify(item) ?? 'null');
        yield `${i ? ',' : ''}${scriptSafe(items.join(','))}`;
      }
      yield ']';
    } else yield scriptSafeJson(member);
  }
  yield '}';
}
