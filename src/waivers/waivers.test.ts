// Waivers as data: which findings a waiver names, when it stops applying, what it may never hide,
// and how a malformed file is reported (file:line and what is wrong).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fingerprint, type Finding } from '../findings/finding.js';
import { applyWaivers, isExpired } from './apply.js';
import { loadWaivers, type Waiver, type WaiverSet } from './load.js';
import { globMatcher, waiverMatcher } from './match.js';
import { waiversJsonSchema } from './schema.js';

const TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
const BUCKET = 'arn:aws:s3:::org-cloudtrail-logs-222222222222';

function finding(ruleId: string, status: Finding['status'], resource: Partial<Finding['resource']> & { id: string }, accountId = '111111111111'): Finding {
  const ref = { type: 'trail' as const, arn: null, name: resource.id, ...resource };
  return {
    fingerprint: fingerprint(ruleId, ref),
    ruleId,
    title: ruleId,
    severity: 'high',
    status,
    waiver: null,
    accountId,
    accountName: accountId,
    region: 'us-east-1',
    resource: ref,
    message: '',
    frameworks: {},
    remediation: { summary: '', console: [], cli: '', terraform: '', cloudformation: '' },
    evidence: {},
  };
}

const waiver = (w: Partial<Waiver>): Waiver => ({
  rule: 'trail-insights',
  resource: TRAIL,
  reason: 'accepted for the test organization',
  owner: 'team-a',
  expires: '2026-12-31',
  line: 3,
  ...w,
});
const set = (...waivers: Waiver[]): WaiverSet => ({ file: 'waivers.yaml', waivers });
const NOW = new Date('2026-11-21T12:00:00Z');

describe('waiver matching', () => {
  it('globs: "*" spans any characters, "?" exactly one, everything else is literal', () => {
    expect(globMatcher('monitoring-*')('monitoring-root-usage')).toBe(true);
    expect(globMatcher('monitoring-*')('trail-insights')).toBe(false);
    expect(globMatcher('arn:aws:cloudtrail:*:111111111111:trail/*')(TRAIL)).toBe(true);
    expect(globMatcher('arn:aws:cloudtrail:*:222222222222:trail/*')(TRAIL)).toBe(false);
    expect(globMatcher('key-rotatio?')('key-rotation')).toBe(true);
    expect(globMatcher('key-rotatio?')('key-rotatio')).toBe(false);
    // "." and "+" in a pattern are literal, not regular-expression syntax.
    expect(globMatcher('a.b+c')('a.b+c')).toBe(true);
    expect(globMatcher('a.b+c')('axbbc')).toBe(false);
  });

  it('a glob of many "*?" pairs is matched without backtracking blow-up', { timeout: 10_000 }, () => {
    const pattern = '*?'.repeat(30) + 'x';
    expect(globMatcher(pattern)('a'.repeat(200))).toBe(false);
    expect(globMatcher(pattern)(`${'a'.repeat(199)}x`)).toBe(true);
    expect(globMatcher('a*b*c')('a-b-x-c')).toBe(true);
    expect(globMatcher('a*b*c')('a-c-b')).toBe(false);
    expect(globMatcher('*')('')).toBe(true);
    expect(globMatcher('?')('')).toBe(false);
    expect(globMatcher('line*end')('line\nend')).toBe(true);
  });

  it('a resource matches by id or by ARN, exactly or by glob', () => {
    const bucket = finding('bucket-mfa-delete', 'FAIL', { type: 'bucket', id: 'org-cloudtrail-logs-222222222222', arn: BUCKET }, '222222222222');
    expect(waiverMatcher({ rule: 'bucket-mfa-delete', resource: 'org-cloudtrail-logs-222222222222' })(bucket)).toBe(true);
    expect(waiverMatcher({ rule: 'bucket-mfa-delete', resource: BUCKET })(bucket)).toBe(true);
    expect(waiverMatcher({ rule: 'bucket-*', resource: 'arn:aws:s3:::org-cloudtrail-logs-*' })(bucket)).toBe(true);
    expect(waiverMatcher({ rule: 'bucket-versioning', resource: BUCKET })(bucket)).toBe(false);
    expect(waiverMatcher({ rule: 'bucket-mfa-delete', resource: 'arn:aws:s3:::other-*' })(bucket)).toBe(false);
  });

  it('a 12-digit account id names every resource that account owns, whatever its id', () => {
    const bucket = finding('bucket-mfa-delete', 'FAIL', { type: 'bucket', id: 'org-cloudtrail-logs-222222222222', arn: BUCKET }, '222222222222');
    const region = finding('account-region-coverage', 'FAIL', { type: 'account-region', id: '333333333333/eu-west-1' }, '333333333333');
    expect(waiverMatcher({ rule: '*', resource: '222222222222' })(bucket)).toBe(true);
    expect(waiverMatcher({ rule: '*', resource: '333333333333' })(bucket)).toBe(false);
    expect(waiverMatcher({ rule: 'account-*', resource: '333333333333' })(region)).toBe(true);
  });
});

