// The files of one run replace the previous set in --out as a whole or not at all (issue 11,
// item 5): an --out that cannot take them is refused before any AWS call or evaluation, and a
// failure while writing (a full disk, a directory in the way) leaves the previous set as it was
// and no staging directory or temporary file behind.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtomicFileSet } from '../../src/util/atomic-write.js';
import { cli } from '../harness/cli.js';
import { emulatorEnv } from '../harness/context.js';

const BASE = new URL('../rules/base-snapshot.json', import.meta.url).pathname;
const DEMO = new URL('../../demo/snapshot.json', import.meta.url).pathname;
const work = () => mkdtempSync(join(tmpdir(), 'tw-aon-'));
const NOW = '2026-11-21T12:00:00Z';

/** Every file under `dir` with its bytes: what "the previous set is intact" compares. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length + 1)] = readFileSync(join(e.parentPath, e.name), 'latin1');
    else if (e.isDirectory()) out[`${join(e.parentPath, e.name).slice(dir.length + 1)}/`] = '';
  }
  return out;
}
const leftovers = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((f) => /staging|\.tmp$/.test(f));

/** An endpoint that accepts connections and never answers: any AWS call would be seen, and hang. */
let endpoint: { url: string; connections: number; server: Server };
const sockets = new Set<Socket>();
beforeAll(async () => {
  // Usable credentials: without the check, the scan would go on to call the endpoint.
  emulatorEnv("");
  const server = createServer((socket) => {
    endpoint.connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  endpoint = { url: `http://127.0.0.1:${port}`, connections: 0, server };
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((r) => endpoint.server.close(r));
});

const scan = (args: string[]) => cli(['scan', '--endpoint-url', endpoint.url, '--regions', 'us-east-1', '--request-timeout', '1000', '--max-attempts', '1', '--quiet', ...args]);

/** A previous run's set: what every failure below must leave byte for byte. */
async function previousSet(dir: string): Promise<Record<string, string>> {
  const run = await cli(['evaluate', BASE, '--out', dir, '--now', '2026-01-01T00:00:00Z', '--format', 'json,html,csv']);
  expect(run.code, run.stderr).toBe(0);
  writeFileSync(join(dir, 'snapshot.json'), readFileSync(BASE));
  return contents(dir);
}

describe('--out is checked before any AWS call or evaluation', () => {
  it('(control) a scan with a usable --out does reach the endpoint, so a count of 0 below means no call', async () => {
    endpoint.connections = 0;
    await scan(['--out', join(work(), 'out')]);
    expect(endpoint.connections).toBeGreaterThan(0);
  });

  it('scan: an --out below a regular file (unwritable even for root) exits 2 at once, no AWS call made', async () => {
    const dir = work();
    writeFileSync(join(dir, 'file'), 'x');
    endpoint.connections = 0;
    const run = await scan(['--out', join(dir, 'file', 'sub')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--out: ');
    expect(run.stderr).toContain('is not a directory');
    expect(endpoint.connections).toBe(0);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('scan: a directory where report.html goes exits 2 before any AWS call; the previous snapshot and reports are untouched', async () => {
    const dir = work();
    const before = await previousSet(dir);
    rmSync(join(dir, 'report.html'));
    mkdirSync(join(dir, 'report.html'));
    writeFileSync(join(dir, 'report.html', 'keep'), 'k');
    const planted = contents(dir);
    endpoint.connections = 0;
    const run = await scan(['--out', dir]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${join(dir, 'report.html')} is a directory; a report cannot replace it`);
    expect(endpoint.connections).toBe(0);
    expect(contents(dir)).toEqual(planted);
    expect(planted['snapshot.json']).toBe(before['snapshot.json']);
    expect(leftovers(dir)).toEqual([]);
  });

  it('scan: an --evidence below a regular file exits 2 before any AWS call', async () => {
    const dir = work();
    writeFileSync(join(dir, 'file'), 'x');
    endpoint.connections = 0;
    const run = await scan(['--out', join(dir, 'out'), '--evidence', join(dir, 'file', 'bundle')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('--evidence: ');
    expect(run.stderr).toContain('ENOTDIR');
    expect(endpoint.connections).toBe(0);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('evaluate: an --out below a regular file exits 2 with one line naming --out and the file in the way, before evaluating', async () => {
    const dir = work();
    writeFileSync(join(dir, 'file'), 'x');
    const run = await cli(['evaluate', BASE, '--out', join(dir, 'file', 'sub'), '--now', NOW]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toBe(`trailwarden: --out: ${join(dir, 'file', 'sub')} cannot be created: ${join(dir, 'file')} is not a directory\n`);
  });

  it('evaluate: a directory planted at report.html: exit 2 naming it, the previous set byte-identical, no staging directory left', async () => {
    const dir = work();
    await previousSet(dir);
    rmSync(join(dir, 'report.html'));
    mkdirSync(join(dir, 'report.html'));
    const planted = contents(dir);
    const run = await cli(['evaluate', BASE, '--out', dir, '--now', NOW, '--format', 'json,html,csv']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('report.html is a directory');
    expect(contents(dir)).toEqual(planted);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('a set that cannot be written whole leaves the previous set intact', () => {
  it('ENOSPC (a 64 KiB tmpfs): exit 2 saying so, the previous set byte-identical, no temporary file', async () => {
    const dir = work();
    // The tests run as root; a real full filesystem, not an injected error.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    try {
      const old = { 'report.json': '{"old": true}\n', 'report.html': '<p>old</p>\n' };
      for (const [name, text] of Object.entries(old)) writeFileSync(join(dir, name), text);
      // The demo's reports are well over 64 KiB: the disk fills while they are staged.
      const run = await cli(['evaluate', DEMO, '--out', dir, '--now', NOW]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('ENOSPC');
      expect(run.stderr).toContain('the previous files there are unchanged');
      expect(contents(dir)).toEqual(old);
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('a directory that appears at a report path after staging: nothing is renamed, the staging directory is removed', async () => {
    const dir = work();
    writeFileSync(join(dir, 'a.json'), 'old a');
    const set = new AtomicFileSet();
    await set.stage(join(dir, 'a.json'), ['new a']);
    await set.stage(join(dir, 'b.json'), ['new b']);
    mkdirSync(join(dir, 'b.json'));
    await expect(set.commit()).rejects.toThrow(/b\.json is a directory/);
    await set.abort();
    expect(contents(dir)).toEqual({ 'a.json': 'old a', 'b.json/': '' });
  });

  it('a rename that fails mid-swap puts the previous files back', async () => {
    const dir = work();
    writeFileSync(join(dir, 'a.json'), 'old a');
    writeFileSync(join(dir, 'b.json'), 'old b');
    const set = new AtomicFileSet();
    await set.stage(join(dir, 'a.json'), ['new a']);
    await set.stage(join(dir, 'b.json'), ['new b']);
    // The staged b.json vanishes: a.json is already swapped in when b.json's rename fails.
    const staging = readdirSync(dir).find((f) => f.startsWith('.trailwarden-staging-'))!;
    rmSync(join(dir, staging, 'b.json'));
    await expect(set.commit()).rejects.toThrow(/ENOENT/);
    await set.abort();
    expect(contents(dir)).toEqual({ 'a.json': 'old a', 'b.json': 'old b' });
  });

  it('a complete set replaces the previous one and leaves no staging directory', async () => {
    const dir = work();
    await previousSet(dir);
    const run = await cli(['evaluate', BASE, '--out', dir, '--now', NOW, '--format', 'json,html,csv']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).generatedAt).toBe('2026-11-21T12:00:00.000Z');
    expect(readdirSync(dir).sort()).toEqual(['report.csv', 'report.html', 'report.json', 'snapshot.json']);
  });

  it('a report of a format the new run does not write goes with the previous set, and stays when the run fails', async () => {
    const dir = work();
    expect((await cli(['evaluate', BASE, '--out', dir, '--now', NOW, '--format', 'json,csv,md'])).code).toBe(0);
    // A failing run (a directory where report.html goes) leaves the whole previous set, csv and md included.
    mkdirSync(join(dir, 'report.html'));
    const before = contents(dir);
    expect((await cli(['evaluate', BASE, '--out', dir, '--now', NOW, '--format', 'json,html'])).code).toBe(2);
    expect(contents(dir)).toEqual(before);
    rmSync(join(dir, 'report.html'), { recursive: true });
    const run = await cli(['evaluate', BASE, '--out', dir, '--now', NOW, '--format', 'json,html']);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json']);
  });
});

describe('a signal while evaluate writes its reports (the real CLI in a subprocess)', () => {
  /** 4,000 trails: reports of ~100 MB, several seconds of writing to interrupt. */
  function bigSnapshot(dir: string): string {
    const snapshot = JSON.parse(readFileSync(BASE, 'utf8')) as { trails: { arn: string; name: string }[] };
    const [trail] = snapshot.trails;
    snapshot.trails = Array.from({ length: 4000 }, (_, i) => ({ ...structuredClone(trail!), arn: `${trail!.arn}-${i}`, name: `${trail!.name}-${i}` }));
    const file = join(dir, 'big-snapshot.json');
    writeFileSync(file, JSON.stringify(snapshot));
    return file;
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i, the previous set byte-identical, no staging directory or temporary file left', async (signal, expected) => {
    const dir = work();
    const big = bigSnapshot(dir);
    const out = join(dir, 'out');
    mkdirSync(out);
    const before = await previousSet(out);
    const child = spawn(process.execPath, ['bin/trailwarden.js', 'evaluate', big, '--out', out, '--now', NOW, '--format', 'json,html,csv'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once a report is being written into the staging directory: the set's, not the
    // writability probe's (same prefix), which is made and removed at startup and may go between
    // the two reads.
    const staged = () => {
      const staging = readdirSync(out).find((f) => f.startsWith('.trailwarden-staging-') && !f.startsWith('.trailwarden-staging-probe-'));
      if (!staging) return false;
      try {
        return readdirSync(join(out, staging)).length > 0;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    };
    const deadline = Date.now() + 30_000;
    while (!staged() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(staged(), stderr).toBe(true);
    child.kill(signal);
    expect(await exited, stderr).toBe(expected);
    expect(stderr).toContain('nothing written, the previous reports are unchanged');
    expect(contents(out)).toEqual(before);
    expect(leftovers(out)).toEqual([]);
  }, 60_000);
});
