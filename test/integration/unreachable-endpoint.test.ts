// An endpoint that cannot be reached is named as such (issue 11, item 6), not reported as
// unusable credentials: the fix is in the URL or the network, not in the keys.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';
import { emulatorEnv } from '../harness/context.js';

beforeAll(() => emulatorEnv(''));

describe('scan --endpoint-url at a port nobody listens on', () => {
  it('exit 2: "could not reach <url> (ECONNREFUSED ...)", never "cannot use the caller\'s AWS credentials", nothing written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tw-unreachable-'));
    const started = Date.now();
    const run = await cli(['scan', '--endpoint-url', 'http://127.0.0.1:9', '--out', out, '--quiet']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^trailwarden: could not reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED: .*\); check --endpoint-url/);
    expect(run.stderr).not.toContain('credentials');
    expect(readdirSync(out)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('verify-logs --endpoint-url at a port nobody listens on', () => {
  it('exit 2: "could not reach <url>", never "cannot use the caller\'s AWS credentials"', async () => {
    const run = await cli(['verify-logs', '--trail', 'arn:aws:cloudtrail:us-east-1:111111111111:trail/t', '--endpoint-url', 'http://127.0.0.1:9', '--since', '1d']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/trailwarden: could not reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED/);
    expect(run.stderr).not.toContain('credentials');
  });
});
