// What reaches the terminal: text from AWS or from a snapshot (account and trail names, error
// messages) can carry terminal controls that retitle the window, clear the screen or rewrite a
// line ("\r exit 0: all clean"). Every byte the CLI writes passes terminalSafeIO exactly once, at
// the sink, so no command has to remember to escape a value and none escapes one twice.
import type { CliIO } from './io.js';

/** C0 but the line break, DEL, C1, and the bidi marks, embeddings, overrides and isolates. */
function isUnsafe(c: number): boolean {
  return (
    (c < 0x20 && c !== 0x0a) ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x061c ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

/**
 * Each unsafe character becomes a visible `\uXXXX`. That one form, and not `\x1b`, because it is
 * also a JSON escape: in JSON on stdout (iam-policy, diff --json, rules list --json) the raw
 * characters JSON.stringify leaves alone (DEL, C1, bidi) become escapes that parse back to the same
 * value, and the C0 ones it already escaped are no longer raw, so nothing is escaped twice.
 * A line break stays a line break: the CLI's own line structure passes through; it cannot rewrite
 * or hide a line, only start one.
 */
export function terminalSafe(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isUnsafe(c)) continue;
    out += `${text.slice(from, i)}\\u${c.toString(16).padStart(4, '0')}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The CLI's own redraw sequence: back to the line start, erase the line. */
const REDRAW = '\r\x1b[2K';

/** Wraps the process's sinks: stdout and stderr escaped; redraw is the one raw control the CLI sends. */
export function terminalSafeIO(io: CliIO): CliIO {
  return {
    ...io,
    stdout: (text) => io.stdout(terminalSafe(text)),
    stderr: (text) => io.stderr(terminalSafe(text)),
    redraw: (text) => io.stderr(REDRAW + terminalSafe(text)),
  };
}
