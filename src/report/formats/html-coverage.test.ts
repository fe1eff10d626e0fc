import { describe, expect, it } from 'vitest';
import { COVERAGE_RULE, CoverageVerdicts } from './html-coverage.js';

const finding = (id: string, status: string, message = `message of ${id}`, ruleId = COVERAGE_RULE) => ({ ruleId, status, message, resource: { id } });

describe('CoverageVerdicts', () => {
  it('finds each coverage finding by its resource id, whatever the id, and keeps a message only where the cell shows one', () => {
    const v = new CoverageVerdicts();
    expect(v.evaluated).toBe(false);
    v.add(finding('x', 'PASS', 'ignored', 'another-rule'));
    expect(v.evaluated).toBe(false);
    v.add(finding('111111111111/us-east-1', 'PASS'));
    v.add(finding('111111111111/eu-west-1', 'FAIL'));
    v.add(finding('222222222222/*', 'ERROR', 'AccessDenied: the role could not be assumed'));
    v.add(finding('no-slash', 'NOT_APPLICABLE'));
    v.add(finding('/leading', 'ERROR'));
    v.add(finding('a/b/c', 'FAIL'));
    expect(v.evaluated).toBe(true);
    expect(v.get('111111111111/us-east-1')).toEqual({ status: 'PASS', message: '' });
    expect(v.get('111111111111/eu-west-1')).toEqual({ status: 'FAIL', message: '' });
    expect(v.get('222222222222/*')).toEqual({ status: 'ERROR', message: 'AccessDenied: the role could not be assumed' });
    expect(v.get('no-slash')).toEqual({ status: 'NOT_APPLICABLE', message: 'message of no-slash' });
    expect(v.get('/leading')).toEqual({ status: 'ERROR', message: 'message of /leading' });
    expect(v.get('a/b/c')).toEqual({ status: 'FAIL', message: '' });
    // Parts seen, pairs not: no verdict.
    for (const id of ['111111111111/*', '222222222222/us-east-1', '333333333333/us-east-1', 'a/b', 'b/c', 'never']) expect(v.get(id)).toBeUndefined();
  });

  it('keeps ids past the region slots as they are, and a later finding of the same id replaces the earlier', () => {
    const v = new CoverageVerdicts();
    const regions = Array.from({ length: 1500 }, (_, i) => `region-${i}`);
    for (const r of regions) v.add(finding(`111111111111/${r}`, 'FAIL'));
    v.add(finding('111111111111/region-1499', 'ERROR', 'replaced'));
    for (const r of regions.slice(0, -1)) expect(v.get(`111111111111/${r}`)).toEqual({ status: 'FAIL', message: '' });
    expect(v.get('111111111111/region-1499')).toEqual({ status: 'ERROR', message: 'replaced' });
    expect(v.get('111111111111/region-1500')).toBeUndefined();
  });
});
