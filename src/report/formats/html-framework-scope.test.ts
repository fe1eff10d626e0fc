// --framework scores one framework: the report made with it carries no other framework's score,
// and every score on the page names the framework (or "all rules") it is computed over.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare } from '../../core/pipeline.js';
import { Snapshot } from '../../inventory/schema.js';
import { frameworkTree, pageData } from './html-view.js';
import { renderHtml } from './html.js';

const base = Snapshot.parse(JSON.parse(readFileSync(new URL('../../../test/rules/base-snapshot.json', import.meta.url), 'utf8')));
const now = new Date('2026-11-21T12:00:00Z');

async function outcome(framework?: string) {
  const prepared = await prepare({ framework }, process.cwd());
  return evaluateSnapshot(base, prepared, framework, now);
}

const scoresTable = (html: string) => /<table class="framework-scores">([\s\S]*?)<\/table>/.exec(html)![1]!;
const headline = (html: string) => /<div class="score-label">([\s\S]*?)<\/div>/.exec(html)![1]!;

describe('scores under --framework', () => {
  it('a --framework report scores that framework only, and its headline names it', async () => {
    const one = await outcome('cis-aws-v3.0.0');
    // The findings still carry their rules' other mappings: the view must not score those.
    expect(one.report.findings.some((f) => f.frameworks['nist-800-53-r5'])).toBe(true);
    expect(frameworkTree(one).map((f) => f.id)).toEqual(['cis-aws-v3.0.0']);
    expect(pageData(one).frameworks).toEqual(['cis-aws-v3.0.0']);
    const html = renderHtml(one);
    expect(headline(html)).toContain('CIS AWS Foundations v3.0.0 (cis-aws-v3.0.0)');
    for (const other of ['nist-800-53-r5', 'pci-dss-v4.0', 'aws-fsbp', 'cis-aws-v1.4.0', 'cis-aws-v5.0.0']) {
      expect(scoresTable(html)).not.toContain(other);
      expect(html).not.toContain(`data-framework="${other}"`);
    }
  });

  it('a report of every rule says its headline is over all rules, and names each framework score', async () => {
    const all = await outcome();
    const html = renderHtml(all);
    expect(headline(html)).toContain('All rules (no single framework)');
    const ids = frameworkTree(all).map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['aws-fsbp', 'cis-aws-v3.0.0', 'nist-800-53-r5', 'pci-dss-v4.0']));
    for (const id of ids) expect(scoresTable(html)).toContain(`(${id})`);
  });
});
