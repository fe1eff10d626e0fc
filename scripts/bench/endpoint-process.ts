// Runs the synthetic endpoint in its own process, so the scan's memory is measured alone and
// the endpoint's CPU stays off the scanner's event loop.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EndpointOptions, EndpointStats, RecordedRequest } from './synthetic-aws.js';

export interface EndpointProcess {
  url: string;
  pid: number;
  stats(): Promise<EndpointStats>;
  /** The requests kept with `recordRequests`. */
  requests(): Promise<RecordedRequest[]>;
  /** The endpoint's CPU seconds so far (user + system), from /proc; null where there is none. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./endpoint-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

export async function launchSyntheticAws(options: EndpointOptions, maxSeconds = 1800): Promise<EndpointProcess> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify({ ...options, maxSeconds })], {
    cwd: REPO,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('synthetic endpoint did not start within 30 s')), 30_000);
    child.once('message', (m: { url?: string }) => {
      clearTimeout(timer);
      if (m.url) resolve(m.url);
      else reject(new Error('synthetic endpoint sent no URL'));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`synthetic endpoint exited with ${code} before it started`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    pid: child.pid!,
    async stats() {
      const r = await fetch(`${url}/__bench/stats`);
      return (await r.json()) as EndpointStats;
    },
    async requests() {
      const r = await fetch(`${url}/__bench/requests`);
      return (await r.json()) as RecordedRequest[];
    },
    cpuSeconds() {
      try {
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.disconnect();
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}
