import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from './finding.js';
import { capStrings, MAX_REPORT_TEXT } from '../util/cap-text.js';
import { capFinding, countStatuses, FindingList, FindingStore, findingList, findingTexts, notableOf, reportJsonText } from './store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'trailwarden-store-test-'));
  dirs.push(d);
  return d;
};

const STATUSES = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE'] as const;

function finding(ruleId: string, i: number, extra: Partial<Finding> = {}): Finding {
  const status = STATUSES[i % 4]!;
  return {
    fingerprint: `${ruleId}-${i}`,
    ruleId,
    title: `title of ${ruleId}`,
    severity: i % 3 ? 'high' : 'low',
    status,
    waiver: status === 'FAIL' && i % 8 === 1 ? { reason: 'accepted', owner: 'team', expires: '2030-01-01' } : null,
    accountId: String(100000000000 + (i % 7)),
    accountName: `account ${i % 7} «ünïcode» \u2028`,
    region: i % 2 ? 'eu-west-1' : null,
    resource: { type: 'trail', id: `arn:aws:cloudtrail:eu-west-1:1:trail/t${String(i).padStart(5, '0')}`, arn: null, name: `t${i}` },
    message: `message ${i} ${'x'.repeat(i % 50)} "quoted" \n newline`,
    frameworks: { 'cis-aws-v3.0.0': ['3.1'] },
    remediation: status === 'FAIL' ? { summary: 's', console: ['c'], cli: 'aws x', terraform: 't', cloudformation: 'cf' } : null,
    fixedOn: null,
    evidence: { i, nested: { list: [1, 'two', null] } },
    ...extra,
  };
}

/** Findings of three rules, in report order. */
const sample = (n: number) => ['a-rule', 'b-rule', 'c-rule'].flatMap((r) => Array.from({ length: n }, (_, i) => finding(r, i)));