describe('applyWaivers', () => {
  it('waives a matching FAIL and keeps it in the findings, marked with reason, owner and expiry', () => {
    const fail = finding('trail-insights', 'FAIL', { id: TRAIL, arn: TRAIL });
    const { findings, outcome } = applyWaivers([fail], set(waiver({})), NOW);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'FAIL', waiver: { reason: 'accepted for the test organization', owner: 'team-a', expires: '2026-12-31' } });
    expect(fail.waiver).toBeNull(); // the input is not mutated
    expect(outcome).toMatchObject({ file: 'waivers.yaml', total: 1, applied: 1, expired: [], unmatched: [], matchedErrors: [] });
  });

  it('applies through the whole expiry day (UTC) and not from the next midnight on', () => {
    expect(isExpired({ expires: '2026-12-31' }, new Date('2026-12-31T23:59:59.999Z'))).toBe(false);
    expect(isExpired({ expires: '2026-12-31' }, new Date('2027-01-01T00:00:00Z'))).toBe(true);
    const fail = finding('trail-insights', 'FAIL', { id: TRAIL, arn: TRAIL });
    const late = applyWaivers([fail], set(waiver({})), new Date('2027-01-01T00:00:00Z'));
    expect(late.findings[0]!.waiver).toBeNull();
    expect(late.outcome.applied).toBe(0);
    expect(late.outcome.expired).toEqual([expect.objectContaining({ rule: 'trail-insights', expires: '2026-12-31', line: 3, fail: 1 })]);
    expect(late.outcome.unmatched).toEqual([]);
  });

  it('never hides an ERROR, and says which waivers matched one', () => {
    const error = finding('trail-insights', 'ERROR', { id: TRAIL, arn: TRAIL });
    const { findings, outcome } = applyWaivers([error], set(waiver({})), NOW);
    expect(findings[0]!.waiver).toBeNull();
    expect(outcome.applied).toBe(0);
    expect(outcome.matchedErrors).toEqual([expect.objectContaining({ rule: 'trail-insights', error: 1, fail: 0 })]);
    expect(outcome.unmatched).toEqual([expect.objectContaining({ rule: 'trail-insights', error: 1, fail: 0 })]);
  });

  it('leaves PASS alone: a waiver whose FAIL was fixed is reported as unmatched', () => {
    const pass = finding('trail-insights', 'PASS', { id: TRAIL, arn: TRAIL });
    const { findings, outcome } = applyWaivers([pass], set(waiver({})), NOW);
    expect(findings[0]!.waiver).toBeNull();
    expect(outcome.unmatched).toEqual([expect.objectContaining({ rule: 'trail-insights', line: 3 })]);
  });

  it('the first unexpired waiver in file order wins; an expired one earlier in the file is skipped', () => {
    const fail = finding('trail-insights', 'FAIL', { id: TRAIL, arn: TRAIL });
    const { findings, outcome } = applyWaivers(
      [fail],
      set(waiver({ owner: 'old', expires: '2026-01-31', line: 2 }), waiver({ owner: 'first', line: 8 }), waiver({ owner: 'second', rule: 'trail-*', line: 14 })),
      NOW,
    );
    expect(findings[0]!.waiver?.owner).toBe('first');
    expect(outcome.expired.map((w) => w.owner)).toEqual(['old']);
    expect(outcome.unmatched).toEqual([]);
  });
});

