// Strings from AWS or from a snapshot are capped where they enter the report model: a 5 MB account
// name, repeated in every finding, message and remediation, made a 632 MB report. The cut is marked,
// so a reader knows the text goes on and how long it was.

/** Characters kept of one string: far above any real name, ARN or message (the pack's longest rendering is under 2,000). */
export const MAX_REPORT_TEXT = 4096;

const CUT = /… \[cut: \d+ characters, (\d+) kept\]$/;

/** Idempotent: a text already cut (the report, capped again as it is rendered) stays as it is. */
export function capText(text: string, max: number = MAX_REPORT_TEXT): string {
  if (text.length <= max) return text;
  const cut = CUT.exec(text.slice(-64));
  if (cut && Number(cut[1]) <= max && text.length - cut[0].length === Number(cut[1])) return text;
  // Never split a surrogate pair: the kept part stays valid UTF-16.
  const kept = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, kept)}… [cut: ${text.length} characters, ${kept} kept]`;
}

/**
 * Every string in a JSON-like value capped (object keys too). What holds no long string comes back
 * as the same object, so capping a large snapshot costs a walk and allocates only along the cuts;
 * `seen` lets callers share that work across values that share objects.
 */
export function capStrings<T>(value: T, max: number = MAX_REPORT_TEXT, seen: WeakMap<object, unknown> = new WeakMap()): T {
  if (typeof value === 'string') return capText(value, max) as T;
  if (value === null || typeof value !== 'object') return value;
  const known = seen.get(value);
  if (known !== undefined) return known as T;
  seen.set(value, value); // a cycle (none in JSON) ends here instead of recursing forever
  let out: unknown = value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const capped = capStrings(item, max, seen);
      if (capped !== item) {
        if (out === value) out = value.slice();
        (out as unknown[])[i] = capped;
      }
    }
  } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      const capped = capStrings(item, max, seen);
      const cappedKey = capText(key, max);
      if (capped !== item || cappedKey !== key) {
        if (out === value) out = { ...value };
        if (cappedKey !== key) delete (out as Record<string, unknown>)[key];
        (out as Record<string, unknown>)[cappedKey] = capped;
      }
    }
  }
  seen.set(value, out);
  return out as T;
}
