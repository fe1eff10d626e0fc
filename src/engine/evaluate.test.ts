// Engine behaviour that no single rule fixture shows: options that change how every rule is judged.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseSnapshot, EVALUATION_NOW, loadFixture } from '../../test/harness/fixture.js';
import { evaluate } from './evaluate.js';
import { loadRules, type RulesPack } from './load.js';

const RULES = fileURLToPath(new URL('../../rules/', import.meta.url));
const V3_FILTER = fileURLToPath(new URL('../../test/rules/monitoring-security-group-changes/fail/v3-pattern-judged-as-v5.json', import.meta.url));
let pack: RulesPack;
beforeAll(async () => {
  pack = await loadRules([RULES]);
});

const statuses = (framework?: string) =>
  evaluate(loadFixture(V3_FILTER).snapshot, pack.rules.filter((r) => r.id === 'monitoring-security-group-changes'), { now: EVALUATION_NOW, framework }).map((f) => f.status);

describe('evaluate', () => {
  it('--framework cis-aws-vX judges monitoring filters by that version\'s pattern; other frameworks by the configured one', () => {
    expect(new Set(statuses('cis-aws-v3.0.0'))).toEqual(new Set(['PASS']));
    expect(new Set(statuses('cis-aws-v5.0.0'))).toEqual(new Set(['FAIL']));
    expect(new Set(statuses())).toEqual(new Set(['FAIL']));
  });

  it('a FAIL says exactly what is wrong through the rule\'s details: the accounts left out, the public statements', () => {
    const fixture = (rule: string, file: string) =>
      evaluate(loadFixture(fileURLToPath(new URL(`../../test/rules/${rule}/fail/${file}`, import.meta.url))).snapshot, pack.rules.filter((r) => r.id === rule), { now: EVALUATION_NOW });
    const [scp] = fixture('organization-scp-protects-trails', 'scp-on-one-ou-only.json');
    expect(scp).toMatchObject({ status: 'FAIL', evidence: { details: [expect.stringMatching(/^333333333333 \(.+\): StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors not denied$/)] } });
    expect(scp!.message).toContain('Unprotected: 333333333333');
    const bucket = fixture('bucket-not-public', 'aws-star-principal.json').find((f) => f.status === 'FAIL')!;
    expect((bucket.evidence.details as string[]).length).toBeGreaterThan(0);
    expect(bucket.message).toContain((bucket.evidence.details as string[])[0]);
  });

  it('an ERROR is fixed by granting what could not be read: the failed operation\'s IAM action, or the member role\'s trust', () => {
    const errorFixture = (rule: string, file: string) =>
      evaluate(loadFixture(fileURLToPath(new URL(`../../test/rules/${rule}/error/${file}`, import.meta.url))).snapshot, pack.rules.filter((r) => r.id === rule), {
        now: EVALUATION_NOW,
        iamActionFor: (service, operation) => (service === 's3' && operation === 'GetBucketVersioning' ? 's3:GetBucketVersioning' : undefined),
      });
    const versioning = errorFixture('bucket-versioning', 'versioning-access-denied.json').find((f) => f.status === 'ERROR')!;
    expect(versioning.fixedOn).toMatchObject({ kind: 'permission', target: 's3:GetBucketVersioning' });
    expect(versioning.remediation!.summary).toMatch(/^Grant s3:GetBucketVersioning to the role trailwarden uses/);
    const assume = errorFixture('account-multi-region-trail', 'account-assume-role-failed.json').find((f) => f.status === 'ERROR')!;
    expect(assume.fixedOn?.kind).toBe('access');
    expect(assume.fixedOn?.target).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(assume.remediation!.summary).toMatch(/^Let trailwarden assume arn:aws:iam::/);
    expect(assume.remediation!.summary).not.toContain('multi-region');
  });

  it('is pure: evaluating twice gives identical findings and leaves the snapshot untouched', () => {
    const snapshot = baseSnapshot();
    const before = JSON.stringify(snapshot);
    const a = evaluate(snapshot, pack.rules, { now: EVALUATION_NOW });
    const b = evaluate(snapshot, pack.rules, { now: EVALUATION_NOW });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(snapshot)).toBe(before);
  });
});
