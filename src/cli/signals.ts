// evaluate and demo have nothing to keep when interrupted: a signal ends them at once with
// 128 + its number, and the staging directory of a half-written report set goes with the process
// (util/atomic-write removes it on exit), so the previous reports stay as they were.
import { EXIT } from '../core/errors.js';
import type { CliIO } from './io.js';

export async function exitOnSignal<T>(io: CliIO, run: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
    io.stderr(`trailwarden: exit ${code}: ${signal === 'SIGTERM' ? 'terminated' : 'interrupted'}; nothing written, the previous reports are unchanged\n`);
    process.exit(code);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
