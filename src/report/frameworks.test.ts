// The control lists against the rules pack: every control a rule maps to is listed for its
// framework, and a listed control says it is not covered exactly when no rule checks it.
import { describe, expect, it } from 'vitest';
import { FRAMEWORK_NAMES } from '../engine/docs.js';
import { loadRules } from '../engine/load.js';
import { frameworkCatalogue } from './frameworks.js';

const pack = await loadRules([new URL('../../rules/', import.meta.url).pathname]);
const mapped = new Map<string, Set<string>>();
for (const r of pack.rules) for (const [fw, ids] of Object.entries(r.frameworks)) for (const id of ids) (mapped.get(fw) ?? mapped.set(fw, new Set()).get(fw)!).add(id);

describe('the framework control lists (frameworks/*.yaml)', () => {
  const catalogue = frameworkCatalogue();

  it('has a list for every framework the rules map to, and for every named framework', () => {
    expect([...catalogue.keys()].sort()).toEqual([...new Set([...mapped.keys(), ...Object.keys(FRAMEWORK_NAMES)])].sort());
  });

  it('lists every control id a rule maps to, in that rule\'s framework', () => {
    const missing = [...mapped].flatMap(([fw, ids]) => [...ids].filter((id) => !catalogue.get(fw)?.controls.some((c) => c.id === id)).map((id) => `${fw} ${id}`));
    expect(missing).toEqual([]);
  });

  it('marks a control notCovered exactly when no rule maps to it, and lists some in every framework', () => {
    for (const [fw, list] of catalogue) {
      const wrong = list.controls.filter((c) => !!c.notCovered === !!mapped.get(fw)?.has(c.id)).map((c) => `${fw} ${c.id}`);
      expect(wrong, 'notCovered on a mapped control, or an unmapped control without notCovered').toEqual([]);
      expect(list.controls.some((c) => c.notCovered), `${fw} lists the in-scope controls no rule checks`).toBe(true);
    }
  });

  it('keeps the CIS renumbering apart: v1.4.0 has 3.3/3.4 (removed later), v3.0.0 and v5.0.0 have 4.16', () => {
    const ids = (fw: string) => catalogue.get(fw)!.controls.map((c) => c.id);
    expect(ids('cis-aws-v1.4.0')).toEqual(expect.arrayContaining(['3.3', '3.4', '3.10', '3.11', '4.15']));
    expect(ids('cis-aws-v1.4.0')).not.toContain('4.16');
    for (const v of ['cis-aws-v3.0.0', 'cis-aws-v5.0.0']) {
      expect(ids(v)).toContain('4.16');
      expect(ids(v)).not.toContain('3.10');
      expect(catalogue.get(v)!.controls.find((c) => c.id === '3.3')!.notCovered).toBeTruthy();
    }
  });
});
