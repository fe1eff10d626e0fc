// examples/sharding/aws-batch/: the job definitions pass cfn-lint and, converted to the API's
// request, botocore's RegisterJobDefinition shape; the submissions pass the SubmitJob shape; and
// they work: the scan definition's command is run once per array child (AWS_BATCH_JOB_ARRAY_INDEX
// 0..size-1 with AWS_BATCH_JOB_ARRAY_SIZE, as Batch sets them, Ref::run substituted from the
// submission's parameters), the merge definition's after them on the same directory (the EFS
// volume), and the merged snapshot is the unsharded scan's. AWS is the synthetic endpoint on loopback.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSnapshot } from '../../src/inventory/load.js';
import { shardOf } from '../../src/shard/assign.js';
import { shapeProblems } from '../harness/aws-shapes.js';
import { audited, findingsOf, remount, runStep, startShardBench, stepEnv, type ShardBench, type StepRun } from '../harness/engine-run.js';
import { assertValidSnapshot } from '../harness/scan-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = `${ROOT}examples/sharding/aws-batch/`;
const CFN_LINT = `${ROOT}.venv-cfn-lint/bin/cfn-lint`;

interface Template {
  Parameters: Record<string, { Default?: string }>;
  Resources: Record<string, { Type: string; Properties: JobDefinition }>;
}
interface JobDefinition {
  JobDefinitionName: string;
  Parameters: Record<string, string>;
  ContainerProperties: {
    Command: string[];
    Environment?: { Name: string; Value: unknown }[];
    Volumes: { Name: string; EfsVolumeConfiguration: { FileSystemId: unknown } }[];
    MountPoints: { SourceVolume: string; ContainerPath: string }[];
  };
}
interface Submission { jobName: string; jobDefinition: string; arrayProperties?: { size: number }; dependsOn?: { jobId: string }[]; parameters: Record<string, string> }

const templateText = readFileSync(`${DIR}job-definitions.yaml`, 'utf8');
const template = parse(templateText) as Template;
const scanDef = template.Resources.ScanJobDefinition!.Properties;
const mergeDef = template.Resources.MergeJobDefinition!.Properties;
const submitScan = JSON.parse(readFileSync(`${DIR}submit-scan.json`, 'utf8')) as Submission;
const submitMerge = JSON.parse(readFileSync(`${DIR}submit-merge.json`, 'utf8')) as Submission;

/** Sample stack parameters, for Ref; the region is the stack's. */
const STACK: Record<string, string> = {
  Image: '111111111111.dkr.ecr.us-east-1.amazonaws.com/trailwarden:0.1.0',
  JobRoleArn: 'arn:aws:iam::111111111111:role/TrailwardenScanner',
  ExecutionRoleArn: 'arn:aws:iam::111111111111:role/TrailwardenBatchExecution',
  FileSystemId: 'fs-0123456789abcdef0',
  MemberRoleName: template.Parameters.MemberRoleName!.Default!,
  'AWS::Region': 'us-east-1',
};

/** The RegisterJobDefinition request a CloudFormation JobDefinition resource makes: Refs resolved, member names in the API's camelCase (job parameter names kept). */
function apiRequest(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => apiRequest(v));
  if (value && typeof value === 'object') {
    const ref = (value as { Ref?: string }).Ref;
    if (ref !== undefined) {
      expect(STACK, `Ref ${ref}`).toHaveProperty([ref]);
      return STACK[ref];
    }
    if (key === 'Parameters') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), apiRequest(v, k)]));
  }
  return value;
}

describe('the AWS Batch job definitions and submissions', () => {
  it('pass cfn-lint', async () => {
    const result = await promisify(execFile)(CFN_LINT, ['--', `${DIR}job-definitions.yaml`]).then(() => ({ code: 0, out: '' }), (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }));
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });

  it('cfn-lint really checks them: a misspelt container property fails', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'tw-batch-cfn-')), 'broken.yaml');
    writeFileSync(broken, templateText.replace('ContainerPath: /shards', 'ContainerPaht: /shards'));
    const failure = await promisify(execFile)(CFN_LINT, ['--', broken]).then(() => null, (e: { code: number; stdout: string }) => e);
    expect(failure?.code).not.toBe(0);
    expect(failure?.stdout).toContain('ContainerPaht');
  });

  it('are well-formed RegisterJobDefinition and SubmitJob requests (botocore\'s own shapes)', async () => {
    for (const def of [scanDef, mergeDef]) expect(await shapeProblems('batch', 'RegisterJobDefinition', apiRequest(def)), def.JobDefinitionName).toEqual([]);
    for (const submission of [submitScan, submitMerge]) expect(await shapeProblems('batch', 'SubmitJob', submission), submission.jobName).toEqual([]);
    // The check is real: a wrong type and an unknown member are reported.
    expect((await shapeProblems('batch', 'SubmitJob', { ...submitScan, arrayProperties: { size: '4' }, dependOn: [] })).sort()).toEqual([
      expect.stringMatching(/^Invalid type for parameter arrayProperties\.size/),
      expect.stringMatching(/^Unknown parameter in input: "dependOn"/),
    ]);
  });

  it('fit together: an array scan job, a merge job depending on it, one EFS volume at one path, the run as a job parameter', () => {
    expect(submitScan.jobDefinition).toBe(scanDef.JobDefinitionName);
    expect(submitMerge.jobDefinition).toBe(mergeDef.JobDefinitionName);
    expect(submitScan.arrayProperties!.size).toBeGreaterThanOrEqual(2);
    expect(submitMerge.dependsOn).toHaveLength(1);
    expect(submitMerge.parameters).toEqual(submitScan.parameters);
    const scanScript = scanDef.ContainerProperties.Command.join(' ');
    expect(scanScript).toMatch(/trailwarden scan --shard auto /);
    expect(scanScript).toContain('$AWS_BATCH_JOB_ARRAY_INDEX');
    for (const def of [scanDef, mergeDef]) {
      const c = def.ContainerProperties;
      expect(c.Command).toContain('Ref::run');
      expect(Object.keys(def.Parameters)).toEqual(['run']);
      expect(c.MountPoints.map((m) => m.SourceVolume)).toEqual(c.Volumes.map((v) => v.Name));
      expect(c.Volumes[0]!.EfsVolumeConfiguration.FileSystemId).toEqual({ Ref: 'FileSystemId' });
    }
    expect(mergeDef.ContainerProperties.MountPoints[0]!.ContainerPath).toBe(scanDef.ContainerProperties.MountPoints[0]!.ContainerPath);
  });
});

