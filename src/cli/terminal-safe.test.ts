import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeIO } from './terminal-safe.js';

const ESC = String.fromCharCode(0x1b);
const BEL = String.fromCharCode(0x07);

describe('terminalSafe', () => {
  it('makes C0 (but the line break), DEL, C1 and bidi controls visible as \\u escapes', () => {
    const hostile = `${ESC}]0;pwned${BEL}${ESC}[2J\r"exit 0: all clean"\t\u007f\u009b\u202e\u2066\u200f\u061c`;
    expect(terminalSafe(hostile)).toBe(
      '\\u001b]0;pwned\\u0007\\u001b[2J\\u000d"exit 0: all clean"\\u0009\\u007f\\u009b\\u202e\\u2066\\u200f\\u061c',
    );
    expect(terminalSafe('line one\nline two\n')).toBe('line one\nline two\n');
    expect(terminalSafe('Zürich — 東京 ✓')).toBe('Zürich — 東京 ✓');
  });

  it('escapes once: its output is already safe, and JSON stays the same JSON', () => {
    const value = { name: `${ESC}[2J\u0085\u202e`, n: 1 };
    const json = JSON.stringify(value, null, 2);
    const safe = terminalSafe(json);
    expect(terminalSafe(safe)).toBe(safe);
    expect(safe).not.toContain('\\\\u');
    expect(JSON.parse(safe)).toEqual(value);
  });
});

describe('terminalSafeIO', () => {
  it('escapes both streams; only its redraw sends the progress line\'s own carriage return and erase', () => {
    let out = '';
    let err = '';
    const io = terminalSafeIO({ stdout: (t) => (out += t), stderr: (t) => (err += t), stderrIsTTY: true, env: {}, cwd: '/' });
    io.stdout(`a${ESC}[2Jb\n`);
    io.stderr(`c\rd\n`);
    io.redraw!(`scanning ${ESC}]0;x${BEL}\n`);
    expect(out).toBe('a\\u001b[2Jb\n');
    expect(err).toBe(`c\\u000dd\n\r${ESC}[2Kscanning \\u001b]0;x\\u0007\n`);
  });
});
