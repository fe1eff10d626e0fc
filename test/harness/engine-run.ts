// Runs the shell steps of the sharding examples (examples/sharding/) the way their engines do:
// each step is `sh -c` (or bash, for GitHub Actions) in its own process, with the engine's
// variables in the environment, `trailwarden` on the PATH (the CLI from the source tree), and
// every AWS call sent to a loopback endpoint through AWS_ENDPOINT_URL, as the CLI honours it.
// What the test cannot have is the engine's shared volume: its mount path is rewritten to a
// temporary directory in the step's text, and that is the only change made to a step.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchSyntheticAws, type EndpointProcess } from '../../scripts/bench/endpoint-process.js';
import { loadSnapshot } from '../../src/inventory/load.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { comparable } from './scan-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENGINE_VARS = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX', 'AWS_BATCH_JOB_ARRAY_SIZE', 'TRAILWARDEN_SHARD'];

export interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A directory holding an executable `trailwarden` that runs the CLI from the source tree. */
export function trailwardenOnPath(): string {
  const bin = mkdtempSync(join(tmpdir(), 'tw-bin-'));
  const tsx = import.meta.resolve('tsx');
  const entry = join(ROOT, 'test/harness/cli-process.ts');
  writeFileSync(join(bin, 'trailwarden'), `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${entry}" "$@"\n`);
  chmodSync(join(bin, 'trailwarden'), 0o755);
  return bin;
}

/** The environment of a step: the emulator's endpoint and keys, no engine variable unless given. */
export function stepEnv(endpoint: string, bin: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ENGINE_VARS) delete env[name];
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  delete env.TRAILWARDEN_DEBUG;
  return {
    ...env,
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    ...extra,
  };
}

/** Runs one step: `shell` is the engine's interpreter with its flags, `argv` follows the script (sh -c SCRIPT ARG0 ARG1...). */
export function runStep(shell: string[], script: string, argv: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 120_000): Promise<StepRun> {
  return new Promise((resolve, reject) => {
    execFile(shell[0]!, [...shell.slice(1), script, ...argv], { env, cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const failure = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      if (failure?.killed) reject(new Error(`step timed out after ${timeoutMs} ms: ${script.slice(0, 200)}\n${stderr}`));
      else if (failure && typeof failure.code !== 'number') reject(failure);
      else resolve({ code: failure ? Number(failure.code) : 0, stdout, stderr });
    });
  });
}

/** A step's text with the engine's volume mount path pointing at a local directory instead. */
export function remount(script: string, mountPath: string, local: string): string {
  mkdirSync(local, { recursive: true });
  return script.split(mountPath).join(local);
}

/**
 * What a snapshot says about the organization, without what differs between any two scans by
 * construction: the scan's start and end, trail delivery times (comparable()), the API call
 * counts (a shard repeats the organization-level calls) and the shard marker.
 */
export function audited(s: Snapshot): unknown {
  const { stats: _stats, shard: _shard, ...rest } = comparable(s) as Snapshot;
  return rest;
}

export interface ShardBench {
  endpoint: EndpointProcess;
  bin: string;
  /** The same scan, unsharded, as its own process: what the merged shards must equal. */
  whole: Snapshot;
  /** Exit code and findings of `trailwarden evaluate` on the unsharded snapshot. */
  wholeEvaluation: { code: number; findings: FindingDigest[] };
  work: string;
  stop(): Promise<void>;
}

export interface FindingDigest {
  fingerprint: string;
  ruleId: string;
  status: string;
  accountId: string;
  message: string;
}

/** 21 accounts reach every kind of the synthetic mix (see test/bench/synthetic-endpoint.test.ts) and split over 4 shards. */
export async function startShardBench(scanArgs: string[]): Promise<ShardBench> {
  const endpoint = await launchSyntheticAws({ accounts: 21, regions: 2, latencyMs: 0, throttleRate: 0, accountRps: 0 }, 600);
  const bin = trailwardenOnPath();
  const work = mkdtempSync(join(tmpdir(), 'tw-engine-'));
  const wholeDir = join(work, 'whole');
  const scan = await runStep(['trailwarden'], 'scan', [...scanArgs, '--out', wholeDir, '--format', 'json', '--quiet'], stepEnv(endpoint.url, bin), work);
  if (![0, 1, 3].includes(scan.code)) throw new Error(`the unsharded scan exited ${scan.code}: ${scan.stderr}`);
  const whole = await loadSnapshot(join(wholeDir, 'snapshot.json'));
  const evaluation = await runStep(['trailwarden'], 'evaluate', [join(wholeDir, 'snapshot.json'), '--out', join(work, 'whole-report'), '--format', 'json', '--quiet'], stepEnv(endpoint.url, bin), work);
  return {
    endpoint,
    bin,
    whole,
    wholeEvaluation: { code: evaluation.code, findings: findingsOf(join(work, 'whole-report', 'report.json')) },
    work,
    stop: () => endpoint.stop(),
  };
}

/** The findings of a report.json, as the audit reads them (messages with times masked: trail deliveries are "now"). */
export function findingsOf(reportFile: string): FindingDigest[] {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { findings: FindingDigest[] };
  return report.findings
    .map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, status: f.status, accountId: f.accountId, message: f.message.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>') }))
    .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
}
