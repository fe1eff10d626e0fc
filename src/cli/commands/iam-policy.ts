import { iamPolicy } from '../../collect/registry.js';
import { EXIT } from '../../core/errors.js';
import type { CliIO } from '../io.js';

export async function runIamPolicy(opts: { for: 'member' | 'scanner'; roleName: string; partition: string; withLogVerification?: boolean }, io: CliIO): Promise<number> {
  io.stdout(`${JSON.stringify(iamPolicy(opts.for, opts.roleName, opts.partition, { withLogVerification: !!opts.withLogVerification }), null, 2)}\n`);
  return EXIT.ok;
}
