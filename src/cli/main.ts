// The CLI entry: parse flags, lazy-load the command, map typed errors to exit codes.
import { Command, CommanderError, Option } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { EXIT, UsageError } from '../core/errors.js';
import { processIO, type CliIO } from './io.js';

export { processIO };
import { jsonLogsIO } from './json-logs.js';
import { collectList } from './parse.js';
import { terminalSafeIO } from './terminal-safe.js';
import { InputError } from '../util/input-error.js';

/** Kept in step with src/report/formats/index.ts by a test; not imported, so startup stays light. */
export const FORMAT_HELP = 'report formats, comma-separated: json, html, csv, sarif, junit, ocsf, asff, md, compliance (default: json,html)';

export async function runCli(argv: string[], processIo: CliIO = processIO()): Promise<number> {
  const options = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  // Innermost, so it sees the bytes as they leave: JSON log lines included, each escaped once.
  const safeIo = terminalSafeIO(processIo);
  const jsonLogs = options.includes('--json-logs') ? jsonLogsIO(safeIo) : null;
  const io = jsonLogs ?? safeIo;
  try {
    return await run(argv, io, jsonLogs);
  } finally {
    jsonLogs?.flush();
  }
}

async function run(argv: string[], io: CliIO, jsonLogs: ReturnType<typeof jsonLogsIO> | null): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('trailwarden')
    .description('Audit AWS CloudTrail across a whole AWS Organization.')
    .version(TOOL_VERSION, '-V, --version')
    .exitOverride()
    // Under --json-logs a parse error becomes one error record (in the catch below), not prose.
    .configureOutput(jsonLogs ? { writeOut: io.stdout, writeErr: () => {}, outputError: () => {} } : { writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)')
    .option('--json-logs', 'write every stderr line as one JSON object {time, level, msg, exitCode?} (any command)');

  program
    .command('scan')
    .description('inventory every CloudTrail trail of the organization (or the caller\'s account) into snapshot.json')
    .option('--out <dir>', 'output directory', './trailwarden-report')
    .option('--role-name <name>', 'role assumed in each member account', 'OrganizationAccountAccessRole')
    .option('--external-id <id>', 'external id passed to sts:AssumeRole')
    .option('--accounts <ids>', 'only these account ids (comma-separated, repeatable)', collectList)
    .option('--ous <ids>', 'only accounts under these OU or root ids (comma-separated, repeatable)', collectList)
    .option('--exclude-accounts <ids>', 'skip these account ids (comma-separated, repeatable)', collectList)
    .option('--regions <names>', 'only these regions (comma-separated, repeatable)', collectList)
    .option('--shard <K/N|auto>', 'scan only shard K of N of the selected accounts (join the shards with trailwarden merge); auto: from JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX/_SIZE or TRAILWARDEN_SHARD')
    .option('--shard-count <n>', 'shard count N; the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (0-based)')
    .option('--concurrency <n>', 'API requests in flight across the scan', '32')
    .option('--account-concurrency <n>', 'API requests in flight per account', '8')
    .option('--max-attempts <n>', 'attempts per API call, retries included (adaptive backoff)', '10')
    .option('--request-timeout <ms>', 'per-attempt timeout in milliseconds', '20000')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (emulators; also AWS_ENDPOINT_URL)')
    .option('--config <file>', 'trailwarden.config.yaml: rule parameters and switches')
    .option('--rules <dir>', 'add a directory of your own rules (repeatable)', collectList)
    .option('--framework <id>', 'only rules mapped to this framework, e.g. cis-aws-v3.0.0')
    .option('--format <list>', FORMAT_HELP, collectList)
    .option('--fail-on <severity>', 'exit 1 when a FAIL is at or above this severity (none: never on findings)', 'high')
    .option('--waivers <file>', 'waivers.yaml: accepted FAILs, each with reason, owner and expiry')
    .option('--baseline <report>', 'an earlier report.json: only FAILs new since it fail the gate')
    .option('--baseline-any', 'accept a --baseline of another organization or rules pack')
    .option('--history <dir>', 'earlier report.json files (DIR/*.json or DIR/*/report.json): the HTML draws the score trend and what changed since the last run')
    .option('--severity <list>', 'only rules of these severities (comma-separated: critical, high, medium, low, informational)', collectList)
    .option('--only-rules <ids>', 'only these rule ids (comma-separated, repeatable)', collectList)
    .option('--exclude-rules <ids>', 'leave these rule ids out (comma-separated, repeatable)', collectList)
    .option('--status <list>', 'show only findings of these statuses in the reports (PASS, FAIL, ERROR, NOT_APPLICABLE); the gate still judges all', collectList)
    .option('--allow-incomplete', 'exit 0 even when some facts could not be collected')
    .addOption(new Option('--quiet', 'no progress and no summary on stderr').conflicts('verbose'))
    .option('--verbose', 'list every collection error in the summary')
    .option('--evidence <dir>', 'also write a pre-audit evidence bundle to this new directory (check it with trailwarden verify)')
    .option('--verify-logs', 'also prove the logs: walk every validated trail\'s digest chain and log files, per account and region, over the window')
    .option('--since <time>', 'start of the --verify-logs window: ISO 8601 time with zone, date, or a duration back (7d, 36h) (default: 7d before --until)')
    .option('--until <time>', 'end of the --verify-logs window (default: now)')
    .addOption(new Option('--verify-depth <depth>', 'digests: signatures, chain and log presence; logs: also hash every log file').choices(['digests', 'logs']))
    .option('--get-concurrency <n>', 'S3 object reads in flight for --verify-logs', '64')
    .action(async (opts) => {
      const { runScan } = await import('./commands/scan.js');
      exitCode = await runScan(opts, io);
    });

  const rulesOptions = (cmd: Command) =>
    cmd
      .option('--config <file>', 'trailwarden.config.yaml: rule parameters and switches')
      .option('--rules <dir>', 'add a directory of your own rules (repeatable)', collectList)
      .option('--framework <id>', 'only rules mapped to this framework, e.g. cis-aws-v3.0.0')
      .option('--format <list>', FORMAT_HELP, collectList)
      .option('--fail-on <severity>', 'exit 1 when a FAIL is at or above this severity (none: never on findings)', 'high')
      .option('--waivers <file>', 'waivers.yaml: accepted FAILs, each with reason, owner and expiry')
      .option('--baseline <report>', 'an earlier report.json: only FAILs new since it fail the gate')
      .option('--baseline-any', 'accept a --baseline of another organization or rules pack')
      .option('--history <dir>', 'earlier report.json files (DIR/*.json or DIR/*/report.json): the HTML draws the score trend and what changed since the last run')
      .option('--severity <list>', 'only rules of these severities (comma-separated: critical, high, medium, low, informational)', collectList)
      .option('--only-rules <ids>', 'only these rule ids (comma-separated, repeatable)', collectList)
      .option('--exclude-rules <ids>', 'leave these rule ids out (comma-separated, repeatable)', collectList)
      .option('--status <list>', 'show only findings of these statuses in the reports (PASS, FAIL, ERROR, NOT_APPLICABLE); the gate still judges all', collectList)
      .option('--allow-incomplete', 'exit 0 even when the snapshot is incomplete (ERROR findings, collection errors)');

  rulesOptions(
    program
      .command('evaluate')
      .description('re-evaluate a saved snapshot.json offline and write the reports')
      .argument('<snapshot>', 'a snapshot.json written by trailwarden scan')
      .option('--out <dir>', 'output directory', './trailwarden-report')
      .option('--now <time>', 'evaluate as of this ISO 8601 time (default: when the snapshot was taken, its finishedAt)')
      .option('--quiet', 'only the exit line on stderr'),
  ).action(async (snapshot: string, opts) => {
    // A date, or a time with its zone: a zoneless time would be read in the machine's local zone,
    // and waiver expiry and ages would change with the TZ of whoever runs it.
    const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
    if (opts.now !== undefined && (!iso.test(opts.now) || Number.isNaN(Date.parse(opts.now)))) {
      throw new UsageError(`--now: "${opts.now}" is not an ISO 8601 date or a time with its zone (e.g. 2026-11-21 or 2026-11-21T12:00:00Z)`);
    }
    const { runEvaluate } = await import('./commands/evaluate.js');
    exitCode = await runEvaluate(snapshot, opts, io);
  });

  rulesOptions(
    program
      .command('demo')
      .description('evaluate the bundled demo organization (no AWS account needed) and write its reports; exits 0 unless misused')
      .option('--out <dir>', 'output directory', './trailwarden-demo')
      .option('--quiet', 'only the report paths and the exit line'),
  ).action(async (opts) => {
    const { runDemo } = await import('./commands/demo.js');
    exitCode = await runDemo(opts, io);
  });

  const rules = program.command('rules').description('list, validate or document the rules pack');
  rules
    .command('list')
    .description('list the rules (built-in plus --rules directories)')
    .option('--rules <dir>', 'add a directory of your own rules (repeatable)', collectList)
    .option('--json', 'as JSON')
    .action(async (opts) => {
      const { runRulesList } = await import('./commands/rules.js');
      exitCode = await runRulesList(opts, io);
    });
  rules
    .command('validate')
    .description('validate a rules directory (with the built-in pack); exit 2 with file:line on the first problem')
    .argument('[dir]', 'your rules directory')
    .action(async (dir: string | undefined) => {
      const { runRulesValidate } = await import('./commands/rules.js');
      exitCode = await runRulesValidate(dir, io);
    });
  rules
    .command('docs')
    .description('print the rule reference generated from the pack (Markdown) on stdout')
    .option('--out <file>', 'write it to this file instead')
    .action(async (opts) => {
      const { runRulesDocs } = await import('./commands/rules.js');
      exitCode = await runRulesDocs(opts, io);
    });

  program
    .command('merge')
    .description('join the snapshots of a sharded scan (scan --shard K/N) into one snapshot')
    .argument('<snapshots...>', 'one snapshot.json per shard')
    .requiredOption('--out <file>', 'where to write the merged snapshot')
    .option('--quiet', 'no summary on stderr')
    .action(async (snapshots: string[], opts) => {
      const { runMerge } = await import('./commands/merge.js');
      exitCode = await runMerge(snapshots, opts, io);
    });

  program
    .command('diff')
    .description('new, resolved and changed findings between two report.json files; exits 0 unless --fail-on-new')
    .argument('<old>', 'the earlier report.json')
    .argument('<new>', 'the later report.json')
    .option('--json', 'as JSON')
    .option('--fail-on-new <severity>', 'exit 1 when NEW has a FAIL, not waived, at or above this severity that OLD did not')
    .action(async (oldReport: string, newReport: string, opts) => {
      const { runDiff } = await import('./commands/diff.js');
      exitCode = await runDiff(oldReport, newReport, opts, io);
    });

  program
    .command('verify')
    .description('check an evidence bundle offline: every hash, and that its reports are what its snapshot, rules and config give')
    .argument('<dir>', 'a directory written by scan --evidence')
    .option('--manifest-sha256 <hex>', 'also require this SHA-256 of manifest.json (a copy kept outside the bundle)')
    .option('--json', 'the result as JSON on stdout')
    .action(async (dir: string, opts) => {
      const { runVerify } = await import('./commands/verify.js');
      exitCode = await runVerify(dir, opts, io);
    });

  program
    .command('verify-logs')
    .description('verify one trail\'s digest chain and log files, every region at once, with the caller\'s credentials: the fast drop-in for aws cloudtrail validate-logs (exit 1 on anything invalid)')
    .requiredOption('--trail <arn>', 'the trail ARN')
    .option('--account <ids>', 'for an organization trail: the member accounts whose logs to verify (comma-separated, repeatable)', collectList)
    .option('--shard <K/N|auto>', 'verify only the accounts of shard K of N (the assignment of scan --shard); auto: from the environment, as scan')
    .option('--shard-count <n>', 'shard count N; the index from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX')
    .option('--since <time>', 'start of the window: ISO 8601 time with zone, date, or a duration back (7d, 36h) (default: 7d before --until)')
    .option('--until <time>', 'end of the window (default: now)')
    .addOption(new Option('--verify-depth <depth>', 'digests: signatures, chain and log presence; logs: also hash every log file').choices(['digests', 'logs']))
    .option('--regions <names>', 'only these regions (default: every region the trail wrote digests for)', collectList)
    .option('--verbose', 'a line per digest and log file')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (emulators; also AWS_ENDPOINT_URL)')
    .option('--get-concurrency <n>', 'S3 object reads in flight', '64')
    .action(async (opts) => {
      const { runVerifyLogs } = await import('./commands/verify-logs.js');
      exitCode = await runVerifyLogs(opts, io);
    });

  program
    .command('iam-policy')
    .description('print the least-privilege IAM policy generated from the collectors\' declarations')
    .addOption(new Option('--for <principal>', 'member: the role in each account; scanner: the principal running the scan').choices(['member', 'scanner']).default('scanner'))
    .option('--role-name <name>', 'member role the scanner assumes', 'OrganizationAccountAccessRole')
    .option('--partition <name>', 'ARN partition', 'aws')
    .option('--with-log-verification', 'add what scan --verify-logs reads: s3:ListBucket, s3:GetObject, cloudtrail:ListPublicKeys, kms:Decrypt through S3')
    .action(async (opts) => {
      const { runIamPolicy } = await import('./commands/iam-policy.js');
      exitCode = await runIamPolicy(opts, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      if (err.exitCode === 0) return EXIT.ok;
      jsonLogs?.error(err.message.replace(/^error: /, ''), EXIT.usage);
      return EXIT.usage;
    }
    const [code, message] =
      err instanceof UsageError || err instanceof InputError
        ? [EXIT.usage, err.message]
        : systemError(err)
          ? [EXIT.usage, `${err.message}`]
          : [EXIT.internal, `internal error: ${(err as Error)?.message ?? String(err)} (a bug in trailwarden; TRAILWARDEN_DEBUG=1 prints the stack)`];
    if (code === EXIT.internal && io.env.TRAILWARDEN_DEBUG) io.stderr(`${(err as Error)?.stack ?? String(err)}\n`);
    if (jsonLogs) jsonLogs.error(message, code);
    else io.stderr(`trailwarden: ${message}\n`);
    return code;
  }
}

/** A file system refusal (a path that is not a directory, no permission, a full disk): the input or environment, not a bug. */
function systemError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}
