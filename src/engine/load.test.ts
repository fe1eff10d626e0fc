import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../util/input-error.js';
import { loadRules, parseRule } from './load.js';

const VALID = `id: my-rule
title: Trail validates its log files
severity: low
scope: trail
description: Checks validation.
rationale: Tampering shows.
assert: trail.logFileValidationEnabled
message:
  pass: "{{trail.name}} validates."
  fail: "{{trail.name}} does not validate."
frameworksNote: an in-house rule
remediation:
  summary: Turn it on.
  console: ["Edit {{trail.name}}"]
  cli: aws cloudtrail update-trail --name {{trail.arn}} --enable-log-file-validation
  terraform: enable_log_file_validation = true
  cloudformation: "EnableLogFileValidation: true"
references: [https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html]
`;

function loadError(text: string, file = 'rules/my-rule.yaml'): InputError {
  try {
    parseRule(file, text);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected the rule to be rejected');
}

describe('parseRule', () => {
  it('accepts a valid rule and derives the facts it reads', () => {
    const rule = parseRule('x/my-rule.yaml', VALID.replace('trail.logFileValidationEnabled', 'trail.status.isLogging && trail.logFileValidationEnabled'));
    expect(rule.effectiveRequires).toEqual(['trail.status']);
    expect(rule.requires).toEqual([]);
  });

  it('names file and line of malformed YAML', () => {
    const e = loadError(VALID.replace('scope: trail', 'scope: trail\nseverity: high'));
    expect(e.file).toBe('rules/my-rule.yaml');
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/^rules\/my-rule\.yaml:5: invalid YAML: Map keys must be unique/);
  });

  it('names the line of an unknown field', () => {
    const e = loadError(VALID.replace('scope: trail', 'scope: trail\nseverty: high'));
    expect(e.line).toBe(5);
    expect(e.reason).toContain('unknown field "severty"');
  });

  it('names the line of a bad value', () => {
    const e = loadError(VALID.replace('scope: trail', 'scope: everything'));
    expect(e.line).toBe(4);
    expect(e.reason).toMatch(/^scope: /);
  });

  it('rejects invalid CEL at load time, with the line of the expression', () => {
    const e = loadError(VALID.replace('assert: trail.logFileValidationEnabled', 'assert: trail.logFileValidationEnabled &&'));
    expect(e.line).toBe(7);
    expect(e.reason).toContain('assert: invalid CEL');
  });

  it('checks fixedOn like an expression: its kind, the variables of the scope and the inventory fields', () => {
    const withFix = (fix: string) => VALID.replace('assert: trail.logFileValidationEnabled', `assert: trail.logFileValidationEnabled\nfixedOn:\n${fix}`);
    expect(parseRule('x/my-rule.yaml', withFix('  kind: trail\n  target: trail.arn')).compiled.fixedOn?.source).toBe('trail.arn');
    expect(loadError(withFix('  kind: trial\n  target: trail.arn')).reason).toMatch(/^fixedOn\.kind: /);
    const unknownField = loadError(withFix('  kind: trail\n  target: trail.arnn'));
    expect(unknownField.line).toBe(10);
    expect(unknownField.reason).toContain('"trail.arnn" is not a field of the inventory');
    expect(loadError(withFix('  kind: account\n  target: region.name')).reason).toContain('"region" is not available in a trail rule');
    expect(loadError(withFix('  kind: trail')).reason).toMatch(/target/);
  });

  it('rejects unknown helper functions', () => {
    expect(loadError(VALID.replace('assert: trail.logFileValidationEnabled', 'assert: noSuchHelper(trail)')).reason).toContain('invalid CEL');
  });

  it('rejects a field the inventory does not have (a typo would otherwise be an ERROR at every scan)', () => {
    const e = loadError(VALID.replace('assert: trail.logFileValidationEnabled', 'assert: trail.logFileValidaton'));
    expect(e.reason).toBe('assert: "trail.logFileValidaton" is not a field of the inventory');
  });

  it('rejects variables the scope does not bind', () => {
    const e = loadError(VALID.replace('scope: trail', 'scope: account').replace(/\{\{trail\.\w+\}\}/g, 'x'));
    expect(e.reason).toContain('"trail" is not available in a account rule (use forAny: trails to judge trails, forAny: recorders to judge trails and event data stores)');
  });

  it('requires the file name to be the id', () => {
    expect(loadError(VALID, 'rules/other.yaml').reason).toContain('must match its file name (my-rule.yaml)');
  });

  it('rejects undeclared parameters and unknown facts', () => {
    expect(loadError(VALID.replace('assert: trail.logFileValidationEnabled', 'assert: size(trail.tags) >= params.retentionDays')).reason).toContain(
      'params.retentionDays is used but not listed in "parameters"',
    );
    expect(loadError(VALID.replace('scope: trail', 'scope: trail\nrequires: [trail.colour]')).reason).toMatch(/requires: .*trail\.colour/);
  });

  it('requires a framework mapping or a stated reason', () => {
    expect(loadError(VALID.replace('frameworksNote: an in-house rule\n', '')).reason).toContain('at least one framework');
  });

  it('rejects template placeholders from another scope', () => {
    expect(loadError(VALID.replace('"{{trail.name}} validates."', '"{{region.name}} validates."')).reason).toContain('{{region.name}} uses "region"');
  });

  it('rejects {{details}} without a details expression', () => {
    expect(loadError(VALID.replace('"{{trail.name}} validates."', '"{{details}}"')).reason).toContain('needs a "details" expression');
  });
});

describe('loadRules', () => {
  it('refuses the same id twice across directories', async () => {
    const a = mkdtempSync(join(tmpdir(), 'tw-rules-'));
    const b = mkdtempSync(join(tmpdir(), 'tw-rules-'));
    writeFileSync(join(a, 'my-rule.yaml'), VALID);
    writeFileSync(join(b, 'my-rule.yaml'), VALID);
    await expect(loadRules([a, b])).rejects.toThrow(/already defined in/);
  });

  it('hashes the pack so a report names exactly the rules it used', async () => {
    const a = mkdtempSync(join(tmpdir(), 'tw-rules-'));
    writeFileSync(join(a, 'my-rule.yaml'), VALID);
    const first = await loadRules([a]);
    writeFileSync(join(a, 'my-rule.yaml'), VALID.replace('Turn it on.', 'Turn it on now.'));
    const second = await loadRules([a]);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(second.sha256).not.toBe(first.sha256);
  });
});
