// A 5 MB account name and trail name (from AWS, or planted in a snapshot) are capped where they
// enter the report model, with the cut marked: every format stays small.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';

const BASE = new URL('../rules/base-snapshot.json', import.meta.url).pathname;
const FIVE_MB = 5 * 1024 * 1024;
const MARKER = `… [cut: ${FIVE_MB} characters, 4096 kept]`;

describe('long strings in reports', () => {
  it('a 5 MB account name and trail name give small reports that mark the cut, in every format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-long-'));
    const snapshot = JSON.parse(readFileSync(BASE, 'utf8'));
    snapshot.accounts[0].name = 'A'.repeat(FIVE_MB);
    snapshot.trails[0].name = 'T'.repeat(FIVE_MB);
    const file = join(dir, 'snapshot.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const out = join(dir, 'out');
    const formats = ['json', 'html', 'md', 'csv', 'sarif', 'junit', 'asff', 'ocsf'];
    const run = await cli(['evaluate', file, '--out', out, '--now', '2026-11-21T12:00:00Z', ...formats.flatMap((f) => ['--format', f])]);
    expect(run.stderr).not.toMatch(/internal error/i);
    expect([0, 1, 3], run.stderr).toContain(run.code);

    const json = readFileSync(join(out, 'report.json'), 'utf8');
    expect(json.length).toBeLessThan(3 * 1024 * 1024);
    const report = JSON.parse(json);
    expect(report.accounts[0].name).toBe(`${'A'.repeat(4096)}${MARKER}`);
    const trailFinding = report.findings.find((f: { resource: { type: string } }) => f.resource.type === 'trail');
    expect(trailFinding.resource.name).toBe(`${'T'.repeat(4096)}${MARKER}`);
    // A message holding the capped name is itself over the cap: cut again, and marked again.
    expect(trailFinding.message).toMatch(/^Trail T{4090}.*… \[cut: \d+ characters, 4096 kept\]$/s);
    const longest = Math.max(...JSON.stringify(report).match(/"(?:[^"\\]|\\.)*"/g)!.map((s) => s.length));
    expect(longest).toBeLessThan(4096 + 64);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.length).toBeLessThan(3 * 1024 * 1024);
    expect(html).toContain(`${FIVE_MB} characters, 4096 kept`);
    expect(html).not.toContain('T'.repeat(4097));
    expect(html).not.toContain('A'.repeat(4097));
    for (const name of ['report.md', 'report.csv', 'report.sarif', 'report.junit.xml', 'report.asff.json', 'report.ocsf.json']) {
      expect(statSync(join(out, name)).size, name).toBeLessThan(3 * 1024 * 1024);
    }
  });
});
