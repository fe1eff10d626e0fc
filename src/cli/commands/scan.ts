import { resolve } from 'node:path';
import { CallCounter } from '../../collect/observer.js';
import { InterruptedBeforeDiscoveryError, NoCredentialsError, scan } from '../../collect/scan.js';
import { unusedShardIndex } from '../../shard/from-env.js';
import { shardFlag } from '../shard.js';
import { TOOL_VERSION } from '../../version.js';
import { EXIT, UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';
import { accountIds, endpointUrl, logWindow, ouIds, positiveInt, regionNames } from '../parse.js';
import { Progress } from '../progress.js';
import { finishEvidence, openEvidence } from './scan-evidence.js';
import { findingsSummary, scanSummary } from '../summary.js';
import { checkOutDir, evaluateSnapshot, gate, prepare, SNAPSHOT_FILE, spillDirFor, writeReports, type EvaluationFlags } from '../../core/pipeline.js';

export interface ScanFlags extends EvaluationFlags {
  out: string;
  roleName: string;
  externalId?: string;
  accounts?: string[];
  ous?: string[];
  excludeAccounts?: string[];
  regions?: string[];
  shard?: string;
  shardCount?: string;
  concurrency?: string;
  accountConcurrency?: string;
  maxAttempts?: string;
  requestTimeout?: string;
  endpointUrl?: string;
  allowIncomplete?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  evidence?: string;
  verifyLogs?: boolean;
  since?: string;
  until?: string;
  verifyDepth?: string;
  getConcurrency?: string;
}

export async function runScan(flags: ScanFlags, io: CliIO): Promise<number> {
  // Validate every flag before any AWS call: a usage error writes nothing.
  const options = {
    toolVersion: TOOL_VERSION,
    roleName: flags.roleName,
    externalId: flags.externalId,
    accounts: accountIds('--accounts', flags.accounts),
    ous: ouIds('--ous', flags.ous),
    excludeAccounts: accountIds('--exclude-accounts', flags.excludeAccounts) ?? [],
    shard: shardFlag(flags, io.env),
    regions: regionNames('--regions', flags.regions),
    concurrency: positiveInt('--concurrency', flags.concurrency, 32, 1024),
    perAccountConcurrency: positiveInt('--account-concurrency', flags.accountConcurrency, 8, 256),
    maxAttempts: positiveInt('--max-attempts', flags.maxAttempts, 10, 50),
    requestTimeoutMs: positiveInt('--request-timeout', flags.requestTimeout, 20_000, 600_000),
    endpointUrl: endpointUrl('--endpoint-url', flags.endpointUrl ?? io.env.AWS_ENDPOINT_URL),
    region: io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION,
    objectConcurrency: positiveInt('--get-concurrency', flags.getConcurrency, 64, 1024),
  };
  if (!flags.verifyLogs && (flags.since !== undefined || flags.until !== undefined || flags.verifyDepth !== undefined)) {
    throw new UsageError('--since, --until and --verify-depth choose the window of --verify-logs: add --verify-logs');
  }
  const verifyLogs = flags.verifyLogs ? logWindow(flags, new Date()) : undefined;
  if (!flags.roleName || /\s/.test(flags.roleName)) throw new UsageError(`--role-name: "${flags.roleName}" is not a role name`);
  const outDir = resolve(io.cwd, flags.out);
  // The rules pack and configuration are checked before the first AWS call.
  const prepared = await prepare(flags, io.cwd);
  // --out must take the snapshot and the reports: found now, not after the whole scan.
  await checkOutDir(outDir, prepared.formats, { snapshot: true });
  // --evidence: the bundle directory is checked and the rules/config copied in before any AWS call.
  const evidence = await openEvidence(flags, prepared, outDir, io.cwd);

  const unused = unusedShardIndex(flags, io.env);
  if (unused && !flags.quiet) io.stderr(`trailwarden: note: ${unused} is set but no --shard was given: this run scans every selected account (--shard auto splits the scan)\n`);
  const started = Date.now();
  const counter = new CallCounter();
  const progress = flags.quiet ? undefined : new Progress(io, () => counter.total);
  // The first Ctrl-C (or SIGTERM, what CI runners and `timeout` send) stops the scan and keeps
  // what it saw (snapshot marked incomplete, reports with every unseen fact ERROR); a second
  // signal exits at once, and the staging directory goes with the process (util/atomic-write).
  const interrupt = new AbortController();
  let interruptedBy: NodeJS.Signals | null = null;
  const exitCodeOf = (signal: NodeJS.Signals | null) => (signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(exitCodeOf(signal));
    interruptedBy = signal;
    const what = signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted';
    io.stderr(`trailwarden: ${what}: stopping the scan and writing what was collected (Ctrl-C again to quit now)\n`);
    interrupt.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let result;
    try {
      result = await scan({ ...options, verifyLogs: verifyLogs && evidence ? { ...verifyLogs, evidence: evidence.logs } : verifyLogs, counter, onProgress: progress?.on, signal: interrupt.signal, recorder: evidence?.recorder });
    } catch (err) {
      await evidence?.abandon();
      if (err instanceof InterruptedBeforeDiscoveryError) return interruptedBeforeStart(io, exitCodeOf(interruptedBy));
      if (err instanceof NoCredentialsError) {
        if (interrupt.signal.aborted) return interruptedBeforeStart(io, exitCodeOf(interruptedBy));
        throw new UsageError(err.message);
      }
      throw err;
    }
    const snapshotPath = resolve(outDir, SNAPSHOT_FILE);

    const s = result.snapshot;
    if (!flags.quiet) {
      io.stderr(
        scanSummary(s, { retries: result.counter.retries, seconds: (Date.now() - started) / 1000 }, { verbose: !!flags.verbose, snapshotPath }),
      );
    }
    const evaluatedAt = new Date();
    // The findings go to a file inside --out as they are evaluated, and are read back by each
    // report as it is written: at 10,000 accounts they are hundreds of megabytes as objects.
    const outcome = evaluateSnapshot(s, prepared, flags.framework, evaluatedAt, { spillDir: spillDirFor(outDir, prepared.formats) });
    // snapshot.json and the reports replace the previous set together, or not at all.
    let written;
    try {
      written = (await writeReports(outDir, outcome, prepared.formats, { snapshot: true })).filter((p) => p !== snapshotPath);
    } catch (err) {
      await evidence?.abandon();
      throw err;
    } finally {
      outcome.dispose();
    }
    if (!flags.quiet) io.stderr(findingsSummary(outcome.report, written));
    if (evidence) await finishEvidence(evidence, { flags, prepared, snapshot: s, outDir, evaluatedAt, scanOptions: options }, io);
    // A Ctrl-C that came after the scan had finished interrupted nothing: the gate still decides.
    if (interrupt.signal.aborted && !s.complete) {
      const code = exitCodeOf(interruptedBy);
      io.stderr(`trailwarden: exit ${code}: ${interruptedBy === 'SIGTERM' ? 'terminated' : 'interrupted'}; ${snapshotPath} is a partial snapshot (complete: false)\n`);
      return code;
    }
    // The same gate as evaluate: collection errors that no rule needed make the scan incomplete there too.
    const verdict = gate({ findings: outcome.notable }, s, prepared.failOn, !!flags.allowIncomplete, prepared.baseline);
    io.stderr(`trailwarden: ${verdict.line}\n`);
    return verdict.code;
  } finally {
    // Once interrupted the process is on its way out: a later signal must still exit at once
    // with 130 or 143, not fall back to Node's default (killed by the signal).
    if (!interrupt.signal.aborted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** Interrupted before the caller's identity or the organization's accounts were known: there is nothing honest to write. */
function interruptedBeforeStart(io: CliIO, code: number): number {
  io.stderr(`trailwarden: exit ${code}: interrupted before the scan started; nothing written\n`);
  return code;
}
