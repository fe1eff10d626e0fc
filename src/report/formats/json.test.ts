import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFileSet } from '../../util/atomic-write.js';
import type { Report } from '../report.js';
import { FindingStore } from '../../findings/store.js';
import type { Finding } from '../../findings/finding.js';
import { reportJsonChunks, reportJsonFileChunks } from './json.js';
import { chunkTexts } from './types.js';

const finding = (i: number) => ({
  fingerprint: `f${i}`,
  message: 'line one "quoted" \u2028 </script> \\ end',
  evidence: { nested: { list: [1, { a: null }], empty: {}, none: [] } },
  remediation: i % 2 ? null : { summary: 's', console: ['a', 'b'], cli: 'aws x', terraform: 't', cloudformation: 'c' },
});
const report = (n: number) => ({ schemaVersion: '1.0', accounts: [{ id: '1' }], findings: Array.from({ length: n }, (_, i) => finding(i)), waivers: null }) as unknown as Report;

/**
 * report.json as documented: the report indented by two spaces, except that each finding is on a
 * line of its own, four spaces in, as compact JSON.
 */
function documented(r: Report): string {
  const lines = r.findings.map((f) => `    ${JSON.stringify(f)}`);
  const marker = '\u0000findings';
  const [head, tail] = JSON.stringify({ ...r, findings: marker }, null, 2).split(JSON.stringify(marker)) as [string, string];
  return `${head}${lines.length ? `[\n${lines.join(',\n')}\n  ]` : '[]'}${tail}\n`;
}

describe('report.json in chunks', () => {
  it('is the report indented, each finding on a line of its own, with zero, one or many findings, whatever key follows them', () => {
    for (const n of [0, 1, 7]) {
      const text = [...reportJsonChunks(report(n))].join('');
      expect(text).toBe(documented(report(n)));
      expect(JSON.parse(text)).toEqual(report(n));
      // A line reader gets the findings one a line.
      const lines = text.split('\n').filter((l) => l.startsWith('    {"'));
      expect(lines.map((l) => JSON.parse(l.replace(/,$/, '')))).toEqual(report(n).findings);
    }
  });

  it('is written through AtomicFileSet whole, or not at all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-json-'));
    const ok = new AtomicFileSet();
    await ok.stage(join(dir, 'report.json'), reportJsonChunks(report(3)));
    // Staged out of sight (a dot-directory), not yet in place.
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual([]);
    await ok.commit();
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual(report(3));

    const failing = new AtomicFileSet();
    function* broken(): Generator<string> {
      yield '{"partial": ';
      throw new Error('renderer failed');
    }
    await expect(failing.stage(join(dir, 'other.json'), broken())).rejects.toThrow('renderer failed');
    await failing.abort();
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('is written from a spilled store\'s bytes as they are: the same file as its text, characters cut by a chunk included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-json-'));
    let cuts = 0;
    // A 6 MB run of three-byte characters, shifted a byte at a time by the first finding: the 4 MB chunks cut one in two of three runs.
    for (const pad of [0, 1, 2]) {
      const findings = Array.from(
        { length: 5 },
        (_, i): Finding => ({
          fingerprint: `f${i}`,
          ruleId: 'r',
          title: 't',
          severity: 'low',
          status: 'PASS',
          waiver: null,
          accountId: '1',
          accountName: 'a',
          region: null,
          resource: { type: 'account', id: `1/${i}`, arn: null, name: 'n' },
          message: 'm',
          frameworks: {},
          remediation: null,
          fixedOn: null,
          evidence: { pad: 'x'.repeat(i === 0 ? pad : 0), wide: '€'.repeat(i === 2 ? 2 << 20 : 3) },
        }),
      );
      const store = new FindingStore(dir, { holdUpTo: 0 });
      for (const f of findings) store.add(f);
      store.finish();
      const spilled = { ...report(0), findings: store } as unknown as Report;
      const expected = documented({ ...report(0), findings } as unknown as Report);
      expect([...reportJsonChunks(spilled)].join('')).toBe(expected);
      // Bytes among the chunks: decoded as one stream, and staged as they are.
      let bytes = 0;
      const chunks = reportJsonFileChunks(spilled);
      const counted = (function* () {
        for (const c of chunks) {
          if (typeof c !== 'string') {
            bytes++;
            // A chunk ending inside a character: its last byte is a lead or continuation byte of one.
            if (c[c.length - 1]! >= 0x80 && (c[c.length - 1]! >= 0xc0 || c[c.length - 2]! >= 0xc0)) cuts++;
          }
          yield c;
        }
      })();
      expect([...chunkTexts(counted)].join('')).toBe(expected);
      expect(bytes).toBeGreaterThan(1);
      const set = new AtomicFileSet();
      await set.stage(join(dir, 'report.json'), reportJsonFileChunks(spilled));
      await set.commit();
      expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(expected);
      store.dispose();
    }
    expect(cuts).toBeGreaterThan(0);
  });
});
