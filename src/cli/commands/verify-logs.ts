// verify-logs: one trail's log files, the fast drop-in for `aws cloudtrail validate-logs`. A line
// per digest and log file with --verbose, the same summary counts, exit 1 on anything invalid.
import type { FileVerdict } from '../../collect/log-integrity.js';
import { VerifyTrailError, verifyTrailLogs } from '../../collect/verify-trail.js';
import { EXIT, UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';
import { formatShard } from '../../shard/assign.js';
import { accountIds, endpointUrl, logWindow, positiveInt, regionNames } from '../parse.js';
import { shardFlag } from '../shard.js';

export interface VerifyLogsFlags {
  trail: string;
  account?: string[];
  shard?: string;
  shardCount?: string;
  since?: string;
  until?: string;
  verifyDepth?: string;
  regions?: string[];
  verbose?: boolean;
  endpointUrl?: string;
  getConcurrency?: string;
}

const display = (iso: string | Date) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function runVerifyLogs(flags: VerifyLogsFlags, io: CliIO): Promise<number> {
  if (!/^arn:[^:]+:cloudtrail:[^:]+:\d{12}:trail\/.+$/.test(flags.trail)) throw new UsageError(`--trail: "${flags.trail}" is not a trail ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>)`);
  const accounts = accountIds('--account', flags.account) ?? undefined;
  const shard = shardFlag(flags, io.env);
  const window = logWindow(flags, new Date());
  const options = {
    trailArn: flags.trail,
    accountIds: accounts,
    shard,
    regions: regionNames('--regions', flags.regions),
    endpointUrl: endpointUrl('--endpoint-url', flags.endpointUrl ?? io.env.AWS_ENDPOINT_URL),
    region: io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION,
    objectConcurrency: positiveInt('--get-concurrency', flags.getConcurrency, 64, 1024),
    ...window,
  };
  io.stdout(`Validating log files for trail ${flags.trail} between ${display(window.since)} and ${display(window.until)}\n\n`);
  const lines: FileVerdict[] = [];
  let result;
  try {
    result = await verifyTrailLogs({ ...options, onFile: flags.verbose ? (f) => lines.push(f) : undefined });
  } catch (err) {
    if (err instanceof VerifyTrailError) throw new UsageError(err.message);
    throw err;
  }
  let bad = 0;
  for (const s of result.integrity.streams) {
    const header = `${s.accountId} ${s.region}`;
    if (!s.validationEnabled) {
      io.stdout(`${header}: trail ${s.trailName} does not validate its log files: nothing to verify\n`);
      bad++;
      continue;
    }
    for (const f of lines.filter((l) => l.streamId === s.id)) {
      io.stdout(`${f.kind === 'digest' ? 'Digest file' : 'Log file'}  s3://${f.bucket}/${f.key}  ${f.problem === null ? 'valid' : `INVALID: ${f.problem}`}\n`);
    }
    if (!flags.verbose) for (const d of s.defects) io.stdout(`${d.kind.startsWith('digest') ? 'Digest file' : 'Log file'}  s3://${s.bucket}/${d.key}  INVALID: ${d.reason}\n`);
    for (const g of [...s.gaps].sort((a, b) => b.start.localeCompare(a.start))) {
      io.stdout(`No log files were delivered by CloudTrail between ${display(g.start)} and ${display(g.end)}${g.reason ? ` (${g.reason})` : ''}\n`);
    }
    for (const e of s.readErrors) io.stdout(`Could not read ${e.key ?? ''}: ${e.operation} ${e.code}: ${e.message}\n`);
    io.stdout(`\n${header}: results requested for ${display(result.integrity.since)} to ${display(result.integrity.until)}\n`);
    if (s.digests.valid + s.digests.invalid + s.digests.missing === 0) io.stdout('No digests found\n');
    else if (s.firstDigestTime && s.lastDigestTime) io.stdout(`Results found for ${display(maxIso(s.firstDigestTime, result.integrity.since))} to ${display(minIso(s.lastDigestTime, result.integrity.until))}:\n`);
    const ratio = (valid: number, invalid: number, name: string) => {
      const total = valid + invalid;
      if (total > 0) io.stdout(`\n${valid}/${total} ${name} files valid${invalid ? `, ${invalid}/${total} ${name} files INVALID` : ''}`);
    };
    ratio(s.digests.valid, s.digests.invalid + s.digests.missing, 'digest');
    ratio(s.logs.valid + s.logs.unchecked, s.logs.invalid + s.logs.missing, 'log');
    if (s.logs.unlisted) io.stdout(`\n${s.logs.unlisted} log file(s) in no digest (${s.logs.unlistedInChain} while the chain was unbroken)`);
    io.stdout('\n\n');
    const invalid = s.digests.invalid + s.digests.missing + s.logs.invalid + s.logs.missing + s.logs.unlistedInChain;
    if (invalid) bad++;
    else if (s.readErrorCount || s.digests.valid === 0) bad++;
  }
  if (result.otherShards.length) io.stdout(`Shard ${formatShard(shard!)}: ${result.otherShards.length} of the accounts asked for belong to other shards (${result.otherShards.join(', ')})\n\n`);
  if (!result.integrity.streams.length && result.otherShards.length) {
    io.stderr(`trailwarden: exit 0: shard ${formatShard(shard!)} holds none of the accounts asked for; nothing to verify here\n`);
    return EXIT.ok;
  }
  if (!result.integrity.streams.length) {
    io.stderr('trailwarden: no stream to verify: no digest region found (name them with --regions)\n');
    return EXIT.incomplete;
  }
  const invalidStreams = result.integrity.streams.filter((s) => s.digests.invalid + s.digests.missing + s.logs.invalid + s.logs.missing + s.logs.unlistedInChain > 0).length;
  const unreadable = result.integrity.streams.filter((s) => s.readErrorCount > 0 || (s.validationEnabled && s.digests.valid === 0)).length;
  if (invalidStreams) {
    io.stderr(`trailwarden: exit ${EXIT.gateFailed}: ${invalidStreams} of ${result.integrity.streams.length} stream(s) hold invalid, missing or planted files\n`);
    return EXIT.gateFailed;
  }
  if (unreadable || bad) {
    io.stderr(`trailwarden: exit ${EXIT.incomplete}: ${unreadable || bad} stream(s) could not be verified (read errors, no digest in the window, or validation off)\n`);
    return EXIT.incomplete;
  }
  io.stderr(`trailwarden: exit 0: ${result.integrity.streams.length} stream(s) verified, nothing invalid\n`);
  return EXIT.ok;
}

const maxIso = (a: string, b: string) => (a > b ? a : b);
const minIso = (a: string, b: string) => (a < b ? a : b);
