// Starts and stops a real moto server (Python AWS emulator) for emulator-backed tests.
// A missing or broken emulator is an error, never a skip.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startLakeFront, type LakeFront } from './lake-front.js';

export interface MotoServer {
  /**
   * Base URL to use as the SDK endpoint, e.g. http://127.0.0.1:41234: the Lake front
   * (lake-front.ts), which answers the CloudTrail Lake operations moto lacks (event data stores,
   * channels) and forwards everything else to moto.
   */
  endpoint: string;
  port: number;
  /** moto itself, without the Lake front. */
  motoEndpoint: string;
  /** What the front answered itself instead of moto. */
  lake: Pick<LakeFront, 'answered'>;
  /** Drops all emulated state (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MOTO_BIN = `${ROOT}.venv-moto/bin/moto_server`;
const INSTALLER = `${ROOT}scripts/install-moto.sh`;
const START_TIMEOUT_MS = 20_000;
const STDERR_KEEP = 30;

export async function ensureMotoInstalled(): Promise<string> {
  if (existsSync(MOTO_BIN)) return MOTO_BIN;
  try {
    execFileSync('bash', [INSTALLER], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    throw new Error(`moto emulator is not installed and ${INSTALLER} failed: ${(err as Error).message}`, { cause: err });
  }
  if (!existsSync(MOTO_BIN)) {
    throw new Error(`moto emulator still missing at ${MOTO_BIN} after running ${INSTALLER}`);
  }
  return MOTO_BIN;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}

interface HttpAnswer {
  status: number;
  body: string;
}

function httpCall(method: string, url: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: timeoutMs, headers: { 'content-length': '0' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startMoto(): Promise<MotoServer> {
  const bin = await ensureMotoInstalled();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });

  const stderrLines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      stderrLines.push(line);
      if (stderrLines.length > STDERR_KEEP) stderrLines.shift();
    }
  };
  child.stderr?.on('data', keep);
  // Request logs go to stderr on werkzeug; stdout is drained so the pipe never fills up.
  child.stdout?.on('data', keep);

  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = waitForExit(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastProblem: string;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`moto_server could not be spawned (${bin}): ${spawnError.message}`, { cause: spawnError });
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      process.removeListener('exit', killOnExit);
      throw new Error(
        `moto_server exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${stderrLines.join('\n')}`,
      );
    }
    try {
      const { status } = await httpCall('GET', `${endpoint}/moto-api/`, 1_000);
      if (status === 200 || status === 404) break;
      lastProblem = `HTTP ${status}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `moto_server did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms (last: ${lastProblem}):\n` +
          stderrLines.slice(-10).join('\n'),
      );
    }
    await sleep(100);
  }

  let front: LakeFront;
  try {
    front = await startLakeFront(endpoint);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint: front.endpoint,
    port: Number(new URL(front.endpoint).port),
    motoEndpoint: endpoint,
    lake: front,
    async reset(): Promise<void> {
      front.reset();
      const { status, body } = await httpCall('POST', `${endpoint}/moto-api/reset`, 10_000);
      if (status !== 200) throw new Error(`moto reset failed: HTTP ${status} ${body.slice(0, 200)}`);
    },
    async stop(): Promise<void> {
      await front.stop();
      await stop();
    },
  };
}