describe('loadWaivers', () => {
  const RULES = ['trail-insights', 'trail-kms-key-usable', 'monitoring-root-usage', 'bucket-mfa-delete'];
  const dir = mkdtempSync(join(tmpdir(), 'tw-waivers-'));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const entry = (over: Record<string, string> = {}) =>
    Object.entries({ rule: 'trail-insights', resource: TRAIL, reason: 'accepted for the test organization', owner: 'team-a', expires: '2026-12-31', ...over })
      .map(([k, v], i) => `${i ? '    ' : '  - '}${k}: ${v}`)
      .join('\n');

  it('reads every entry with its line; the file is kept as the user named it', async () => {
    const file = write('ok.yaml', `# comment\nwaivers:\n${entry()}\n${entry({ rule: 'monitoring-*', resource: '"333333333333"' })}\n`);
    const loaded = await loadWaivers(file, 'ok.yaml', RULES);
    expect(loaded.file).toBe('ok.yaml');
    expect(loaded.waivers.map((w) => [w.rule, w.resource, w.line])).toEqual([
      ['trail-insights', TRAIL, 3],
      ['monitoring-*', '333333333333', 8],
    ]);
  });

  const cases: [string, string, RegExp][] = [
    ['a reason under 10 characters', `waivers:\n${entry({ reason: 'because' })}\n`, /:4: waivers\.0\.reason: must say why the risk is accepted \(at least 10 characters\)$/],
    ['a missing owner', `waivers:\n  - rule: trail-insights\n    resource: x\n    reason: accepted for the test organization\n    expires: 2026-12-31\n`, /:2: waivers\.0\.owner: /],
    ['a date that does not exist', `waivers:\n${entry({ expires: '2027-02-30' })}\n`, /:6: waivers\.0\.expires: is not a calendar date$/],
    ['a date in another format', `waivers:\n${entry({ expires: '31/12/2026' })}\n`, /:6: waivers\.0\.expires: must be a date written YYYY-MM-DD$/],
    ['an unknown key', `waivers:\n${entry()}\n    ticket: SEC-1\n`, /:7: waivers\.0: unknown key "ticket"$/],
    ['a rule that is not in the pack', `waivers:\n${entry({ rule: 'trail-insight' })}\n`, /:2: waivers\.0\.rule: no rule "trail-insight" in the pack/],
    ['a rule glob that matches no rule', `waivers:\n${entry({ rule: 'cloudtrail-*' })}\n`, /:2: waivers\.0\.rule: the glob "cloudtrail-\*" matches no rule of the pack/],
    ['a waiver of everything', `waivers:\n${entry({ rule: '"*"', resource: '"*"' })}\n`, /:3: waivers\.0\.resource: a waiver must name a rule or a resource/],
    ['an unquoted account id', `waivers:\n${entry({ resource: '333333333333' })}\n`, /:3: waivers\.0\.resource: an account id must be quoted/],
    ['invalid YAML', `waivers:\n  - rule: [trail-insights\n`, /:\d+: invalid YAML: /],
    ['no waivers list', `- rule: trail-insights\n`, /:1: /],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what} with file:line and what is wrong`, async () => {
      const file = write('bad.yaml', text);
      const err = await loadWaivers(file, 'bad.yaml', RULES).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.name).toBe('InputError');
      expect(err?.message.startsWith(`${file}:`)).toBe(true);
      expect(err?.message).toMatch(message);
    });
  }

  it('a file that cannot be read names the file', async () => {
    await expect(loadWaivers(join(dir, 'missing.yaml'), 'missing.yaml', RULES)).rejects.toThrow(/missing\.yaml: cannot read the waivers file \(ENOENT\)/);
  });
});

describe('examples/waivers.yaml', () => {
  const EXAMPLE = new URL('../../examples/waivers.yaml', import.meta.url).pathname;
  it('validates against the published JSON Schema and loads against the built-in pack', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/waivers.schema.json', import.meta.url), 'utf8')));
    expect(validate(parse(readFileSync(EXAMPLE, 'utf8'))), ajv.errorsText(validate.errors)).toBe(true);
    const { loadRules } = await import('../engine/load.js');
    const pack = await loadRules([new URL('../../rules/', import.meta.url).pathname]);
    const loaded = await loadWaivers(EXAMPLE, 'examples/waivers.yaml', pack.rules.map((r) => r.id));
    expect(loaded.waivers.length).toBeGreaterThan(0);
    expect(waiversJsonSchema()).toEqual(JSON.parse(readFileSync(new URL('../../schemas/waivers.schema.json', import.meta.url), 'utf8')));
  });
});
