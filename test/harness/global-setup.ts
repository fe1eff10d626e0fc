// Runs once before the suite: makes sure the pinned moto server, cfn-lint and Chromium are
// installed. A missing tool fails the suite; it never turns tests into skips.
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
  // The other tools the suite needs, each installed (or refused with what to run) by its script.
  for (const script of ['install-cfn-lint.sh', 'install-chromium.sh']) {
    try {
      execFileSync('bash', [`${root}scripts/${script}`], { stdio: 'inherit' });
    } catch (err) {
      throw new Error(`scripts/${script} failed (see its message above): ${(err as Error).message}`, { cause: err });
    }
  }
}
