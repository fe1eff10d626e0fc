import { resolve } from 'node:path';
import { CallCounter } from '../../collect/observer.js';
import { unusedShardIndex } from '../../shard/from-env.js';
import { shardFlag } from '../shard.js';
import { TOOL_VERSION } from '../../version.js';
import { EXIT, UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';
import { accountIds, endpointUrl, logWindow, ouIds, positiveInt, regionNames } from '../parse.js';
import { Progress } from '../progress.js';
import { finishEvidence, openEvidence } from './scan-evidence.js';
import { findingsSummary, scanSummary } from '../summary.js';
import { checkOutDir, evaluateSnapshot, gate, prepare, SNAPSHOT_FILE, spillDirFor, writeReports, type EvaluationFlags, type Prepared } from '../../core/pipeline.js';
import { loadSnapshot } from '../../inventory/load.js';
import type { Snapshot } from '../../inventory/schema.js';
import { dropHandoff, HANDOFF_ENV, takeHandoff, writeHandoff, type Handoff } from '../handoff.js';

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
  // This image continues a scan that handed its snapshot over (handoff.ts): evaluate and write.
  const handoff = await takeHandoff(io.env, outDir);
  if (handoff) return continueHandoff(handoff, flags, prepared, outDir, io);
  // --evidence: the bundle directory is checked and the rules/config copied in before any AWS call.
  const evidence = await openEvidence(flags, prepared, outDir, io.cwd);

  const unused = unusedShardIndex(flags, io.env);
  if (unused && !flags.quiet) io.stderr(`trailwarden: note: ${unused} is set but no --shard was given: this run scans every selected account (--shard auto splits the scan)\n`);
  // The collector and the AWS SDK are loaded only by the image that scans: they are ~120 MB of
  // resident memory the image that evaluates a handed-over snapshot does without.
  const { InterruptedBeforeDiscoveryError, NoCredentialsError, scan } = await import('../../collect/scan.js');
  const started = Date.now();
  const counter = new CallCounter();
  const progress = flags.quiet ? undefined : new Progress(io, () => counter.total);
  const signals = interruptOnSignal(io);
  try {
    let result;
    try {
      result = await scan({ ...options, verifyLogs: verifyLogs && evidence ? { ...verifyLogs, evidence: evidence.logs } : verifyLogs, counter, onProgress: progress?.on, signal: signals.signal, recorder: evidence?.recorder });
    } catch (err) {
      await evidence?.abandon();
      if (err instanceof InterruptedBeforeDiscoveryError) return interruptedBeforeStart(io, exitCodeOf(signals.by()));
      if (err instanceof NoCredentialsError) {
        if (signals.signal.aborted) return interruptedBeforeStart(io, exitCodeOf(signals.by()));
        throw new UsageError(err.message);
      }
      throw err;
    }
    const s = result.snapshot;
    if (!flags.quiet) {
      io.stderr(
        scanSummary(s, { retries: result.counter.retries, seconds: (Date.now() - started) / 1000 }, { verbose: !!flags.verbose, snapshotPath: resolve(outDir, SNAPSHOT_FILE) }),
      );
    }
    // Evaluated by a fresh image of this process, which this scan's memory does not burden: the
    // snapshot goes over through a file in --out. Not with --evidence, whose bundle is finished from
    // this image's state; not where the process cannot be replaced (a library or test caller,
    // Windows); not once a signal has come, whose second must still exit at once with 130 or 143
    // (a fresh image has no handler until it has started).
    if (io.replaceProcess && !evidence && !signals.signal.aborted) {
      const dir = await writeHandoff(outDir, s, { pid: process.pid, interruptedBy: signals.by(), rulesPackSha256: prepared.pack.sha256 });
      try {
        io.replaceProcess({ [HANDOFF_ENV]: dir });
      } catch (err) {
        // Not replaced (the system refused the exec): evaluated here, as without a handoff.
        dropHandoff(dir);
        if (flags.verbose) io.stderr(`trailwarden: note: evaluating in this process (${(err as Error).message})\n`);
      }
    }
    return await evaluateAndWrite(s, { flags, prepared, outDir, io, interrupt: signals, evidence, scanOptions: options });
  } finally {
    signals.release();
  }
}

const exitCodeOf = (signal: NodeJS.Signals | null) => (signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);

interface Interrupt {
  signal: AbortSignal;
  /** The signal that came first, if one did. */
  by(): NodeJS.Signals | null;
  release(): void;
}

/**
 * The first Ctrl-C (or SIGTERM, what CI runners and `timeout` send) stops the scan and keeps
 * what it saw (snapshot marked incomplete, reports with every unseen fact ERROR); a second
 * signal exits at once, and the staging directory goes with the process (util/atomic-write).
 */
