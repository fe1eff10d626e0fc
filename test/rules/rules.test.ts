// One strict, generic tester for every rule in the pack: each rule must ship pass and fail
// fixtures (overlays on a compliant base organization), and each fixture must give the verdict
// its folder names. No rule has a hand-written test of its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/config.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRules, type RulesPack } from '../../src/engine/load.js';
import { FRAMEWORK_ID } from '../../src/engine/rule-schema.js';
import type { Finding } from '../../src/findings/finding.js';
import { baseSnapshot, EVALUATION_NOW, loadFixture } from '../harness/fixture.js';

const RULES_DIR = new URL('../../rules/', import.meta.url).pathname;
const FIXTURES = new URL('./', import.meta.url).pathname;
const ruleIds = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();

let pack: RulesPack;
beforeAll(async () => {
  pack = await loadRules([RULES_DIR]);
});

function fixtures(ruleId: string, kind: 'pass' | 'fail' | 'error'): string[] {
  const dir = join(FIXTURES, ruleId, kind);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f)) : [];
}

function run(ruleId: string, file: string): Finding[] {
  const fixture = loadFixture(file);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { config?: unknown };
  const config = ConfigFile.parse(raw.config ?? {});
  const rule = pack.rules.find((r) => r.id === ruleId)!;
  return evaluate(fixture.snapshot, [rule], { now: EVALUATION_NOW, config });
}

const summary = (fs: Finding[]) => fs.map((f) => `${f.status} ${f.resource.id}: ${f.message}`).join('\n');

