// Meta-tests over the collector registry: nothing reaches AWS without declaring what it calls.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isReadOnlyOperation } from './aws.js';
import { iamActionFor } from './iam-actions.js';
import { COLLECTORS, iamActionsSource, iamPolicy, isDeclaredOperation } from './registry.js';

const dir = new URL('./', import.meta.url);
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('collector registry', () => {
  it('iam-actions.ts, what evaluation reads without the SDK, is the collectors\' table as npm run schemas writes it', () => {
    expect(readFileSync(new URL('iam-actions.ts', dir), 'utf8'), 'src/collect/iam-actions.ts is stale: run npm run schemas').toBe(iamActionsSource());
    for (const c of COLLECTORS) for (const operation of Object.keys(c.operations)) expect(iamActionFor(c.service, operation), `${c.service}:${operation}`).toBe(COLLECTORS.find((x) => x.service === c.service && operation in x.operations)!.operations[operation]);
    expect(iamActionFor('s3', 'GetBucketEncryption')).toBe('s3:GetEncryptionConfiguration');
    expect(iamActionFor('s3', 'DeleteBucket')).toBeUndefined();
    expect(iamActionFor('constructor', 'toString')).toBeUndefined();
  });

  it('every module that sends AWS commands declares a registered collector for each command', async () => {
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      // Resolve `import { XCommand as YCommand }` so an alias cannot hide an operation.
      const aliases = new Map([...text.matchAll(/(\w+)Command as (\w+)Command/g)].map((m) => [m[2]!, m[1]!]));
      const commands = [...text.matchAll(/new (\w+)Command\(/g)].map((m) => aliases.get(m[1]!) ?? m[1]!);
      if (!commands.length) continue;
      const mod = (await import(`./${file.replace(/\.ts$/, '.js')}`)) as { collector?: unknown; collectors?: unknown[] };
      const specs = [mod.collector, ...(mod.collectors ?? [])].filter(Boolean);
      const declared = new Set(specs.flatMap((s) => Object.keys((s as { operations: object }).operations)));
      for (const command of commands) {
        // The orchestrator's GetCallerIdentity and the broker's AssumeRole are declared by identity.ts.
        if (file === 'scan.ts' || file === 'credentials.ts') {
          expect(COLLECTORS.some((c) => command in c.operations), `${file}: ${command}`).toBe(true);
          continue;
        }
        expect(declared.has(command), `${file} sends ${command} without declaring it`).toBe(true);
      }
      for (const spec of specs) expect(COLLECTORS, `${file}'s collector is not registered`).toContain(spec);
    }
  });

  it('declares only read-only operations, each with a well-formed IAM action', () => {
    for (const c of COLLECTORS) {
      for (const [operation, action] of Object.entries(c.operations)) {
        expect(isReadOnlyOperation(operation), `${c.name}: ${operation}`).toBe(true);
        expect(action, `${c.name}: ${operation}`).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
      }
    }
  });

  it('the guard refuses mutating operations by name', () => {
    for (const op of ['StopLogging', 'DeleteTrail', 'PutBucketPolicy', 'UpdateTrail', 'CreateTrail', 'DisableKey', 'TagResource']) {
      expect(isReadOnlyOperation(op), op).toBe(false);
    }
    for (const op of ['DescribeTrails', 'GetBucketPolicy', 'ListAccounts', 'LookupEvents', 'HeadBucket', 'AssumeRole']) {
      expect(isReadOnlyOperation(op), op).toBe(true);
    }
  });

  it('CloudTrail Lake adds exactly its four read actions to the member policy, and no Lake write is declared or allowed', () => {
    const actions = iamPolicy('member', 'TrailwardenAudit').Statement[0]!.Action;
    const lake = actions.filter((a) => /EventDataStore|Channel/.test(a));
    expect(lake).toEqual(['cloudtrail:GetChannel', 'cloudtrail:GetEventDataStore', 'cloudtrail:ListChannels', 'cloudtrail:ListEventDataStores']);
    // Insights on a data store is read with the trails' own GetInsightSelectors.
    expect(actions).toContain('cloudtrail:GetInsightSelectors');
    const none = new Set<string>();
    for (const op of ['CreateEventDataStore', 'UpdateEventDataStore', 'DeleteEventDataStore', 'StopEventDataStoreIngestion', 'CreateChannel', 'DeleteChannel', 'PutInsightSelectors', 'StartQuery']) {
      expect(isDeclaredOperation('cloudtrail', op, none), op).toBe(false);
    }
  });

  it('log verification is opt-in: its reads are in no policy, and allowed by no guard, unless asked for', () => {
    const plain = iamPolicy('member', 'x').Statement.flatMap((s) => s.Action);
    for (const a of ['s3:GetObject', 's3:ListBucket', 'cloudtrail:ListPublicKeys', 'kms:Decrypt']) expect(plain, a).not.toContain(a);
    expect(isDeclaredOperation('s3', 'GetObject', new Set())).toBe(false);
    expect(isDeclaredOperation('s3', 'GetObject', new Set(['log-verification']))).toBe(true);
    expect(isDeclaredOperation('sts', 'GetSessionToken', new Set(['log-verification']))).toBe(false);
    const withLogs = iamPolicy('member', 'x', 'aws', { withLogVerification: true }).Statement;
    const added = withLogs.slice(1).flatMap((s) => s.Action).sort();
    expect(added).toEqual(['cloudtrail:ListPublicKeys', 'kms:Decrypt', 's3:GetObject', 's3:ListBucket']);
    const decrypt = withLogs.find((s) => s.Action.includes('kms:Decrypt'))!;
    expect(decrypt.Condition).toEqual({ StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } });
  });

  it('the scanner policy scopes sts:AssumeRole to the member role and grants it nowhere else', () => {
    const policy = iamPolicy('scanner', 'audit/Trailwarden', 'aws-us-gov');
    const assume = policy.Statement.filter((s) => s.Action.includes('sts:AssumeRole'));
    expect(assume).toEqual([expect.objectContaining({ Resource: 'arn:aws-us-gov:iam::*:role/audit/Trailwarden', Action: ['sts:AssumeRole'] })]);
    expect(iamPolicy('member', 'x').Statement.flatMap((s) => s.Action).some((a) => a.startsWith('sts:'))).toBe(false);
  });
});