function interruptOnSignal(io: CliIO, first: NodeJS.Signals | null = null): Interrupt {
  const interrupt = new AbortController();
  let interruptedBy = first;
  if (first) interrupt.abort(new Error(first));
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(exitCodeOf(signal));
    interruptedBy = signal;
    const what = signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted';
    io.stderr(`trailwarden: ${what}: stopping the scan and writing what was collected (Ctrl-C again to quit now)\n`);
    interrupt.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: interrupt.signal,
    by: () => interruptedBy,
    release: () => {
      // Once interrupted the process is on its way out: a later signal must still exit at once
      // with 130 or 143, not fall back to Node's default (killed by the signal).
      if (!interrupt.signal.aborted) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  };
}

/** The image a scan handed its snapshot to: reads it as `evaluate` would, and goes on where the scan stopped. */
async function continueHandoff(handoff: Handoff, flags: ScanFlags, prepared: Prepared, outDir: string, io: CliIO): Promise<number> {
  // A signal that stopped the scan still decides the exit code; one that comes now is handled as it was before the exec.
  const signals = interruptOnSignal(io, handoff.meta.interruptedBy);
  if (flags.verbose) {
    const heap = process.execArgv.filter((f) => /^--(max-semi-space-size|heap-growing-percent)\b/.test(f)).join(' ') || "Node's defaults";
    io.stderr(`trailwarden: note: evaluating in a fresh image of this process (heap: ${heap}), from the snapshot the scan handed over\n`);
  }
  try {
    if (handoff.meta.rulesPackSha256 !== prepared.pack.sha256) {
      throw new UsageError(
        `the rules pack changed while the scan ran (sha256 ${handoff.meta.rulesPackSha256.slice(0, 12)}… at the start, ${prepared.pack.sha256.slice(0, 12)}… now): nothing written; run the scan again`,
      );
    }
    const s = await loadSnapshot(handoff.snapshotFile);
    return await evaluateAndWrite(s, { flags, prepared, outDir, io, interrupt: signals, snapshotFile: handoff.snapshotFile });
  } finally {
    signals.release();
  }
}

interface AfterScan {
  flags: ScanFlags;
  prepared: Prepared;
  outDir: string;
  io: CliIO;
  interrupt: Pick<Interrupt, 'signal' | 'by'>;
  /** In the image the scan handed over to: the file that becomes snapshot.json as it is. */
  snapshotFile?: string;
  evidence?: Awaited<ReturnType<typeof openEvidence>>;
  scanOptions?: Parameters<typeof finishEvidence>[1]['scanOptions'];
}

/** Evaluates the scan's snapshot, writes it with the reports as one set, and gives the gate's exit code. */
async function evaluateAndWrite(s: Snapshot, { flags, prepared, outDir, io, interrupt, snapshotFile, evidence, scanOptions }: AfterScan): Promise<number> {
  const snapshotPath = resolve(outDir, SNAPSHOT_FILE);
  const evaluatedAt = new Date();
  // The findings go to a file inside --out as they are evaluated, and are read back by each
  // report as it is written: at 10,000 accounts they are hundreds of megabytes as objects.
  const outcome = evaluateSnapshot(s, prepared, flags.framework, evaluatedAt, { spillDir: spillDirFor(outDir, prepared.formats) });
  // snapshot.json and the reports replace the previous set together, or not at all.
  let written;
  try {
    written = (await writeReports(outDir, outcome, prepared.formats, { snapshot: snapshotFile ?? true })).filter((p) => p !== snapshotPath);
  } catch (err) {
    await evidence?.abandon();
    throw err;
  } finally {
    outcome.dispose();
  }
  if (!flags.quiet) io.stderr(findingsSummary(outcome.report, written));
  if (evidence) await finishEvidence(evidence, { flags, prepared, snapshot: s, outDir, evaluatedAt, scanOptions: scanOptions! }, io);
  // A Ctrl-C that came after the scan had finished interrupted nothing: the gate still decides.
  const interruptedBy = interrupt.by();
  if (interrupt.signal.aborted && !s.complete) {
    const code = exitCodeOf(interruptedBy);
    io.stderr(`trailwarden: exit ${code}: ${interruptedBy === 'SIGTERM' ? 'terminated' : 'interrupted'}; ${snapshotPath} is a partial snapshot (complete: false)\n`);
    return code;
  }
  // The same gate as evaluate: collection errors that no rule needed make the scan incomplete there too.
  const verdict = gate({ findings: outcome.notable }, s, prepared.failOn, !!flags.allowIncomplete, prepared.baseline);
  io.stderr(`trailwarden: ${verdict.line}\n`);
  return verdict.code;
}

/** Interrupted before the caller's identity or the organization's accounts were known: there is nothing honest to write. */
function interruptedBeforeStart(io: CliIO, code: number): number {
  io.stderr(`trailwarden: exit ${code}: interrupted before the scan started; nothing written\n`);
  return code;
}
