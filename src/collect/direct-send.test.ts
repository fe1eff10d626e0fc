// The direct send path (direct-send.ts) against a local HTTP server: what the SDK's middlewares
// did for the scan is still done (signing as the SDK signs, S3 region redirects, the read-only
// guard, retries), and the SDK's own pipeline still takes the first call of a service.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPool, type AwsSettings } from './aws.js';
import { SIGNING_NAMES } from './direct-send.js';
import { Limits } from './limits.js';
import { CallCounter } from './observer.js';

interface Seen {
  method: string;
  url: string;
  authorization: string;
  headers: IncomingMessage['headers'];
}

type Answer = (req: IncomingMessage, n: number) => { status: number; headers?: Record<string, string>; body: string };

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(answer: Answer): Promise<{ endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: String(req.headers.authorization ?? ''), headers: req.headers });
      const a = answer(req, seen.length);
      res.writeHead(a.status, a.headers ?? {}).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const settings = (endpoint: string): AwsSettings => ({ endpoint, maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 2000, connectionTimeoutMs: 500, maxSockets: 4 });
const creds = { accessKeyId: 'AKIA111122223333BNCH', secretAccessKey: 'secret', sessionToken: 'token' };
const json = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });

describe('the direct send path', () => {
  it('uses the SDK for the first call of a service, then sends directly the same request and answer', async () => {
    const { DescribeTrailsCommand } = await import('@aws-sdk/client-cloudtrail');
    const { endpoint, seen } = await serve(() => json({ trailList: [{ Name: 't', HomeRegion: 'eu-west-1', IsMultiRegionTrail: true }] }));
    const pool = new ClientPool(settings(endpoint), new Limits(4, 4), new CallCounter());
    try {
      const viaSdk = await pool.get('cloudtrail', '111122223333', 'eu-west-1', creds).send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      expect(pool.directCalls).toBe(0);
      const direct = await pool.get('cloudtrail', '444455556666', 'eu-west-1', creds).send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      expect(pool.directCalls).toBe(1);
      const { $metadata: m1, ...o1 } = viaSdk;
      const { $metadata: m2, ...o2 } = direct;
      expect(o2).toEqual(o1);
      expect(m2.httpStatusCode).toBe(200);
      expect(m2.attempts).toBe(m1.attempts);
      // The same request on the wire: operation, body, user agent, and a SigV4 scope for the service and region.
      const [a, b] = seen as [Seen, Seen];
      for (const h of ['x-amz-target', 'content-type', 'content-length', 'user-agent', 'x-amz-user-agent', 'x-amz-security-token']) expect(b.headers[h], h).toBe(a.headers[h]);
      expect(b.authorization).toMatch(/Credential=AKIA111122223333BNCH\/\d{8}\/eu-west-1\/cloudtrail\/aws4_request/);
      // The same signed headers, but the SDK's two per-attempt telemetry headers (an invocation id and the attempt count), which the direct path does not send.
      const signed = (s: Seen) => s.authorization.split('SignedHeaders=')[1]!.split(',')[0]!.split(';');
      expect(signed(b)).toEqual(signed(a).filter((h) => h !== 'amz-sdk-invocation-id' && h !== 'amz-sdk-request'));
      expect(signed(b)).toContain('x-amz-security-token');
    } finally {
      pool.destroy();
    }
  });

  it('refuses an operation no collector declares before anything is sent', async () => {
    const { DescribeTrailsCommand, DeleteTrailCommand, StopLoggingCommand } = await import('@aws-sdk/client-cloudtrail');
    const { endpoint, seen } = await serve(() => json({ trailList: [] }));
    const pool = new ClientPool(settings(endpoint), new Limits(4, 4), new CallCounter());
    try {
      await pool.get('cloudtrail', '111122223333', 'eu-west-1', creds).send(new DescribeTrailsCommand({}));
      const client = pool.get('cloudtrail', '444455556666', 'eu-west-1', creds);
      await expect(client.send(new DeleteTrailCommand({ Name: 't' }))).rejects.toThrow(/refused to send DeleteTrail/);
      await expect(client.send(new StopLoggingCommand({ Name: 't' }))).rejects.toThrow(/refused to send StopLogging/);
      expect(seen).toHaveLength(1);
    } finally {
      pool.destroy();
    }
  });

  it('retries a throttled call and reports its attempts', async () => {
    const { DescribeTrailsCommand } = await import('@aws-sdk/client-cloudtrail');
    const { endpoint, seen } = await serve((_req, n) =>
      n === 2 ? { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }) } : json({ trailList: [] }),
    );
    const pool = new ClientPool(settings(endpoint), new Limits(4, 4), new CallCounter());
    try {
      await pool.get('cloudtrail', '111122223333', 'eu-west-1', creds).send(new DescribeTrailsCommand({}));
      const out = await pool.get('cloudtrail', '444455556666', 'eu-west-1', creds).send(new DescribeTrailsCommand({}));
      expect(out.$metadata.attempts).toBe(2);
      expect(seen).toHaveLength(3);
      expect(pool.directCalls).toBe(1);
    } finally {
      pool.destroy();
    }
  });

  it('does not wait out a backoff once the scan is interrupted', async () => {
    const { DescribeTrailsCommand } = await import('@aws-sdk/client-cloudtrail');
    const { endpoint } = await serve((_req, n) =>
      n === 1 ? json({ trailList: [] }) : { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }) },
    );
    const abort = new AbortController();
    // Backoffs of up to a minute: only the interrupt can end the call quickly.
    const pool = new ClientPool(
      { ...settings(endpoint), maxAttempts: 10, abortSignal: abort.signal, backoff: { baseMs: 60_000, throttlingBaseMs: 60_000, capMs: 60_000, throttlingCapMs: 60_000 } },
      new Limits(4, 4),
      new CallCounter(),
    );
    try {
      await pool.get('cloudtrail', '111122223333', 'eu-west-1', creds).send(new DescribeTrailsCommand({}));
      const started = Date.now();
      const call = pool.get('cloudtrail', '444455556666', 'eu-west-1', creds).send(new DescribeTrailsCommand({}));
      setTimeout(() => abort.abort(new Error('SIGINT')), 200);
      await expect(call).rejects.toThrow(/interrupted|aborted/i);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(pool.directCalls).toBe(1);
    } finally {
      pool.destroy();
    }
  });

  it('follows an S3 region redirect, signs for the bucket\'s region, and goes there at once the next time', async () => {
    const { GetBucketVersioningCommand } = await import('@aws-sdk/client-s3');
    const { endpoint, seen } = await serve((req): ReturnType<Answer> =>
      /\/us-east-1\/s3\//.test(String(req.headers.authorization)) && req.url?.startsWith('/far-bucket')
        ? { status: 301, headers: { 'content-type': 'application/xml', 'x-amz-bucket-region': 'ap-southeast-2' }, body: '<?xml version="1.0"?><Error><Code>PermanentRedirect</Code><Message>elsewhere</Message></Error>' }
        : { status: 200, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>' },
    );
    const pool = new ClientPool({ ...settings(endpoint), maxAttempts: 1 }, new Limits(4, 4), new CallCounter());
    try {
      await pool.get('s3', '111122223333', 'us-east-1', creds).send(new GetBucketVersioningCommand({ Bucket: 'near-bucket' }));
      const client = pool.get('s3', '444455556666', 'us-east-1', creds);
      const out = await client.send(new GetBucketVersioningCommand({ Bucket: 'far-bucket' }));
      expect(out.Status).toBe('Enabled');
      expect(seen.map((s) => s.authorization.match(/\/\d{8}\/([a-z0-9-]+)\/s3\//)?.[1])).toEqual(['us-east-1', 'us-east-1', 'ap-southeast-2']);
      await client.send(new GetBucketVersioningCommand({ Bucket: 'far-bucket' }));
      expect(seen).toHaveLength(4);
      expect(seen[3]!.authorization).toMatch(/\/ap-southeast-2\/s3\//);
      expect(pool.directCalls).toBe(2);
    } finally {
      pool.destroy();
    }
  });

  it('names the signing service of every client as the SDK\'s auth scheme provider does', async () => {
    const modules: Record<string, [string, string]> = {
      cloudtrail: ['@aws-sdk/client-cloudtrail', 'CloudTrailClient'],
      cloudwatch: ['@aws-sdk/client-cloudwatch', 'CloudWatchClient'],
      logs: ['@aws-sdk/client-cloudwatch-logs', 'CloudWatchLogsClient'],
      ec2: ['@aws-sdk/client-ec2', 'EC2Client'],
      kms: ['@aws-sdk/client-kms', 'KMSClient'],
      organizations: ['@aws-sdk/client-organizations', 'OrganizationsClient'],
      s3: ['@aws-sdk/client-s3', 'S3Client'],
      sns: ['@aws-sdk/client-sns', 'SNSClient'],
      sts: ['@aws-sdk/client-sts', 'STSClient'],
    };
    expect(Object.keys(SIGNING_NAMES).sort()).toEqual(Object.keys(modules).sort());
    for (const [service, [module, name]] of Object.entries(modules)) {
      const Ctor = ((await import(module)) as Record<string, unknown>)[name] as new (c: object) => { config: { httpAuthSchemeProvider: (p: object) => { schemeId: string; signingProperties?: { name?: string } }[] }; destroy(): void };
      const client = new Ctor({ region: 'eu-west-1' });
      // S3's auth schemes come from its endpoint rules, which need the endpoint parameters too.
      const options = client.config.httpAuthSchemeProvider({ region: 'eu-west-1', operation: 'GetCallerIdentity', Region: 'eu-west-1', Bucket: 'bucket', UseFIPS: false, UseDualStack: false });
      client.destroy();
      const sigv4 = options.find((o) => o.schemeId === 'aws.auth#sigv4');
      expect(sigv4?.signingProperties?.name, service).toBe(SIGNING_NAMES[service]);
    }
  });
});
