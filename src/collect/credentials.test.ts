import { describe, expect, it } from 'vitest';
import { CredentialBroker, roleArnFor, type AssumeRoleInput } from './credentials.js';

function fakeSts(clock: { now: number }, lifetimeMs = 3_600_000) {
  const calls: AssumeRoleInput[] = [];
  let n = 0;
  const assume = async (input: AssumeRoleInput) => {
    calls.push(input);
    n++;
    await new Promise((r) => setTimeout(r, 5));
    return {
      Credentials: {
        AccessKeyId: `ASIA${n}`,
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(clock.now + lifetimeMs),
      },
    };
  };
  return { calls, assume };
}

describe('CredentialBroker', () => {
  it('uses the default chain for the caller and assumes the role for members', async () => {
    const clock = { now: 1_000_000 };
    const sts = fakeSts(clock);
    const broker = new CredentialBroker(
      { partition: 'aws', callerAccountId: '111111111111', roleName: 'AuditRole', externalId: 'ext-1', now: () => clock.now },
      sts.assume,
    );
    expect(broker.providerFor('111111111111')).toBeUndefined();
    const creds = await broker.providerFor('222222222222')!();
    expect(creds.accessKeyId).toBe('ASIA1');
    expect(sts.calls).toEqual([
      { RoleArn: 'arn:aws:iam::222222222222:role/AuditRole', RoleSessionName: 'trailwarden', DurationSeconds: 3600, ExternalId: 'ext-1' },
    ]);
  });

  it('shares one in-flight AssumeRole between concurrent callers and caches the result', async () => {
    const clock = { now: 0 };
    const sts = fakeSts(clock);
    const broker = new CredentialBroker({ partition: 'aws', callerAccountId: '111111111111', roleName: 'R', now: () => clock.now }, sts.assume);
    const all = await Promise.all(Array.from({ length: 10 }, () => broker.credentials('222222222222')));
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']));
    await broker.credentials('222222222222');
    expect(sts.calls).toHaveLength(1);
  });

  it('refreshes credentials a margin before they expire, not after', async () => {
    const clock = { now: 0 };
    const sts = fakeSts(clock, 3_600_000);
    const broker = new CredentialBroker(
      { partition: 'aws', callerAccountId: '111111111111', roleName: 'R', refreshMarginMs: 300_000, now: () => clock.now },
      sts.assume,
    );
    expect((await broker.credentials('222222222222')).accessKeyId).toBe('ASIA1');
    clock.now = 3_600_000 - 300_001; // just outside the margin: still cached
    expect((await broker.credentials('222222222222')).accessKeyId).toBe('ASIA1');
    clock.now = 3_600_000 - 299_999; // inside the margin: refreshed before expiry
    expect((await broker.credentials('222222222222')).accessKeyId).toBe('ASIA2');
    expect(sts.calls).toHaveLength(2);
  });

  it('propagates a denied AssumeRole and tries again on the next request', async () => {
    let fail = true;
    const broker = new CredentialBroker({ partition: 'aws', callerAccountId: '111111111111', roleName: 'R' }, async () => {
      if (fail) throw Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' });
      return { Credentials: { AccessKeyId: 'ASIAOK', SecretAccessKey: 's' } };
    });
    await expect(broker.credentials('222222222222')).rejects.toMatchObject({ name: 'AccessDenied' });
    fail = false;
    expect((await broker.credentials('222222222222')).accessKeyId).toBe('ASIAOK');
  });

  it('builds role ARNs in the caller partition, with role paths', () => {
    expect(roleArnFor('aws-us-gov', '222222222222', 'audit/Trailwarden')).toBe('arn:aws-us-gov:iam::222222222222:role/audit/Trailwarden');
  });
});
