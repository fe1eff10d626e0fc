// Builds a real ScanContext (real SDK clients, real STS AssumeRole) against an emulator endpoint,
// for tests that exercise one collector at a time.
import { ClientPool } from '../../src/collect/aws.js';
import { ScanContext } from '../../src/collect/context.js';
import { CredentialBroker, stsAssumeRole } from '../../src/collect/credentials.js';
import { ErrorLog } from '../../src/collect/errors.js';
import { Limits } from '../../src/collect/limits.js';
import { CallCounter } from '../../src/collect/observer.js';

export const MANAGEMENT_ACCOUNT_ID = '123456789012';

export function emulatorEnv(endpoint: string): void {
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  void endpoint;
}

export function testContext(endpoint: string, opts: { maxAttempts?: number; callerAccountId?: string } = {}): {
  ctx: ScanContext;
  counter: CallCounter;
  pool: ClientPool;
} {
  emulatorEnv(endpoint);
  const counter = new CallCounter();
  const pool = new ClientPool(
    { endpoint, maxAttempts: opts.maxAttempts ?? 3, retryMode: 'standard', requestTimeoutMs: 10_000, connectionTimeoutMs: 2_000, maxSockets: 16 },
    new Limits(16, 8),
    counter,
  );
  const callerAccountId = opts.callerAccountId ?? MANAGEMENT_ACCOUNT_ID;
  const broker = new CredentialBroker(
    { partition: 'aws', callerAccountId, roleName: 'OrganizationAccountAccessRole' },
    stsAssumeRole(pool.get('sts', callerAccountId, 'us-east-1', undefined)),
  );
  const ctx = new ScanContext('aws', 'us-east-1', pool, broker, new ErrorLog());
  return { ctx, counter, pool };
}
