// Runs once before the suite: makes sure the pinned moto server is installed. A missing
// emulator fails the suite; it never turns emulator tests into skips.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const installer = `${root}scripts/install-moto.sh`;
  try {
    execFileSync('bash', [installer], { stdio: 'inherit' });
  } catch (err) {
    throw new Error(`could not install the moto emulator with ${installer}: ${(err as Error).message}`, { cause: err });
  }
  if (!existsSync(`${root}.venv-moto/bin/moto_server`)) {
    throw new Error('moto_server is missing after scripts/install-moto.sh; emulator tests cannot run');
  }
}
