// The CLI's view of the outside world, injectable so commands run in-process in tests.
import { evaluationExecArgv } from '../../bin/runtime.js';
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
  /**
   * Replaces this process with a fresh image running the same command line, with `env` added to
   * its environment (process.execve: the same PID, stdio and exit status; nothing of this heap
   * survives). Only the bin's process has it (a test's in-process run, or a library caller, must
   * not be replaced), and only where the platform has execve. Does not return.
   */
  replaceProcess?: (env: Record<string, string>) => never;
}

export function processIO(options: { replaceable?: boolean } = {}): CliIO {
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
    replaceProcess:
      options.replaceable && typeof process.execve === 'function'
        ? (env) => {
            // The evaluation's heap flags in place of the scan's, where the bin set them (bin/runtime.js).
            process.execve!(process.execPath, [process.execPath, ...evaluationExecArgv(process.execArgv, process.env), ...process.argv.slice(1)], { ...process.env, ...env });
            // execve returns only by throwing.
            throw new Error('process.execve returned');
          }
        : undefined,
  };
}
