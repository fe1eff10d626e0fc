// --json-logs: every line the CLI writes on stderr becomes one JSON object, for log pipelines
// (CloudWatch Logs, Loki, a container runtime) that index fields rather than parse prose.
// Reports and stdout are untouched.
import type { CliIO } from './io.js';

export interface LogRecord {
  time: string;
  level: 'info' | 'error';
  msg: string;
  /** Set on the run's last line: the exit code it announces. */
  exitCode?: number;
}

export function toLogRecord(line: string, now: Date): LogRecord {
  const msg = line.replace(/^trailwarden: /, '').trim();
  const exit = /^(?:demo: .*")?exit (\d+): /.exec(msg);
  const record: LogRecord = { time: now.toISOString(), level: 'info', msg };
  // A failed gate or an incomplete scan is an outcome, not an error of the tool: level info.
  if (exit) record.exitCode = Number(exit[1]);
  if (record.exitCode === 2) record.level = 'error';
  return record;
}

/** Wraps the IO so stderr carries JSON lines; flush() writes a last unterminated line, if any. */
export function jsonLogsIO(io: CliIO, clock: () => Date = () => new Date()): CliIO & { flush(): void; error(msg: string, exitCode: number): void } {
  let pending = '';
  const emit = (line: string) => {
    if (line.trim()) io.stderr(`${JSON.stringify(toLogRecord(line, clock()))}\n`);
  };
  return {
    ...io,
    // No in-place redraws: progress comes as plain lines, one record each.
    stderrIsTTY: false,
    stderr: (text: string) => {
      pending += text;
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        emit(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    },
    flush: () => {
      emit(pending);
      pending = '';
    },
    // A last unterminated line goes out before the process image it is buffered in is replaced.
    replaceProcess: io.replaceProcess
      ? (env) => {
          emit(pending);
          pending = '';
          return io.replaceProcess!(env);
        }
      : undefined,
    /** The run ends on an error of its input or usage: one record that says so. */
    error: (msg: string, exitCode: number) => {
      emit(pending);
      pending = '';
      const record: LogRecord = { time: clock().toISOString(), level: 'error', msg, exitCode };
      io.stderr(`${JSON.stringify(record)}\n`);
    },
  };
}
