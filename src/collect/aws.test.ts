import { describe, expect, it } from 'vitest';
import { ClientPool, type AwsSettings } from './aws.js';
import { Limits } from './limits.js';
import { CallCounter } from './observer.js';

const settings: AwsSettings = { endpoint: 'http://127.0.0.1:9', maxAttempts: 1, retryMode: 'standard', requestTimeoutMs: 1000, connectionTimeoutMs: 500, maxSockets: 4 };

describe('the client pool', () => {
  it('shares settings between clients of a service but never one client\'s region-bound FIPS choice', async () => {
    const pool = new ClientPool(settings, new Limits(4, 4), new CallCounter());
    try {
      const fips = pool.get('cloudtrail', '111122223333', 'fips-us-east-1', undefined);
      expect(await fips.config.useFipsEndpoint()).toBe(true);
      const plain = pool.get('cloudtrail', '111122223333', 'eu-west-1', undefined);
      expect(await plain.config.useFipsEndpoint()).toBe(false);
      expect(await plain.config.region()).toBe('eu-west-1');
    } finally {
      pool.destroy();
    }
  });
});
