import { describe, expect, it } from 'vitest';
import { ClientPool, type AwsSettings } from './aws.js';
import { Limits } from './limits.js';
import { CallCounter } from './observer.js';
import type { ApiCallRecord } from './recording.js';

const settings: AwsSettings = { endpoint: 'http://127.0.0.1:9', maxAttempts: 1, retryMode: 'standard', requestTimeoutMs: 1000, connectionTimeoutMs: 500, maxSockets: 4 };
const names = (pool: ClientPool) => pool.get('cloudtrail', '111122223333', 'eu-west-1', undefined).middlewareStack.identify();

describe('the recording middleware', () => {
  it('is not on any client without a recorder (a scan without --evidence pays nothing)', () => {
    const pool = new ClientPool(settings, new Limits(4, 4), new CallCounter());
    try {
      expect(names(pool).some((n) => n.startsWith('trailwardenAccounting'))).toBe(true);
      expect(names(pool).some((n) => n.startsWith('trailwardenEvidence'))).toBe(false);
    } finally {
      pool.destroy();
    }
  });

  it('with a recorder, records a failed call with its account, region, service, operation, input and error', async () => {
    const records: ApiCallRecord[] = [];
    const pool = new ClientPool({ ...settings, recorder: { record: (r) => void records.push(r) } }, new Limits(4, 4), new CallCounter());
    try {
      expect(names(pool).some((n) => n.startsWith('trailwardenEvidence'))).toBe(true);
      const { DescribeTrailsCommand } = await import('@aws-sdk/client-cloudtrail');
      const client = pool.get('cloudtrail', '111122223333', 'eu-west-1', { accessKeyId: 'AKIDUNIT', secretAccessKey: 'unit-secret' });
      await expect(client.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).rejects.toThrow();
      expect(records).toEqual([
        expect.objectContaining({
          accountId: '111122223333',
          region: 'eu-west-1',
          service: 'cloudtrail',
          operation: 'DescribeTrails',
          input: { includeShadowTrails: true },
          output: null,
          error: expect.objectContaining({ code: expect.stringMatching(/\w/) }),
        }),
      ]);
      expect(records[0]!.durationMs).toBeGreaterThanOrEqual(0);
    } finally {
      pool.destroy();
    }
  });
});
