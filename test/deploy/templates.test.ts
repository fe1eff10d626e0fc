// The CloudFormation templates under deploy/: generated from the collectors' IAM declarations,
// never missing an action the scanner uses, and valid according to cfn-lint.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY_FILES, deployFiles } from '../../scripts/deploy-templates.js';
import { cli } from '../harness/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CFN_LINT = `${ROOT}.venv-cfn-lint/bin/cfn-lint`;
const run = promisify(execFile);
const committed = (file: string) => readFileSync(`${ROOT}deploy/${file}`, 'utf8');

interface Statement { Action: string | string[] }
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

type InlinePolicy = { PolicyDocument: { Statement: Statement[] } };

/** Every action allowed by the inline policies of the template's IAM roles (the conditional log-verification one only when it is on). */
function templateActions(template: Template, withLogVerification = false): Set<string> {
  const actions = new Set<string>();
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    for (const entry of r.Properties.Policies as (InlinePolicy | { 'Fn::If': [string, InlinePolicy, unknown] })[]) {
      let p: InlinePolicy;
      if ('Fn::If' in entry) {
        expect(entry['Fn::If'][0]).toBe('WithLogVerification');
        if (!withLogVerification) continue;
        p = entry['Fn::If'][1];
      } else p = entry;
      for (const s of p.PolicyDocument.Statement) for (const a of [s.Action].flat()) actions.add(a);
    }
  }
  return actions;
}

async function cliPolicyActions(principal: 'member' | 'scanner', ...extra: string[]): Promise<string[]> {
  const out = await cli(['iam-policy', '--for', principal, ...extra]);
  expect(out.code).toBe(0);
  return (JSON.parse(out.stdout) as { Statement: Statement[] }).Statement.flatMap((s) => [s.Action].flat());
}

describe('deploy/ CloudFormation templates', () => {
  it('are what scripts/write-deploy.ts generates (run `npm run deploy:write` after changing a collector)', () => {
    for (const [file, text] of Object.entries(deployFiles())) {
      expect(committed(file), `deploy/${file} is stale: run npm run deploy:write`).toBe(text);
    }
  });

  it('grant the member role every action of `trailwarden iam-policy --for member`', async () => {
    const member = templateActions(parse(committed('member-role.yaml')) as Template);
    const wanted = await cliPolicyActions('member');
    expect(wanted.length).toBeGreaterThan(10);
    expect(wanted.filter((a) => !member.has(a))).toEqual([]);
    expect([...member].sort()).toEqual([...new Set(wanted)].sort());
    // WithLogVerification=true adds exactly what --with-log-verification adds.
    const withLogs = templateActions(parse(committed('member-role.yaml')) as Template, true);
    expect([...withLogs].sort()).toEqual([...new Set(await cliPolicyActions('member', '--with-log-verification'))].sort());
  });

  it('deploy through the StackSet exactly the member role template', () => {
    const stackSet = parse(committed('member-stackset.yaml')) as Template;
    const set = stackSet.Resources.MemberRoleStackSet!;
    expect(set.Properties).toMatchObject({ PermissionModel: 'SERVICE_MANAGED', AutoDeployment: { Enabled: true } });
    expect(parse(set.Properties.TemplateBody as string)).toEqual(parse(committed('member-role.yaml')));
  });

  it('grant the scanner role every action of `trailwarden iam-policy --for scanner`, AssumeRole scoped to the member role', async () => {
    const template = parse(committed('scanner-role.yaml')) as Template;
    const scanner = templateActions(template);
    const wanted = await cliPolicyActions('scanner');
    expect(wanted).toContain('organizations:ListAccounts');
    expect(wanted.filter((a) => !scanner.has(a))).toEqual([]);
    const policy = JSON.stringify(template.Resources.ScannerRole!.Properties.Policies);
    expect(policy).toContain('"Fn::Sub":"arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"');
  });

  it('pass cfn-lint', async () => {
    const files = DEPLOY_FILES.map((f) => `${ROOT}deploy/${f}`);
    const result = await run(CFN_LINT, ['--', ...files]).then(() => ({ code: 0, out: '' }), (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }));
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });

  it('cfn-lint really checks them: a role with a misspelt property fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-cfn-'));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, committed('member-role.yaml').replace('MaxSessionDuration: 3600', 'MaxSessionDurations: 3600'));
    const failure = await run(CFN_LINT, ['--', broken]).then(() => null, (e: { code: number; stdout: string }) => e);
    expect(failure?.code).not.toBe(0);
    expect(failure?.stdout).toContain('MaxSessionDurations');
  });
});
