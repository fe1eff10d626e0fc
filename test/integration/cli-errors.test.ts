// How a run ends when something other than the audit goes wrong: never with exit 1, which a
// pipeline reads as "the gate failed".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { cli } from '../harness/cli.js';

describe('errors outside the audit', () => {
  it('an --out the file system refuses is exit 2 with one line naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-clierr-'));
    writeFileSync(join(dir, 'file'), '');
    const run = await cli(['demo', '--out', join(dir, 'file', 'sub'), '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^trailwarden: --out: .*file\/sub cannot be created: .*file is not a directory\n$/);
  });

  it('a bug is exit 70 with one line, the stack only with TRAILWARDEN_DEBUG', async () => {
    let stderr = '';
    const io = (env: NodeJS.ProcessEnv): CliIO => ({
      stdout: () => {
        throw new TypeError('stdout went away');
      },
      stderr: (t) => (stderr += t),
      stderrIsTTY: false,
      env,
      cwd: process.cwd(),
    });
    expect(await runCli(['rules', 'list'], io({}))).toBe(70);
    expect(stderr).toBe('trailwarden: internal error: stdout went away (a bug in trailwarden; TRAILWARDEN_DEBUG=1 prints the stack)\n');
    stderr = '';
    expect(await runCli(['rules', 'list'], io({ TRAILWARDEN_DEBUG: '1' }))).toBe(70);
    expect(stderr).toContain('TypeError: stdout went away\n    at ');
  });
});
