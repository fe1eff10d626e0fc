// The runtime of the long-running commands (bin/runtime.js): scan (with or without --verify-logs)
// and verify-logs run in a process with a bounded heap; every other command keeps Node's
// defaults, and a heap setting the user gave is kept.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { boundsHeap, EVALUATE_NODE_FLAGS, evaluates, evaluationExecArgv, LOG_VERIFY_NODE_FLAGS, RUNTIME_FLAGS_ENV, scans, verifiesLogs } from '../../bin/runtime.js';

const run = promisify(execFile);
const canExec = typeof (process as { execve?: unknown }).execve === 'function';

/** A script that asks for the log-verifying runtime like the bin, then prints what it runs with. */
function probe(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-runtime-'));
  const file = join(dir, 'probe.mjs');
  writeFileSync(file, [
    `import { execForLogVerification } from ${JSON.stringify(pathToFileURL(join(process.cwd(), 'bin/runtime.js')).href)};`,
    "import { fileURLToPath } from 'node:url';",
    'execForLogVerification(fileURLToPath(import.meta.url), process.argv.slice(2));',
    `console.log(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2), runtime: process.env[${JSON.stringify('TRAILWARDEN_NODE_FLAGS')}] ?? null }));`,
  ].join('\n'));
  return file;
}

describe('the log-verifying runtime', () => {
  it('knows which command lines verify logs', () => {
    expect(verifiesLogs(['scan', '--verify-logs'])).toBe(true);
    expect(verifiesLogs(['--json-logs', 'scan', '--since', '7d', '--verify-logs'])).toBe(true);
    expect(verifiesLogs(['verify-logs', '--trail', 'arn:aws:cloudtrail:us-east-1:111111111111:trail/t'])).toBe(true);
    expect(verifiesLogs(['scan', '--out', 'x'])).toBe(false);
    expect(verifiesLogs(['report', 'snapshot.json'])).toBe(false);
    expect(verifiesLogs(['scan', '--', '--verify-logs'])).toBe(false);
  });

  it('bounds the heap of every scan, of log verification and of evaluate, and of nothing else', () => {
    expect(scans(['scan', '--out', 'x'])).toBe(true);
    expect(scans(['--json-logs', 'scan'])).toBe(true);
    expect(scans(['evaluate', 'scan'])).toBe(false); // a snapshot file named "scan"
    expect(scans(['--', 'scan'])).toBe(false);
    expect(evaluates(['evaluate', 'snapshot.json', '--out', 'r'])).toBe(true);
    expect(evaluates(['scan', '--out', 'evaluate'])).toBe(false);
    expect(evaluates(['--', 'evaluate'])).toBe(false);
    for (const argv of [['scan'], ['scan', '--verify-logs'], ['verify-logs', '--trail', 't'], ['evaluate', 'snapshot.json']]) expect(boundsHeap(argv), argv.join(' ')).toBe(true);
    for (const argv of [['demo'], ['rules', 'list'], ['merge', 'a.json', 'b.json'], ['diff', 'evaluate', 'b.json']]) expect(boundsHeap(argv), argv.join(' ')).toBe(false);
  });

  it('replaces the process with one that has the flags, arguments unchanged, only for a scan, log verification or evaluate', async () => {
    const file = probe();
    const verifying = JSON.parse((await run(process.execPath, [file, 'scan', '--verify-logs', '--since', '2d'])).stdout) as { execArgv: string[]; argv: string[] };
    expect(verifying.argv).toEqual(['scan', '--verify-logs', '--since', '2d']);
    // Without process.execve (Windows) the command runs with Node's defaults.
    expect(verifying.execArgv).toEqual(canExec ? [...LOG_VERIFY_NODE_FLAGS] : []);
    const scan = JSON.parse((await run(process.execPath, [file, 'scan', '--out', 'x'])).stdout) as { execArgv: string[] };
    expect(scan.execArgv).toEqual(canExec ? [...LOG_VERIFY_NODE_FLAGS] : []);
    const evaluating = JSON.parse((await run(process.execPath, [file, 'evaluate', 'snapshot.json'])).stdout) as { execArgv: string[]; argv: string[] };
    expect(evaluating.argv).toEqual(['evaluate', 'snapshot.json']);
    // An evaluation has flags of its own (a smaller young generation, old space grown by a quarter).
    expect(evaluating.execArgv).toEqual(canExec ? [...EVALUATE_NODE_FLAGS] : []);
    const other = JSON.parse((await run(process.execPath, [file, 'demo', '--out', 'x'])).stdout) as { execArgv: string[] };
    expect(other.execArgv).toEqual([]);
  });

  it('gives the image a scan hands over to the evaluation\'s flags in place of those the bin added, and leaves the user\'s as given', async () => {
    const file = probe();
    const scan = JSON.parse((await run(process.execPath, [file, 'scan', '--out', 'x'])).stdout) as { execArgv: string[]; runtime: string | null };
    if (canExec) {
      expect(JSON.parse(scan.runtime!)).toEqual({ added: [...LOG_VERIFY_NODE_FLAGS], evaluate: [...EVALUATE_NODE_FLAGS] });
      expect(evaluationExecArgv(scan.execArgv, { [RUNTIME_FLAGS_ENV]: scan.runtime! })).toEqual([...EVALUATE_NODE_FLAGS]);
    }
    expect(evaluationExecArgv(['--max-semi-space-size=32', '--enable-source-maps'], {})).toEqual(['--max-semi-space-size=32', '--enable-source-maps']);
    expect(evaluationExecArgv([...LOG_VERIFY_NODE_FLAGS, '--enable-source-maps'], { [RUNTIME_FLAGS_ENV]: JSON.stringify({ added: LOG_VERIFY_NODE_FLAGS, evaluate: EVALUATE_NODE_FLAGS }) })).toEqual([...EVALUATE_NODE_FLAGS, '--enable-source-maps']);
    expect(evaluationExecArgv(['--x'], { [RUNTIME_FLAGS_ENV]: 'not json' })).toEqual(['--x']);
    const flagged = JSON.parse((await run(process.execPath, ['--max-semi-space-size=32', file, 'scan'])).stdout) as { runtime: string | null };
    expect(flagged.runtime).toBeNull();
  });

  it('keeps a young-generation size the user set, on the command line or in NODE_OPTIONS', async () => {
    const file = probe();
    const flagged = JSON.parse((await run(process.execPath, ['--max-semi-space-size=32', file, 'verify-logs'])).stdout) as { execArgv: string[] };
    expect(flagged.execArgv).toEqual(['--max-semi-space-size=32']);
    const env = { ...process.env, NODE_OPTIONS: '--max-semi-space-size=32' };
    const optioned = JSON.parse((await run(process.execPath, [file, 'verify-logs'], { env })).stdout) as { execArgv: string[] };
    expect(optioned.execArgv).toEqual([]);
  });

  it('the bin still runs the command after the exec, with no runtime warning', async () => {
    const { stdout, stderr } = await run(process.execPath, ['bin/trailwarden.js', 'verify-logs', '--help']);
    expect(stdout).toMatch(/--trail/);
    expect(stderr).not.toMatch(/Warning|deprecat/i);
  });
});
