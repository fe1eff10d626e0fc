import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../engine/evaluate.js';
import { loadRules } from '../../engine/load.js';
import { Snapshot } from '../../inventory/schema.js';
import { buildReport } from '../report.js';
import { renderHtml } from './html.js';

const base = Snapshot.parse(JSON.parse(readFileSync(new URL('../../../test/rules/base-snapshot.json', import.meta.url), 'utf8')));
const now = new Date('2026-11-21T12:00:00Z');

async function render(snapshot: Snapshot, withRules: boolean): Promise<string> {
  const pack = await loadRules([new URL('../../../rules/', import.meta.url).pathname]);
  const rules = withRules ? pack.rules : [];
  const findings = evaluate(snapshot, rules, { now });
  const report = buildReport({ snapshot, findings, toolVersion: 'test', generatedAt: now, rulesPack: { sha256: pack.sha256, rules: rules.length } });
  return renderHtml({ report, snapshot, rules });
}

const sha = (text: string) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

describe('renderHtml', () => {
  it('pins exactly the inline style and script it emits, and nothing else, in its CSP', async () => {
    const html = await render(base, true);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const scripts = [...html.matchAll(/<script((?: [^>]*)?)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1])).toEqual([' type="application/json" id="report-data"', '']);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
    expect(csp).toBe(`default-src 'none'; script-src '${sha(scripts[1]![2]!)}'; style-src '${sha(style)}'; base-uri 'none'; form-action 'none'`);
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  it('gives the same bytes for the same input (trailwarden verify renders it again to compare)', async () => {
    expect(await render(base, true)).toBe(await render(base, true));
  });

  it('renders a scan of the caller\'s account alone with no rules: no score, no frameworks, no error', async () => {
    const alone: Snapshot = {
      ...base,
      organization: { ...base.organization, available: false, reason: 'AWSOrganizationsNotInUseException', id: null, arn: null, managementAccountId: null, roots: [], organizationalUnits: [], serviceControlPolicies: null },
      accounts: [{ ...base.accounts[0]!, organizationStatus: null, ouPath: [] }],
    };
    const html = await render(alone, false);
    expect(html).toContain('data-score="—"');
    expect(html).toContain("none: the caller's account alone");
    expect(html).toContain('No rule maps to a framework.');
  });
});
