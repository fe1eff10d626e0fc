// The supported runtime: the bin refuses an older Node with one line and exit 2, and the commands
// people run first print no runtime warning (the AWS SDK warns on an end-of-life Node).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = 'bin/trailwarden.js';

describe('the Node.js runtime', () => {
  it('an older Node: exit 2 and one line naming the versions it needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-node-'));
    // Pretend to be Node 20: the check reads process.versions.node before anything else loads.
    const preload = join(dir, 'node20.cjs');
    writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '20.19.0' });\n");
    const err = await run(process.execPath, ['-r', preload, bin, 'demo', '--out', join(dir, 'demo')]).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stdout).toBe('');
    expect(err?.stderr.trim().split('\n')).toEqual(['trailwarden: needs Node.js 22 (22.12 or later) or 24 LTS; this is Node.js 20.19.0']);
  });

  it('this Node is a supported one, and demo, rules list and iam-policy print no runtime warning', async () => {
    const [major] = process.versions.node.split('.').map(Number);
    expect([22, 24].includes(major!) || major! > 24).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'tw-node-'));
    for (const args of [['demo', '--out', join(dir, 'demo')], ['rules', 'list'], ['iam-policy', '--for', 'member']]) {
      const { stderr, stdout } = await run(process.execPath, [bin, ...args]);
      expect(stdout.length, args.join(' ')).toBeGreaterThan(0);
      expect(stderr, args.join(' ')).not.toMatch(/Warning|deprecat/i);
    }
  });
});
