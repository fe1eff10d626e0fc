// The real AWS CLI's `aws cloudtrail validate-logs` (awscli v1, .venv-awscli) as a test oracle.
//
// What validation.py does, and so what this wrapper has to give it:
//  - It validates ONE (account, region) stream per run. The digest key's <region> is the global
//    `--region` option (parsed_globals.region), and WITHOUT --region it is the trail's home region
//    from the ARN, even when AWS_DEFAULT_REGION names another region (parsed_globals.region is None
//    then) -- while ListPublicKeys still goes to the AWS_DEFAULT_REGION endpoint. So this wrapper
//    always passes `--region <region>` (and sets AWS_DEFAULT_REGION to the same). The account is
//    --account-id, else the trail ARN's account. Trail name and home region come from --trail-arn.
//  - Bucket and prefix come from DescribeTrails unless --s3-bucket is given. Only the DescribeTrails
//    path knows organization trails: it sees IsOrganizationTrail, requires --account-id and calls
//    organizations:DescribeOrganization for the org id. With --s3-bucket the org id is never looked
//    up and the CLI computes the single-account key layout. So for organization trails this wrapper
//    passes --account-id and no --s3-bucket/--s3-prefix (the trail must exist in moto, homed in the
//    ARN's region, and the org id must be moto's); for other trails it passes --s3-bucket/--s3-prefix.
//  - Endpoint: `--endpoint-url` would reach only the CLI's cloudtrail client (setup_services passes
//    it to that client alone; the S3 and Organizations clients are built without it). The vendored
//    botocore honours the AWS_ENDPOINT_URL environment variable for every client it creates
//    (configprovider: endpoint_url from AWS_ENDPOINT_URL), so we set that and nothing else, with
//    no config or credentials files (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE=/dev/null).
//  - Output: valid lines (--verbose) and the summary go to stdout; "INVALID" lines and gap lines go
//    to stderr. Exit 1 when any digest or log is invalid; gaps alone exit 0. An S3/CloudTrail error
//    other than NoSuchKey (e.g. AccessDenied) aborts the command (exit 255 with the error text).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WrittenStream } from './log-corpus.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const AWS_CLI = `${ROOT}.venv-awscli/bin/aws`;

/** Installs the pinned AWS CLI with scripts/install-awscli.sh when it is missing. */
export async function ensureAwsCli(): Promise<string> {
  if (existsSync(AWS_CLI)) return AWS_CLI;
  await new Promise<void>((resolve, reject) => {
    execFile('bash', [`${ROOT}scripts/install-awscli.sh`], { timeout: 300_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`scripts/install-awscli.sh failed: ${err.message}\n${stderr}`)) : resolve());
  });
  if (!existsSync(AWS_CLI)) throw new Error(`AWS CLI still missing at ${AWS_CLI} after scripts/install-awscli.sh`);
  return AWS_CLI;
}

export interface ValidateLogsOptions {
  /** Endpoint for every client of the CLI (the fault proxy, which answers ListPublicKeys). */
  endpoint: string;
  trailArn: string;
  /** The CLI's region = the region whose digests are validated and whose public keys are used. */
  region: string;
  start: Date;
  end?: Date;
  s3Bucket?: string;
  s3Prefix?: string;
  accountId?: string;
  /** default true */
  verbose?: boolean;
  timeoutMs?: number;
}

export interface FileVerdict { bucket: string; key: string; reason: string; backfill: boolean }

export interface ValidateLogsResult {
  exitCode: number;
  argv: string[];
  /** "Results requested for A to B" */
  requested?: { start: Date; end: Date };
  /** "Results found for A to B:" */
  found?: { start: Date; end: Date };
  /** "No digests found" / "No valid digests found in range" */
  noDigestsFound: boolean;
  noValidDigestsInRange: boolean;
  /** From the summary ratio lines; `missing` counts the "INVALID: not found" lines. */
  digests: { valid: number; invalid: number; missing: number };
  backfillDigests: { valid: number; invalid: number };
  logs: { valid: number; invalid: number; missing: number };
  /** "No log files were delivered by CloudTrail between A and B" */
  gaps: { start: Date; end: Date }[];
  invalidDigests: FileVerdict[];
  invalidLogs: FileVerdict[];
  /** Keys of the "valid" lines (--verbose). */
  validDigests: string[];
  validLogs: string[];
  /** A fatal error the CLI printed (non-NoSuchKey ClientError, no public keys, ...). */
  error?: string;
  lines: string[];
  stdout: string;
  stderr: string;
}

const DISPLAY = String.raw`(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)`;