describe('FindingStore', () => {
  it('reads back every finding it spilled, equal and in order, as often as asked, across read-buffer boundaries', () => {
    const all = sample(4000); // ~5 MB of lines: more than one 4 MB read
    const store = new FindingStore(scratch(), { holdUpTo: 0 });
    for (const f of all) store.add(f);
    store.finish();
    expect(store.length).toBe(all.length);
    expect([...store]).toEqual(all);
    expect([...store]).toEqual(all);
    expect([...store.ofRule('b-rule')]).toEqual(all.filter((f) => f.ruleId === 'b-rule'));
    expect([...store.ofRule('no-such-rule')]).toEqual([]);
    expect(store.notable).toEqual(all.filter((f) => f.status !== 'PASS').map(notableOf));
    store.dispose();
  });

  it('reads a notable finding\'s remediation back from its record, held or spilled, and shares what many name', () => {
    const on = (i: number) => ({ kind: 'log-group' as const, target: `arn:aws:logs:eu-west-1:1:log-group:g${i % 3}:*`, accountId: '1' });
    const all = ['a-rule', 'b-rule'].flatMap((r) =>
      Array.from({ length: 400 }, (_, i) => {
        // Fingerprints as findings have them (32 hex digits, kept packed) and others (kept as they are).
        const f = finding(r, i, { fixedOn: STATUSES[i % 4] === 'FAIL' ? on(i) : null, ...(i % 3 ? { fingerprint: `${r === 'a-rule' ? 'a' : 'b'}${i.toString(16).padStart(31, '0')}` } : {}) });
        return f.remediation ? { ...f, remediation: { ...f.remediation, summary: `fix ${r} ${i} «ünïcode»` } } : f;
      }),
    );
    for (const holdUpTo of [0, 100_000]) {
      const store = new FindingStore(scratch(), { holdUpTo });
      for (const f of all) store.add(f);
      expect(() => store.notable[0]!.remediation).toThrow(/before finish/);
      store.finish();
      const expected = all.filter((f) => f.status !== 'PASS').map(notableOf);
      // Every property, the remediation among them, in the same order: as a copy and as JSON.
      expect(store.notable.map((n) => ({ ...n }))).toEqual(expected);
      expect(JSON.stringify(store.notable)).toBe(JSON.stringify(expected));
      expect(store.notable.filter((n) => n.remediation).map((n) => n.remediation!.summary)).toEqual(all.filter((f) => f.remediation).map((f) => f.remediation!.summary));
      // One fixedOn object per distinct target, not one per finding.
      expect(new Set(store.notable.flatMap((n) => (n.fixedOn ? [n.fixedOn] : []))).size).toBe(3);
      store.dispose();
      expect(() => store.notable[0]!.remediation).toThrow(/after dispose/);
    }
  });

  it('gives the heads (status, severity, waiver, rule, account) of every finding without reading the file', () => {
    const all = sample(300);
    const store = new FindingStore(scratch(), { holdUpTo: 0 });
    for (const f of all) store.add(f);
    store.finish();
    const pick = (f: Finding) => ({ ruleId: f.ruleId, title: f.title, severity: f.severity, status: f.status, waiver: f.waiver, accountId: f.accountId, accountName: f.accountName, resource: { type: f.resource.type }, frameworks: f.frameworks });
    expect([...store.heads()]).toEqual(all.map(pick));
    expect(countStatuses(store)).toEqual(countStatuses(findingList(all)));
    store.dispose();
  });

  it('removes its directory on dispose, and refuses to be read before finish or after dispose', () => {
    const parent = scratch();
    const store = new FindingStore(parent, { holdUpTo: 0 });
    store.add(finding('a-rule', 0));
    expect(readdirSync(parent).filter((n) => n.startsWith('.trailwarden-findings-'))).toHaveLength(1);
    expect(() => [...store]).toThrow(/before finish/);
    store.finish();
    expect(() => store.add(finding('a-rule', 1))).toThrow(/after finish/);
    store.dispose();
    expect(readdirSync(parent)).toEqual([]);
    expect(() => [...store]).toThrow(/after dispose/);
  });

  it('holds up to holdUpTo findings in memory, then moves them all to the file: the same findings either way', () => {
    const all = sample(100);
    const parent = scratch();
    const held = new FindingStore(parent, { holdUpTo: all.length });
    for (const f of all) held.add(f);
    held.finish();
    expect(held.spilled).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
    const spilled = new FindingStore(parent, { holdUpTo: 150 });
    for (const f of all) spilled.add(f);
    spilled.finish();
    expect(spilled.spilled).toBe(true);
    for (const store of [held, spilled]) {
      expect([...store]).toEqual(all);
      expect([...store.ofRule('a-rule')]).toEqual(all.filter((f) => f.ruleId === 'a-rule'));
      expect([...store.ofRule('c-rule')]).toEqual(all.filter((f) => f.ruleId === 'c-rule'));
      expect(store.notable).toEqual(all.filter((f) => f.status !== 'PASS').map(notableOf));
      store.dispose();
    }
    expect(readdirSync(parent)).toEqual([]);
  });

  it('gives report.json\'s findings array as its text, held or spilled, a finding larger than a read included', () => {
    // One finding of ~6 MB: larger than the 4 MB read buffer, in the middle of the file.
    const all = sample(500);
    all.splice(700, 0, finding('b-rule', 9999, { evidence: { big: 'é'.repeat(3 << 20) } }));
    // report.json's findings: each on a line of its own, four spaces in, as compact JSON.
    const expected = `{\n  "findings": [\n${all.map((f) => `    ${JSON.stringify(f)}`).join(',\n')}\n  ]\n}`;
    for (const holdUpTo of [0, all.length]) {
      const store = new FindingStore(scratch(), { holdUpTo });
      for (const f of all) store.add(f);
      store.finish();
      expect(store.spilled).toBe(holdUpTo === 0);
      expect(`{\n  "findings": [\n${[...store.reportJsonBody()].join('')}\n  ]\n}`).toBe(expected);
      if (store.spilled) {
        // The same text as bytes, each chunk copied before the next is asked for (its buffer is reused).
        const parts: Buffer[] = [];
        for (const b of store.reportJsonBodyBytes()!) parts.push(Buffer.from(b));
        expect(parts.length).toBeGreaterThan(1);
        expect(`{\n  "findings": [\n${Buffer.concat(parts).toString('utf8')}\n  ]\n}`).toBe(expected);
      } else expect(store.reportJsonBodyBytes()).toBeNull();
      expect([...store]).toEqual(all);
      expect([...store.ofRule('b-rule')]).toEqual(all.filter((f) => f.ruleId === 'b-rule'));
      store.dispose();
    }
  });

  it('reportJsonText is a finding as compact JSON four spaces in, the same whether the evidence\'s text is given or made', () => {
    const all = [finding('a-rule', 1), finding('a-rule', 2, { evidence: {}, message: '' }), finding('a-rule', 3, { evidence: { deep: [[[{}]], []], q: '"\u2028</script>' } })];
    // The evidence not last (a caller's own finding), and a finding of nothing but its evidence.
    const { evidence, ...rest } = finding('a-rule', 4);
    const reordered = { evidence, ...rest } as Finding;
    const only = { evidence: { a: 1 } } as unknown as Finding;
    for (const f of [...all, reordered, only]) {
      const text = `    ${JSON.stringify(f)}`;
      expect(reportJsonText(f)).toBe(text);
      expect(reportJsonText(f, findingTexts(f))).toBe(text);
      expect(text).not.toContain('\n');
    }
    expect(findingTexts(reordered)).toBeNull();
  });

  it('capFinding caps as capStrings does, walking only the part over the cap, and gives back the finding when nothing is', () => {
    const long = 'x'.repeat(MAX_REPORT_TEXT + 1);
    const cases = [
      finding('a-rule', 1),
      finding('a-rule', 2, { message: long }),
      finding('a-rule', 3, { evidence: { deep: [{ v: long }] } }),
      finding('a-rule', 4, { message: long, evidence: { [long]: 1 } }),
      // Over the cap as a whole, with no string over it.
      finding('a-rule', 5, { evidence: { many: Array.from({ length: 1000 }, (_, i) => `s${i}`) } }),
    ];
    for (const f of cases) {
      const capped = capFinding(f, findingTexts(f), new WeakMap());
      expect(capped).toEqual(capStrings(f));
      expect(JSON.stringify(capped)).toBe(JSON.stringify(capStrings(f)));
      if (JSON.stringify(f) === JSON.stringify(capStrings(f))) expect(capped).toBe(f);
    }
    const { evidence, ...rest } = finding('a-rule', 6, { message: long });
    const reordered = { evidence, ...rest } as Finding;
    expect(capFinding(reordered, findingTexts(reordered), new WeakMap())).toEqual(capStrings(reordered));
  });

  it('refuses findings of one rule that are not together: report order is by rule', () => {
    const store = new FindingStore(scratch(), { holdUpTo: 0 });
    store.add(finding('a-rule', 0));
    store.add(finding('b-rule', 0));
    expect(() => store.add(finding('a-rule', 1))).toThrow(/not together/);
    store.dispose();
  });
});

describe('FindingList', () => {
  it('is an array whose map and filter give plain arrays, and a FindingSource', () => {
    const all = sample(8);
    const list = findingList(all);
    expect(list).toBeInstanceOf(FindingList);
    expect(Array.isArray(list)).toBe(true);
    expect(list.filter((f) => f.status === 'FAIL')).not.toBeInstanceOf(FindingList);
    expect([...list.ofRule('c-rule')]).toEqual(all.filter((f) => f.ruleId === 'c-rule'));
    expect(list.notable).toEqual(all.filter((f) => f.status !== 'PASS'));
    expect([...list.heads()]).toEqual(all);
  });
});
