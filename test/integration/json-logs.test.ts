// --json-logs: every stderr line of a run is one JSON object, the last one carrying the exit code.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';

const SNAPSHOT = fileURLToPath(new URL('../rules/base-snapshot.json', import.meta.url));
const records = (stderr: string) => stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('--json-logs', () => {
  it('turns each stderr line into {time, level, msg}, the last with the exit code', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tw-jsonlogs-'));
    const run = await cli(['evaluate', SNAPSHOT, '--out', out, '--now', '2026-11-21T12:00:00Z', '--json-logs'], { tty: true });
    expect(run.code).toBe(0);
    const logs = records(run.stderr);
    expect(logs.length).toBeGreaterThan(2);
    for (const r of logs) {
      expect(Object.keys(r).filter((k) => k !== 'exitCode').sort()).toEqual(['level', 'msg', 'time']);
      expect(Number.isNaN(Date.parse(r.time as string))).toBe(false);
      expect(r.msg).not.toMatch(/^\s|\s$/);
      expect(r.msg).not.toContain(String.fromCharCode(27));
    }
    expect(logs.at(-1)).toMatchObject({ level: 'info', exitCode: 0, msg: expect.stringMatching(/^exit 0: /) });
  });

  it('a usage or input error is one error record with exit code 2, before or after the command name', async () => {
    for (const args of [['--json-logs', 'evaluate', 'missing.json'], ['evaluate', 'missing.json', '--json-logs']]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(records(run.stderr)).toEqual([{ time: expect.any(String), level: 'error', msg: expect.stringContaining('missing.json'), exitCode: 2 }]);
    }
  });

  it('a flag the parser rejects is one error record too, not prose', async () => {
    const run = await cli(['scan', '--bogus', '--json-logs']);
    expect(run.code).toBe(2);
    expect(records(run.stderr)).toEqual([{ time: expect.any(String), level: 'error', msg: expect.stringContaining("unknown option '--bogus'"), exitCode: 2 }]);
  });

  it('leaves stderr as text without the flag', async () => {
    const run = await cli(['evaluate', 'missing.json']);
    expect(run.stderr).toMatch(/^trailwarden: .*missing\.json/);
  });
});
