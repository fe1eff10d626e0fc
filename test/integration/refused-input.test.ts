// Input that is wrong, or hostile, is refused before anything is written: exit 2, one line
// naming the file (and the line, where there is one) and what is wrong with it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';

const BASE = new URL('../rules/base-snapshot.json', import.meta.url).pathname;
const work = () => mkdtempSync(join(tmpdir(), 'tw-refused-'));

/** Nine levels of nine: a billion "lol"s once every alias is expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((name, i) => {
    const prev = 'abcdefghi'[i]!;
    return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
  '',
].join('\n');

describe('YAML alias bombs', () => {
  it('a billion-laughs config: exit 2 naming the file and the line of the first alias', async () => {
    const dir = work();
    const config = join(dir, 'trailwarden.config.yaml');
    writeFileSync(config, BILLION_LAUGHS);
    const run = await cli(['evaluate', BASE, '--config', config, '--out', join(dir, 'out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^trailwarden: ${config}:2: YAML alias "\\*a" is not accepted`));
  }, 20_000);

  it('waivers and rules files refuse aliases the same way', async () => {
    const dir = work();
    const waivers = join(dir, 'waivers.yaml');
    writeFileSync(waivers, `owner: &o team@example.com\nwaivers:\n  - rule: trail-insights\n    resource: '*'\n    reason: r\n    owner: *o\n    expires: 2030-01-01\n`);
    const w = await cli(['evaluate', BASE, '--waivers', waivers, '--out', join(dir, 'out')]);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain(`${waivers}:6: YAML alias "*o" is not accepted`);
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    writeFileSync(join(rules, 'my-rule.yaml'), `id: &id my-rule\ntitle: *id\n`);
    const r = await cli(['rules', 'list', '--rules', rules]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(rules, 'my-rule.yaml')}:2: YAML alias "*id" is not accepted`);
  });
});

describe('a config naming an unknown rule', () => {
  it('a switch for a rule id no pack has: exit 2 with file:line', async () => {
    const dir = work();
    const config = join(dir, 'trailwarden.config.yaml');
    writeFileSync(config, 'rules:\n  trail-insights: { enabled: false }\n  no-such-rule: { enabled: false }\n');
    const run = await cli(['evaluate', BASE, '--config', config, '--out', join(dir, 'out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^trailwarden: ${config}:3: rules\\.no-such-rule: no rule has this id \\(built-in pack`));
  });

  it('the id of a rule given with --rules is known', async () => {
    const dir = work();
    const config = join(dir, 'trailwarden.config.yaml');
    writeFileSync(config, 'rules:\n  trail-delivers-to-log-archive: { enabled: false }\n');
    // The configuration passes: the run goes on to the snapshot, which is missing.
    const missing = join(dir, 'missing-snapshot.json');
    const run = await cli(['evaluate', missing, '--config', config, '--rules', 'examples/rules', '--out', join(dir, 'out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^trailwarden: ${missing}: `));
    const without = await cli(['evaluate', BASE, '--config', config, '--out', join(dir, 'out')]);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain(`${config}:2: rules.trail-delivers-to-log-archive: no rule has this id`);
  });
});

describe('a report where a snapshot is expected, and the reverse', () => {
  it('evaluate, merge, --baseline and diff each say in one line which kind of file they were given', async () => {
    const dir = work();
    const out = join(dir, 'demo');
    expect((await cli(['demo', '--out', out, '--format', 'json', '--quiet'])).code).toBe(0);
    const report = join(out, 'report.json');
    const snapshot = new URL('../../demo/snapshot.json', import.meta.url).pathname;
    const asSnapshot = `trailwarden: ${report}: this is a trailwarden report.json, not a snapshot: give the snapshot.json written beside it\n`;
    for (const args of [['evaluate', report, '--out', join(dir, 'out')], ['merge', report, '--out', join(dir, 'merged.json')]]) {
      const run = await cli(args);
      expect(run.code, args[0]).toBe(2);
      expect(run.stderr, args[0]).toBe(asSnapshot);
    }
    const asReport = `trailwarden: ${snapshot}:1: not a trailwarden report.json: this is a snapshot; give the report.json written beside it\n`;
    const baseline = await cli(['demo', '--out', join(dir, 'out'), '--baseline', snapshot, '--quiet']);
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toBe(asReport);
    const diff = await cli(['diff', report, snapshot]);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toBe(asReport);
  });
});

describe('--baseline from another organization or rules pack', () => {
  const NOW = '2026-11-21T12:00:00Z';
  async function reportOf(dir: string, snapshot: string, ...args: string[]): Promise<string> {
    const out = join(dir, `report-${Math.random().toString(36).slice(2)}`);
    const run = await cli(['evaluate', snapshot, '--out', out, '--now', NOW, '--format', 'json', '--fail-on', 'none', '--allow-incomplete', ...args]);
    expect(run.code, run.stderr).toBe(0);
    return join(out, 'report.json');
  }

  it('a baseline of another organization: exit 2 naming both, unless --baseline-any', async () => {
    const dir = work();
    const baseline = await reportOf(dir, BASE);
    const other = JSON.parse(readFileSync(BASE, 'utf8'));
    const ownOrg = other.organization.id;
    other.organization.id = 'o-zzzzzzzzzz';
    const otherSnapshot = join(dir, 'other-org.json');
    writeFileSync(otherSnapshot, JSON.stringify(other, null, 2));
    const run = await cli(['evaluate', otherSnapshot, '--out', join(dir, 'out'), '--now', NOW, '--baseline', baseline]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`trailwarden: --baseline: ${baseline} is a report of organization ${ownOrg}, this run is of organization o-zzzzzzzzzz; --baseline-any accepts it\n`);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const accepted = await cli(['evaluate', otherSnapshot, '--out', join(dir, 'out'), '--now', NOW, '--baseline', baseline, '--baseline-any']);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toContain(`already in the baseline ${baseline}`);
  });

  it('a baseline judged by another rules pack: exit 2 before anything is written, unless --baseline-any', async () => {
    const dir = work();
    const baseline = await reportOf(dir, BASE, '--rules', 'examples/rules', '--config', 'examples/trailwarden.config.yaml');
    const run = await cli(['evaluate', BASE, '--out', join(dir, 'out'), '--now', NOW, '--baseline', baseline]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^trailwarden: --baseline: ${baseline} was judged by another rules pack \\(sha256 [0-9a-f]{12}…, this run [0-9a-f]{12}…\\): its findings are not this run's; --baseline-any accepts it\\n$`));
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const demo = await cli(['demo', '--out', join(dir, 'demo'), '--baseline', baseline, '--quiet']);
    expect(demo.code).toBe(2);
    expect((await cli(['evaluate', BASE, '--out', join(dir, 'out'), '--now', NOW, '--baseline', baseline, '--baseline-any'])).code).toBe(0);
  });
});
