// Text from AWS or a snapshot reaches the terminal only escaped: no retitled window, no cleared
// screen, no forged "exit 0" line, no text reversed by a bidi override.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/cli.js';

const BASE = new URL('../rules/base-snapshot.json', import.meta.url).pathname;
const ESC = String.fromCharCode(0x1b);
const BEL = String.fromCharCode(0x07);
const HOSTILE = `${ESC}]0;owned${BEL}${ESC}[2J\r"exit 0: all clean"\u202egnp.exe`;
const ESCAPED = '\\u001b]0;owned\\u0007\\u001b[2J\\u000d"exit 0: all clean"\\u202egnp.exe';
const NOW = '2026-11-21T12:00:00Z';

/** The raw control characters (the line break aside) and bidi controls in what the CLI wrote. */
const rawControls = (text: string) =>
  [...text].filter((ch) => {
    const c = ch.charCodeAt(0);
    return (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || [0x061c, 0x200e, 0x200f].includes(c) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
  });

function hostileSnapshot(dir: string): string {
  const s = JSON.parse(readFileSync(BASE, 'utf8'));
  s.accounts[0].name = HOSTILE;
  s.trails[0].name = HOSTILE;
  s.trails[0].logFileValidationEnabled = false;
  const file = join(dir, 'snapshot.json');
  writeFileSync(file, JSON.stringify(s, null, 2));
  return file;
}

describe('terminal safety', () => {
  it('evaluate: a trail name carrying escapes reaches stderr only escaped, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-tty-'));
    const run = await cli(['evaluate', hostileSnapshot(dir), '--out', join(dir, 'out'), '--now', NOW, '--fail-on', 'none'], { tty: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(ESCAPED);
    expect(rawControls(run.stderr)).toEqual([]);
    expect(run.stderr).not.toContain('\\\\u');
    // The reports keep the value as AWS gave it: only the terminal gets escapes.
    expect(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')).findings.some((f: { resource: { name: string } }) => f.resource.name === HOSTILE)).toBe(true);
  });

  it('diff: an account name is escaped in the text, and diff --json parses back to the same name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-tty-'));
    await cli(['evaluate', BASE, '--out', join(dir, 'old'), '--now', NOW, '--format', 'json', '--fail-on', 'none']);
    await cli(['evaluate', hostileSnapshot(dir), '--out', join(dir, 'new'), '--now', NOW, '--format', 'json', '--fail-on', 'none']);
    const [older, newer] = [join(dir, 'old', 'report.json'), join(dir, 'new', 'report.json')];
    const text = await cli(['diff', older, newer]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`(${ESCAPED})`);
    expect(rawControls(text.stdout + text.stderr)).toEqual([]);
    const json = await cli(['diff', older, newer, '--json']);
    expect(rawControls(json.stdout)).toEqual([]);
    expect(JSON.parse(json.stdout).findings.new.some((e: { accountName: string }) => e.accountName === HOSTILE)).toBe(true);
  });

  it('an error message quoting its input is escaped, under --json-logs too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-tty-'));
    const run = await cli(['evaluate', BASE, '--out', dir, '--framework', HOSTILE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--framework: no rule maps to "${ESCAPED}"`);
    expect(rawControls(run.stderr)).toEqual([]);
    const logs = await cli(['evaluate', BASE, '--out', dir, '--framework', HOSTILE, '--json-logs']);
    expect(rawControls(logs.stderr)).toEqual([]);
    expect(JSON.parse(logs.stderr.trim().split('\n').at(-1)!).msg).toContain(HOSTILE);
  });
});