describe('the array job and the merge job, run', () => {
  let bench: ShardBench;
  let efs: string;
  let children: StepRun[];
  let merge: StepRun;
  const size = submitScan.arrayProperties!.size;
  const run = submitScan.parameters.run!;

  /** Runs a job definition's container as Batch does: Ref::<name> command items replaced by the submission's parameters over the definition's defaults. */
  const runContainer = (def: JobDefinition, submission: Submission, batchEnv: Record<string, string>) => {
    const c = def.ContainerProperties;
    const parameters = { ...def.Parameters, ...submission.parameters };
    const argv = c.Command.map((a) => a.replace(/^Ref::(\w+)$/, (_, name: string) => parameters[name] ?? a)).map((a) => remount(a, c.MountPoints[0]!.ContainerPath, efs));
    const env = Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, String(apiRequest(e.Value))]));
    return runStep([argv[0]!], argv[1]!, argv.slice(2), stepEnv(bench.endpoint.url, bench.bin, { ...env, ...batchEnv }), bench.work);
  };

  beforeAll(async () => {
    bench = await startShardBench(['--role-name', STACK.MemberRoleName!]);
    efs = join(bench.work, 'efs');
    children = await Promise.all(Array.from({ length: size }, (_, i) => runContainer(scanDef, submitScan, { AWS_BATCH_JOB_ARRAY_INDEX: String(i), AWS_BATCH_JOB_ARRAY_SIZE: String(size) })));
    merge = await runContainer(mergeDef, submitMerge, {});
  }, 300_000);

  afterAll(async () => {
    await bench?.stop();
  });

  it('every child succeeds, each writing the snapshot of shard index+1 of the array size', async () => {
    for (const [i, child] of children.entries()) {
      expect(child, `child ${i}`).toMatchObject({ code: 0 });
      const s = await loadSnapshot(join(efs, run, `shard-${i}`, 'snapshot.json'));
      assertValidSnapshot(s);
      expect(s.shard).toEqual({ index: i + 1, count: size });
      const scanned = s.accounts.filter((a) => a.status !== 'skipped');
      expect(scanned.length, `shard ${i + 1} scanned nothing`).toBeGreaterThan(0);
      for (const a of scanned) expect(shardOf(a.id, size), a.id).toBe(i + 1);
    }
  });

  it('the merge job joins them into the unsharded scan\'s snapshot, and exits with the unsharded evaluation\'s gate', async () => {
    expect(merge.stderr).toMatch(new RegExp(`merged ${size} shard\\(s\\) into .*: 21 accounts \\(21 scanned, 0 error\\)`));
    const merged = await loadSnapshot(join(efs, run, 'merged', 'snapshot.json'));
    assertValidSnapshot(merged);
    expect(audited(merged)).toEqual(audited(bench.whole));
    expect(merge.code).toBe(bench.wholeEvaluation.code);
    expect(findingsOf(join(efs, run, 'report', 'report.json'))).toEqual(bench.wholeEvaluation.findings);
  });

  it('a child whose AWS_BATCH_JOB_ARRAY_INDEX is not a number fails with exit 2 and says why', async () => {
    const child = await runContainer(scanDef, { ...submitScan, parameters: { run: 'bad-index' } }, { AWS_BATCH_JOB_ARRAY_INDEX: 'two', AWS_BATCH_JOB_ARRAY_SIZE: String(size) });
    expect(child.code).toBe(2);
    expect(child.stderr.trim()).toBe('trailwarden: AWS_BATCH_JOB_ARRAY_INDEX="two" is not a whole number');
    expect(existsSync(join(efs, 'bad-index'))).toBe(false);
  });

  it('a child whose array size disagrees with TRAILWARDEN_SHARD fails with exit 2 naming both', async () => {
    const child = await runContainer(scanDef, { ...submitScan, parameters: { run: 'bad-size' } }, { AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: String(size), TRAILWARDEN_SHARD: `2/${size + 1}` });
    expect(child.code).toBe(2);
    expect(child.stderr.trim()).toBe(`trailwarden: AWS_BATCH_JOB_ARRAY_SIZE=${size} and TRAILWARDEN_SHARD=2/${size + 1} name different shard counts: give one, or make them agree`);
  });
});
