import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFileSet } from '../../util/atomic-write.js';
import type { Report } from '../report.js';
import { reportJsonChunks } from './json.js';

const finding = (i: number) => ({
  fingerprint: `f${i}`,
  message: 'line one "quoted" \u2028 </script> \\ end',
  evidence: { nested: { list: [1, { a: null }], empty: {}, none: [] } },
  remediation: i % 2 ? null : { summary: 's', console: ['a', 'b'], cli: 'aws x', terraform: 't', cloudformation: 'c' },
});
const report = (n: number) => ({ schemaVersion: '1.0', accounts: [{ id: '1' }], findings: Array.from({ length: n }, (_, i) => finding(i)), waivers: null }) as unknown as Report;

describe('report.json in chunks', () => {
  it('is byte for byte JSON.stringify(report, null, 2), with zero, one or many findings, whatever key follows them', () => {
    for (const n of [0, 1, 7]) expect([...reportJsonChunks(report(n))].join('')).toBe(`${JSON.stringify(report(n), null, 2)}\n`);
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
});
