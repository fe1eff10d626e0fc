import { describe, expect, it } from 'vitest';
import { expand, MARK, scriptSafeJson, scriptSafeJsonChunks, StringTable, templatize } from './html-encode.js';

describe('templatize / expand', () => {
  const cases: [string, string[]][] = [
    ['Region eu-west-1 of account prod (111122223333) is not covered in eu-west-1.', ['111122223333', 'prod', 'eu-west-1']],
    // Overlapping values: the account id inside an ARN, the name inside the resource name.
    ['arn:aws:cloudtrail:us-east-1:111122223333:trail/prod-trail on prod', ['111122223333', 'prod', 'us-east-1', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/prod-trail', '', 'prod-trail']],
    // Values that are regular-expression syntax, digits that look like markers, and empty values.
    ['a.b*c (x) [y] $1 \\d 0 1 2 9', ['a.b*c', '(x)', '[y]', '$1', '\\d', '0', '']],
    ['<img src=x onerror=alert(1)> named </script>', ['<img src=x onerror=alert(1)>', '</script>']],
    ['no values at all', []],
    ['"quoted \\"json\\"" and \u2028 separators', ['json', '\u2028']],
  ];

  it.each(cases)('rebuilds %j exactly', (text, values) => {
    const t = templatize(text, values);
    expect(t).not.toBeNull();
    expect(expand(t!, values)).toBe(text);
  });

  it('replaces the finding\'s own names, so texts that differ only by them are stored once', () => {
    const a = templatize('Account prod (111122223333) in eu-west-1', ['111122223333', 'prod', 'eu-west-1']);
    const b = templatize('Account dev (444455556666) in us-east-2', ['444455556666', 'dev', 'us-east-2']);
    expect(a).toBe(b);
    expect(a).toBe(`Account ${MARK}1 (${MARK}0) in ${MARK}2`);
  });

  it('refuses a text that already contains the marker, so the caller stores it verbatim', () => {
    expect(templatize(`odd ${MARK}0 text`, ['odd'])).toBeNull();
  });
});

describe('scriptSafeJson', () => {
  const hostile = { name: '</script><script>alert(2)</script>', comment: '<!-- x -->', amp: 'a&b', ls: 'x\u2028y\u2029z', gt: '>' };

  it('cannot close or alter a script element, and parses back to the same value', () => {
    const text = scriptSafeJson(hostile);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(hostile);
  });

  it('as chunks gives the same text: members, large arrays in batches, what JSON leaves out or writes as null', () => {
    const big = Array.from({ length: 4501 }, (_, i) => (i % 3 ? [i, `${hostile.name}${i}`, null] : { k: hostile.ls, u: undefined }));
    const odd = [undefined, () => 1, ...big];
    const value = { '<k>': 1, big, odd, gone: undefined, fn: () => 2, when: new Date(0), nested: { a: [hostile] }, empty: [], text: hostile.amp };
    const chunks = [...scriptSafeJsonChunks(value)];
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.join('')).toBe(scriptSafeJson(value));
    for (const v of [null, 3, 'a<b', [1, hostile], new Date(0)]) expect([...scriptSafeJsonChunks(v)].join('')).toBe(scriptSafeJson(v));
  });
});

describe('StringTable', () => {
  it('stores each distinct string once and maps null to -1', () => {
    const st = new StringTable();
    expect([st.id('a'), st.id('b'), st.id('a'), st.idOrNull(null), st.idOrNull('b')]).toEqual([0, 1, 0, -1, 1]);
    expect(st.strings).toEqual(['a', 'b']);
  });
});
