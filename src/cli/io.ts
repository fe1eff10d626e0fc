// The CLI's view of the outside world, injectable so commands run in-process in tests.
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress redraws in place) or a log (plain lines). */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * Replaces the current stderr line with text, on a terminal (progress). Set by terminalSafeIO,
   * the only place a terminal control sequence is written; without it, progress prints plain lines.
   */
  redraw?: (text: string) => void;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}
