// `trailwarden rules list | head -1`: a reader that stops reading ends the run quietly.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function run(args: string[], closeAfter: 'start' | 'first chunk'): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/trailwarden.js', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    if (closeAfter === 'start') child.stdout.destroy();
    else child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('stdout closed by its reader (EPIPE)', () => {
  it('rules list into a reader gone before the first line: exit 0, nothing on stderr', async () => {
    expect(await run(['rules', 'list'], 'start')).toEqual({ code: 0, stderr: '' });
  });

  it('rules list into a reader that stops after the first chunk, as head -1 does: exit 0, nothing on stderr', async () => {
    expect(await run(['rules', 'list'], 'first chunk')).toEqual({ code: 0, stderr: '' });
  });
});
