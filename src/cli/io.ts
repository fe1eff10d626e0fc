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
  // A reader that stops reading (`rules list | head -1`) closes the pipe: the rest of stdout has
  // no one to go to, and that is not a failure of the run. The writes after it are dropped, the
  // command ends with its own exit code (0 for rules list), and no EPIPE stack reaches stderr.
  let stdoutGone = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutGone = true;
  });
  return {
    stdout: (t) => {
      if (!stdoutGone) process.stdout.write(t);
    },
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}