export function parseValidateLogsOutput(stdout: string, stderr: string, exitCode: number, argv: string[] = []): ValidateLogsResult {
  const r: ValidateLogsResult = {
    exitCode, argv, noDigestsFound: false, noValidDigestsInRange: false,
    digests: { valid: 0, invalid: 0, missing: 0 }, backfillDigests: { valid: 0, invalid: 0 },
    logs: { valid: 0, invalid: 0, missing: 0 }, gaps: [], invalidDigests: [], invalidLogs: [], validDigests: [], validLogs: [],
    lines: [], stdout, stderr,
  };
  const lines = [...stdout.split('\n'), ...stderr.split('\n')].map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  r.lines = lines;
  const unknown: string[] = [];
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^Results requested for ${DISPLAY} to ${DISPLAY}$`).exec(line))) {
      r.requested = { start: new Date(m[1]!), end: new Date(m[2]!) };
    } else if ((m = new RegExp(`^Results found for ${DISPLAY} to ${DISPLAY}:$`).exec(line))) {
      r.found = { start: new Date(m[1]!), end: new Date(m[2]!) };
    } else if (line === 'No digests found') {
      r.noDigestsFound = true;
    } else if (line === 'No valid digests found in range') {
      r.noValidDigestsInRange = true;
    } else if ((m = /^(\d+)\/(\d+) (digest|backfill digest|log) files valid(?:, (\d+)\/\d+ \3 files INVALID)?$/.exec(line))) {
      const valid = Number(m[1]);
      const invalid = Number(m[4] ?? 0);
      if (m[3] === 'digest') Object.assign(r.digests, { valid, invalid });
      else if (m[3] === 'log') Object.assign(r.logs, { valid, invalid });
      else r.backfillDigests = { valid, invalid };
    } else if ((m = /^(\(backfill\) )?(Digest|Log) file\ts3:\/\/([^/]+)\/(.+)\t(valid|INVALID: (.*))$/.exec(line))) {
      const [, backfill, what, bucket, key, verdict, reason] = m;
      if (verdict === 'valid') (what === 'Digest' ? r.validDigests : r.validLogs).push(key!);
      else {
        const v: FileVerdict = { bucket: bucket!, key: key!, reason: reason!, backfill: !!backfill };
        if (what === 'Digest') {
          r.invalidDigests.push(v);
          if (reason === 'not found') r.digests.missing++;
        } else {
          r.invalidLogs.push(v);
          if (reason === 'not found') r.logs.missing++;
        }
      }
    } else if ((m = new RegExp(`^(?:\\(backfill\\) )?No log files were delivered by CloudTrail between ${DISPLAY} and ${DISPLAY}$`).exec(line))) {
      r.gaps.push({ start: new Date(m[1]!), end: new Date(m[2]!) });
    } else if (!line.startsWith('Validating log files for trail ')) {
      unknown.push(line);
    }
  }
  if (exitCode !== 0 && exitCode !== 1) r.error = unknown.join('\n') || `exit code ${exitCode}`;
  else if (unknown.length > 0 && !r.requested) r.error = unknown.join('\n');
  return r;
}

const iso = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

export async function runValidateLogs(o: ValidateLogsOptions): Promise<ValidateLogsResult> {
  const cli = await ensureAwsCli();
  const argv = ['cloudtrail', 'validate-logs', '--region', o.region, '--trail-arn', o.trailArn, '--start-time', iso(o.start)];
  if (o.end) argv.push('--end-time', iso(o.end));
  if (o.s3Bucket) argv.push('--s3-bucket', o.s3Bucket);
  if (o.s3Prefix) argv.push('--s3-prefix', o.s3Prefix);
  if (o.accountId) argv.push('--account-id', o.accountId);
  if (o.verbose ?? true) argv.push('--verbose');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    AWS_ENDPOINT_URL: o.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: o.region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    PYTHONWARNINGS: 'ignore',
  };
  return new Promise((resolve, reject) => {
    execFile(cli, argv, { env, timeout: o.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      if (err && code === -1) return reject(new Error(`aws cloudtrail validate-logs did not run: ${err.message}\n${stderr}`));
      resolve(parseValidateLogsOutput(stdout, stderr, code, argv));
    });
  });
}

/**
 * validate-logs over one written stream's whole window (or `window`), with the flags the CLI needs
 * for that kind of trail (see the header comment).
 */
export function validateStream(
  endpoint: string, ws: WrittenStream, opts: { window?: { start: Date; end: Date }; verbose?: boolean } = {},
): Promise<ValidateLogsResult> {
  const { spec } = ws;
  const window = opts.window ?? ws.window;
  const base: ValidateLogsOptions = {
    endpoint, trailArn: ws.trailArn, region: spec.region, start: window.start, end: window.end,
    ...(opts.verbose !== undefined ? { verbose: opts.verbose } : {}),
  };
  if (spec.orgId) return runValidateLogs({ ...base, accountId: spec.accountId });
  return runValidateLogs({
    ...base, s3Bucket: spec.bucket, ...(spec.keyPrefix ? { s3Prefix: spec.keyPrefix } : {}),
    ...(spec.accountId !== spec.trailAccountId ? { accountId: spec.accountId } : {}),
  });
}
