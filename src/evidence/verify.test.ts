// The integrity half of verify on hand-made bundles (the end-to-end test scans moto for a real one).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Text, writeManifest } from './manifest.js';
import { runCli } from '../cli/main.js';
import { verifyBundle } from './verify.js';

async function bundleWith(files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-verify-unit-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await writeManifest(dir, { createdAt: '2026-01-01T00:00:00.000Z', toolVersion: 'test' });
  return dir;
}

function rewriteManifest(dir: string, edit: (m: { files: { path: string; sha256: string; bytes: number }[] }) => void): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  edit(manifest);
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(join(dir, 'manifest.json'), text);
  writeFileSync(join(dir, 'manifest.sha256'), `${sha256Text(text)}  manifest.json\n`);
}

const integrity = (problems: { kind: string; path: string | null }[]) => problems.filter((p) => p.path !== 'evidence.json');

describe('verifyBundle integrity checks', () => {
  it('an intact set of files passes the hash checks (and says evidence.json is missing for the re-evaluation)', async () => {
    const dir = await bundleWith({ 'a.txt': 'one', 'sub/b.txt': 'two' });
    const r = await verifyBundle(dir);
    expect(r.isBundle).toBe(true);
    expect(integrity(r.problems)).toEqual([]);
    expect(r.checks).toEqual(['manifest.json matches manifest.sha256 (sha256 ' + r.manifestSha256 + ')', 'all 2 files match their SHA-256 in manifest.json']);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'unreadable', path: 'evidence.json' })]);
  });

  it('refuses manifest paths that leave the bundle, and names duplicates', async () => {
    const dir = await bundleWith({ 'a.txt': 'one' });
    rewriteManifest(dir, (m) => {
      m.files.push({ path: '../outside.txt', sha256: '0'.repeat(64), bytes: 0 }, { path: 'a.txt', sha256: m.files[0]!.sha256, bytes: 3 });
    });
    const r = await verifyBundle(dir);
    expect(integrity(r.problems)).toEqual([
      expect.objectContaining({ kind: 'manifest', path: '../outside.txt' }),
      expect.objectContaining({ kind: 'manifest', message: 'manifest.json lists a.txt twice' }),
    ]);
  });

  it('a symlink in place of a file is a problem, never followed', async () => {
    const dir = await bundleWith({ 'a.txt': 'one' });
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'tw-verify-target-')), 'a.txt');
    writeFileSync(elsewhere, 'one');
    rmSync(join(dir, 'a.txt'));
    symlinkSync(elsewhere, join(dir, 'a.txt'));
    const r = await verifyBundle(dir);
    expect(integrity(r.problems)).toEqual([expect.objectContaining({ kind: 'edited', path: 'a.txt', message: expect.stringContaining('not a regular file') })]);
  });

  it('a FIFO anywhere in the bundle is named and never opened (a read would wait forever)', { timeout: 20_000 }, async () => {
    for (const fifo of ['evidence.json', 'manifest.json', 'a.txt']) {
      const dir = await bundleWith({ 'a.txt': 'one' });
      rmSync(join(dir, fifo), { force: true });
      execFileSync('mkfifo', [join(dir, fifo)]);
      const r = await verifyBundle(dir);
      expect(r.isBundle, fifo).toBe(true);
      expect(r.problems, fifo).toEqual([expect.objectContaining({ kind: 'edited', path: fifo, message: expect.stringContaining('not a regular file') })]);
    }
  });

  it('trailwarden verify on a bundle holding a FIFO: exit 1, the FIFO named', { timeout: 20_000 }, async () => {
    const dir = await bundleWith({ 'a.txt': 'one' });
    execFileSync('mkfifo', [join(dir, 'evidence.json')]);
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), stderrIsTTY: false, env: {}, cwd: process.cwd() };
    expect(await runCli(['verify', dir], io)).toBe(1);
    expect(stdout).toContain('evidence.json is not a regular file');
    expect(stderr).toContain('FAILED verification: 1 problem(s)');
  });

  it('a missing manifest.sha256 and a checksum line that is not one are each named', async () => {
    const dir = await bundleWith({ 'a.txt': 'one' });
    writeFileSync(join(dir, 'manifest.sha256'), 'trust me\n');
    expect(integrity((await verifyBundle(dir)).problems)).toEqual([expect.objectContaining({ kind: 'edited', path: 'manifest.sha256' })]);
    rmSync(join(dir, 'manifest.sha256'));
    expect(integrity((await verifyBundle(dir)).problems)).toEqual([expect.objectContaining({ kind: 'missing', path: 'manifest.sha256' })]);
  });
});
