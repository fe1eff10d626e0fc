// A snapshot's timestamps are ISO 8601 times with their zone (issue 11, item 6): "yesterday", a
// month 13 or a zoneless local time would otherwise reach rules that compare times and judge
// them as NaN. Refused with exit 2, the file and the line named, nothing written.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';

const BASE = new URL('../rules/base-snapshot.json', import.meta.url).pathname;
const DEMO = new URL('../../demo/snapshot.json', import.meta.url).pathname;
const NOW = '2026-11-21T12:00:00Z';

/** BASE with the first `"key": "<old>"` set to `value`, and the line it is on. */
function withTime(key: string, value: string): { file: string; line: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tw-times-'));
  const text = readFileSync(BASE, 'utf8');
  const pattern = new RegExp(`"${key}": "[^"]*"`);
  expect(text).toMatch(pattern);
  const changed = text.replace(pattern, `"${key}": "${value}"`);
  const file = join(dir, 'snapshot.json');
  writeFileSync(file, changed);
  const line = changed.split('\n').findIndex((l) => l.includes(`"${key}": "${value}"`)) + 1;
  return { file, line, out: join(dir, 'out') };
}

describe('timestamps in a snapshot', () => {
  it('valid times, with Z or an offset and any precision, still load (the demo and the rule fixtures included)', async () => {
    for (const snapshot of [BASE, DEMO, withTime('startedAt', '2026-11-21T20:55:00+09:00').file, withTime('latestDeliveryTime', '2026-11-21T11:00:00Z').file]) {
      const run = await cli(['evaluate', snapshot, '--out', mkdtempSync(join(tmpdir(), 'tw-times-')), '--now', NOW, '--fail-on', 'none', '--allow-incomplete']);
      expect(run.code, `${snapshot}: ${run.stderr}`).toBe(0);
    }
  });

  it.each([
    ['startedAt', 'yesterday'],
    ['latestDeliveryTime', '2026-13-45'],
    ['latestDeliveryTime', '2026-13-45T10:00:00Z'],
    ['startLoggingTime', '2024-02-30T09:00:00Z'],
    ['finishedAt', '2026-11-21T12:00:00'],
  ])('%s "%s": exit 2 naming file:line, nothing written', async (key, value) => {
    const { file, line, out } = withTime(key, value);
    const run = await cli(['evaluate', file, '--out', out, '--now', NOW]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^trailwarden: ${file}:${line}: \\S*${key}: `));
    expect(existsSync(out)).toBe(false);
  });
});