describe.each(ruleIds)('rule %s', (ruleId) => {
  it('has pass and fail fixtures', () => {
    expect(fixtures(ruleId, 'pass').length, `test/rules/${ruleId}/pass/*.json`).toBeGreaterThan(0);
    expect(fixtures(ruleId, 'fail').length, `test/rules/${ruleId}/fail/*.json`).toBeGreaterThan(0);
  });

  it('passes on every pass fixture', () => {
    for (const file of fixtures(ruleId, 'pass')) {
      const found = run(ruleId, file);
      expect(found.some((f) => f.status === 'PASS'), `${file}\n${summary(found)}`).toBe(true);
      expect(found.filter((f) => f.status === 'FAIL' || f.status === 'ERROR'), `${file}\n${summary(found)}`).toEqual([]);
    }
  });

  it('fails on every fail fixture', () => {
    const rule = pack.rules.find((r) => r.id === ruleId)!;
    const fixedOnDeclared: string[] = [];
    for (const file of fixtures(ruleId, 'fail')) {
      const found = run(ruleId, file);
      expect(found.some((f) => f.status === 'FAIL'), `${file}\n${summary(found)}`).toBe(true);
      for (const f of found) {
        // The fix plan groups every FAIL and ERROR by what to change; nothing else carries a target.
        if (f.status === 'FAIL' || f.status === 'ERROR') expect(f.fixedOn?.target, `${file}: ${f.resource.id}: fixedOn`).toBeTruthy();
        else expect(f.fixedOn ?? null, `${file}: ${f.resource.id}: fixedOn only on FAIL and ERROR`).toBeNull();
        if (f.status === 'FAIL' && f.fixedOn?.kind === rule.fixedOn?.kind) fixedOnDeclared.push(f.fixedOn!.target);
      }
      for (const f of found.filter((x) => x.status !== 'NOT_APPLICABLE')) {
        // Every name in a message or remediation is real (or a fallback the rule wrote), never `<trail.name>`.
        const r = f.remediation;
        const text = [f.message, ...(r ? [r.summary, ...r.console, r.cli, r.terraform, r.cloudformation] : [])].join('\n');
        expect(r === null, `${file}: ${f.resource.id}: remediation only where there is something to fix`).toBe(f.status === 'PASS');
        expect(text.match(/<(?:trail|bucket|key|topic|logGroup|account|region|organization|params)\.[\w.-]+>/g), `${file}: ${f.resource.id}`).toBeNull();
        if (f.status === 'FAIL' && pack.rules.find((r) => r.id === ruleId)!.forAny) {
          expect(Array.isArray(f.evidence.trailsJudged ?? f.evidence.recordersJudged), `${file}: forAny FAIL carries every judged trail's (or recorder's) facts`).toBe(true);
        }
      }
      const expected = loadFixture(file).expect as { resourceId: string; status: string }[] | undefined;
      for (const e of expected ?? []) {
        expect(found.find((f) => f.resource.id === e.resourceId)?.status, `${file}: ${e.resourceId}\n${summary(found)}`).toBe(e.status);
      }
    }
    // The rule's fixedOn.target names a real thing on at least one FAIL (not only the fallback to the resource).
    expect(fixedOnDeclared.length, `${ruleId}: fixedOn.target (${rule.fixedOn?.target}) evaluated on no FAIL fixture`).toBeGreaterThan(0);
    for (const t of fixedOnDeclared) expect(t, ruleId).not.toMatch(/^\[object|^null$|^undefined$/);
  });

  it('is ERROR, never PASS, on every error fixture', () => {
    for (const file of fixtures(ruleId, 'error')) {
      const found = run(ruleId, file);
      expect(found.some((f) => f.status === 'ERROR'), `${file}\n${summary(found)}`).toBe(true);
      expect(found.filter((f) => f.status === 'PASS'), `${file}\n${summary(found)}`).toEqual([]);
      // An ERROR names the fact or the reason (cannotJudge), never a crash of the expression.
      expect(found.filter((f) => f.message.includes('could not be evaluated')), `${file}\n${summary(found)}`).toEqual([]);
    }
  });
});

describe('the rules pack', () => {
  it('ships every rule of the catalogue (../shared/reference/rules-catalogue.md), and the file name is the id', () => {
    const catalogue = (JSON.parse(readFileSync(join(FIXTURES, 'catalogue-ids.json'), 'utf8')) as string[]).sort();
    expect(ruleIds).toEqual(catalogue);
    for (const id of ruleIds) expect(pack.rules.find((r) => r.id === id)?.file.endsWith(`${id}.yaml`), id).toBe(true);
  });

  it('has fixtures only for rules that exist', () => {
    const dirs = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    for (const d of dirs) expect(ruleIds, `test/rules/${d} has no rule`).toContain(d);
  });

  it('every rule: known scope, remediation, well-formed framework ids and control ids', () => {
    for (const r of pack.rules) {
      expect(r.remediation.console.length, r.id).toBeGreaterThan(0);
      for (const [framework, controls] of Object.entries(r.frameworks)) {
        expect(framework, r.id).toMatch(FRAMEWORK_ID);
        for (const c of controls) expect(c, `${r.id} ${framework}`).toMatch(/^[A-Za-z0-9][A-Za-z0-9.()-]*$/);
      }
      if (!Object.keys(r.frameworks).length) expect(r.frameworksNote, r.id).toBeTruthy();
      // What its FAIL is fixed on, as data: the fix plan groups by it (architecture.md, "Fix plan").
      expect(r.fixedOn, `${r.id}: fixedOn (kind and target) is required of every rule`).toBeDefined();
      expect(r.compiled.fixedOn, r.id).not.toBeNull();
    }
  });

  it('the compliant base organization passes every rule', () => {
    // base-config.json asks for what the base records, so the rules judging a configured list have something to judge.
    const config = ConfigFile.parse(JSON.parse(readFileSync(join(FIXTURES, 'base-config.json'), 'utf8')));
    const findings = evaluate(baseSnapshot(), pack.rules, { now: EVALUATION_NOW, config });
    const bad = findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR');
    expect(bad.map((f) => `${f.ruleId} ${f.status} ${f.resource.id}: ${f.message}`)).toEqual([]);
    expect(new Set(findings.filter((f) => f.status === 'PASS').map((f) => f.ruleId)).size).toBe(pack.rules.length);
  });

  it('is deterministic: the same snapshot and clock give the same findings', () => {
    const a = evaluate(baseSnapshot(), pack.rules, { now: EVALUATION_NOW });
    const b = evaluate(baseSnapshot(), pack.rules, { now: EVALUATION_NOW });
    expect(b).toEqual(a);
  });
});
