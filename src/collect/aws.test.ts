import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
      // Later clients get the setting read once, and a fips-* region still forces it on.
      expect(await pool.get('cloudtrail', '111122223333', 'us-west-2', undefined).config.useFipsEndpoint()).toBe(false);
      expect(await pool.get('kms', '111122223333', 'fips-us-west-2', undefined).config.useFipsEndpoint()).toBe(true);
    } finally {
      pool.destroy();
    }
  });
});

describe('the user agent', () => {
  it('is computed by the SDK for the first client of a service and sent as is by the later ones', async () => {
    const { DescribeTrailsCommand } = await import('@aws-sdk/client-cloudtrail');
    const seen: { ua: string | undefined; xua: string | undefined }[] = [];
    const server = createServer((req, res) => {
      seen.push({ ua: req.headers['user-agent'], xua: req.headers['x-amz-user-agent'] as string | undefined });
      req.resume();
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{"trailList":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pool = new ClientPool({ ...settings, endpoint }, new Limits(4, 4), new CallCounter());
    try {
      const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
      const first = pool.get('cloudtrail', '111122223333', 'us-east-1', creds);
      await first.send(new DescribeTrailsCommand({}));
      const later = pool.get('cloudtrail', '444455556666', 'eu-west-1', creds);
      expect(later.middlewareStack.identify().join()).not.toContain('getUserAgentMiddleware');
      await later.send(new DescribeTrailsCommand({}));
      expect(seen).toHaveLength(2);
      expect(seen[0]!.ua).toMatch(/aws-sdk-js\/\S+ .*api\/cloudtrail#/);
      expect(seen[1]).toEqual(seen[0]);
    } finally {
      pool.destroy();
      server.close();
    }
  });
});

describe('the read-only guard: an allowlist of what the collectors declare', () => {
  // Port 9 (discard) on loopback: a call that got past the guard would fail with a network
  // error, so MutatingCallRefused proves it never left the process.
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

  it('refuses GetObject and ListObjectsV2 unless log verification was asked for, and GetSessionToken always', async () => {
    const { GetObjectCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const { GetSessionTokenCommand } = await import('@aws-sdk/client-sts');
    const pool = new ClientPool(settings, new Limits(4, 4), new CallCounter());
    try {
      const s3 = pool.get('s3', '111122223333', 'us-east-1', creds);
      await expect(s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))).rejects.toThrow(/refused to send GetObject/);
      await expect(s3.send(new ListObjectsV2Command({ Bucket: 'b' }))).rejects.toThrow(/refused to send ListObjectsV2/);
      const sts = pool.get('sts', '111122223333', 'us-east-1', creds);
      // Read-only by name (Get*), but no collector declares it: refused.
      await expect(sts.send(new GetSessionTokenCommand({}))).rejects.toThrow(/refused to send GetSessionToken/);
    } finally {
      pool.destroy();
    }
  });

  it('lets GetObject through with the log-verification opt-in (it then fails on the network, not the guard)', async () => {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const pool = new ClientPool({ ...settings, optIns: ['log-verification'] }, new Limits(4, 4), new CallCounter());
    try {
      const s3 = pool.get('s3', '111122223333', 'us-east-1', creds, 'objects');
      const err = await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })).then(() => null, (e: Error) => e);
      expect(err).not.toBeNull();
      expect(err!.message).not.toMatch(/refused to send/);
    } finally {
      pool.destroy();
    }
  });
});
