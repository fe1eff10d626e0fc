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
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces each occurrence of `values[d]` in `text` with MARK + d (at most 10 values; the longest
 * match wins where values overlap). Returns null when the text cannot be templated losslessly
 * because it already contains MARK: the caller then stores it as it is.
 */
export function templatize(text: string, values: readonly string[]): string | null {
  if (values.length > 10) throw new Error('templatize: at most 10 values');
  if (text.includes(MARK)) return null;
  const order = values
    .map((v, d) => ({ v, d }))
    .filter(({ v }) => v.length > 0)
    .sort((a, b) => b.v.length - a.v.length);
  if (!order.length) return text;
  const byValue = new Map<string, number>();
  for (const { v, d } of order) if (!byValue.has(v)) byValue.set(v, d);
  const pattern = new RegExp([...byValue.keys()].map(escapeRegExp).join('|'), 'g');
  return text.replace(pattern, (m) => MARK + String(byValue.get(m)));
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
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
