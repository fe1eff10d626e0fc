// The account signer (sigv4.ts) against the SDK's own SignatureV4: the same requests, dates,
// regions, services and credentials give the same signed request, header for header, across a
// randomized spread of what the scan's protocols send (and what they do not: odd header values,
// dot segments, repeated query keys, binary and streamed bodies, a payload hash already set).
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AccountSigner } from './sigv4.js';

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

const PATHS = ['/', '', '/bucket-a', '/bucket-a/', '/a/./b/../c', '/key with space/ü', '//double//slash', '/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/12/07/f%2Fx.json.gz', '/~tilde/(paren)*star'];
const HEADER_VALUES = ['application/x-amz-json-1.1', '  padded  ', 'two  spaces\tand tab', 'line\r\nbreak', 'ünïcödé', '', 'a,b,c'];
const HEADER_NAMES = ['Content-Type', 'x-amz-target', 'X-Amz-User-Agent', 'user-agent', 'x-amzn-trace-id', 'proxy-authorization', 'sec-fetch-mode', 'X-Amz-Date', 'authorization', 'Date', 'expect', 'x-amz-expected-bucket-owner', 'Cache-Control'];
const QUERIES: Record<string, string | string[]>[] = [{}, { 'list-type': '2', prefix: 'AWSLogs/', 'continuation-token': 'a+b/c=' }, { versioning: '' }, { 'x-id': 'GetObject', k: ['b', 'a', 'c d'] }, { 'X-Amz-Signature': 'dropped', policyStatus: '' }];
const BODIES = [undefined, '', '{}', '{"trailNameList":["arn:aws:cloudtrail:eu-west-1:111122223333:trail/ü"]}', 'Action=DescribeRegions&Version=2016-11-15', 'bytes', 'view', 'buffer', 'stream'] as const;
const SERVICES = ['cloudtrail', 'logs', 's3', 'sts', 'monitoring', 'ec2', undefined];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', undefined];
// Neighbours within one second and across one: the formatted date is reused within a second only.
const DATES = ['2026-12-07T17:47:49.123Z', '2026-12-07T17:47:49.999Z', '2026-12-07T17:47:50.000Z', '2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z', '2024-02-29T12:00:00.000Z', '1969-12-31T23:59:59.500Z'];

function body(kind: (typeof BODIES)[number]): unknown {
  switch (kind) {
    case 'bytes':
      return new TextEncoder().encode('<xml>ü</xml>');
    case 'view':
      return new Uint16Array([1, 2, 3, 65535]);
    case 'buffer':
      return new Uint8Array([0, 1, 2, 255]).buffer;
    case 'stream':
      return Readable.from(['streamed']);
    default:
      return kind;
  }
}

function requestFrom(rng: ReturnType<typeof random>): () => HttpRequest {
  const method = rng.pick(['GET', 'POST', 'HEAD', 'PUT']);
  const path = rng.pick(PATHS);
  const query = rng.pick(QUERIES);
  const bodyKind = rng.pick(BODIES);
  const headers: Record<string, string> = { host: rng.pick(['cloudtrail.eu-west-1.amazonaws.com', '127.0.0.1:4566', 'bucket.s3.amazonaws.com']) };
  const count = Math.floor(rng.next() * 6);
  for (let i = 0; i < count; i++) headers[rng.pick(HEADER_NAMES)] = rng.pick(HEADER_VALUES);
  if (rng.next() < 0.2) headers['x-amz-content-sha256'] = rng.pick(['UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']);
  // A fresh request (and body) for each signer: neither may see what the other did to its input.
  return () => new HttpRequest({ method, protocol: 'https:', hostname: headers.host!, path, query: structuredClone(query), headers: { ...headers }, body: body(bodyKind) });
}

describe('the account signer', () => {
  it('signs every request as the SDK signer does, and leaves the request it was given untouched', async () => {
    const rng = random(20261207);
    // A few accounts' credentials, each signed for again and again (other days, regions, services
    // and signers of other services): the cached keys and steps are what most requests are signed with.
    const accounts = Array.from({ length: 7 }, (_, i) => ({ accessKeyId: `ASIA${i}EXAMPLE`, secretAccessKey: ['secret', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'ü/+='][i % 3]!, ...(i % 4 !== 3 ? { sessionToken: `token-${i}` } : {}) }));
    const signers = new Map<string, AccountSigner>();
    for (let i = 0; i < 600; i++) {
      const account = Math.floor(rng.next() * accounts.length);
      const credentials = accounts[account]!;
      const init = { credentials, region: 'us-east-1', service: rng.pick(['cloudtrail', 's3', 'logs']), sha256: Sha256, uriEscapePath: rng.next() < 0.8, ...(rng.next() < 0.5 ? { applyChecksum: rng.next() < 0.5 } : {}) };
      const sdk = new SignatureV4(init);
      const key = `${account}|${init.service}|${init.uriEscapePath}|${'applyChecksum' in init ? init.applyChecksum : ''}`;
      let ours = signers.get(key);
      if (!ours) {
        ours = new AccountSigner(init);
        signers.set(key, ours);
      }
      const make = requestFrom(rng);
      const signingService = rng.pick(SERVICES);
      const signingRegion = rng.pick(REGIONS);
      const options = { signingDate: new Date(rng.pick(DATES)), ...(signingRegion ? { signingRegion } : {}), ...(signingService ? { signingService } : {}) };
      const expected = await sdk.sign(make(), options);
      const given = make();
      const before = { headers: { ...given.headers }, query: structuredClone(given.query) };
      const actual = await ours.sign(given, options);
      expect(actual.headers, `request ${i}`).toEqual(expected.headers);
      expect(actual.query, `request ${i}`).toEqual(expected.query);
      expect({ method: actual.method, path: actual.path, hostname: actual.hostname }).toEqual({ method: expected.method, path: expected.path, hostname: expected.hostname });
      expect(actual).not.toBe(given);
      expect({ headers: given.headers, query: given.query }).toEqual(before);
    }
  });

  it('keeps signing keys per credentials object and scope: other credentials, days and regions are other keys', async () => {
    const init = { region: 'us-east-1', service: 'cloudtrail', sha256: Sha256 };
    const a = { accessKeyId: 'AKIA1', secretAccessKey: 'one' };
    const b = { accessKeyId: 'AKIA1', secretAccessKey: 'two' };
    let current: typeof a = a;
    // One signer whose provider hands out another credentials object, as the broker does when it refreshes.
    const ours = new AccountSigner({ ...init, credentials: () => Promise.resolve(current) });
    const request = () => new HttpRequest({ method: 'GET', protocol: 'https:', hostname: 'h', path: '/', headers: { host: 'h' } });
    for (const [creds, date, region] of [[a, '2026-12-01T10:00:00Z', 'eu-west-1'], [a, '2026-12-02T00:00:01Z', 'eu-west-1'], [b, '2026-12-02T00:00:01Z', 'eu-west-1'], [b, '2026-12-02T00:00:01Z', 'ap-south-1'], [a, '2026-12-02T00:00:01Z', 'eu-west-1']] as const) {
      current = creds;
      const options = { signingDate: new Date(date), signingRegion: region };
      const expected = (await new SignatureV4({ ...init, credentials: creds }).sign(request(), options)).headers.authorization;
      expect((await ours.sign(request(), options)).headers.authorization).toBe(expected);
      // The second time from the cache, the same.
      expect((await ours.sign(request(), options)).headers.authorization).toBe(expected);
    }
  });

  it('signs a plain request on its own path, never through the SDK signer\'s, and hands header sets to it', async () => {
    const init = { credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's' }, region: 'eu-west-1', service: 'logs', sha256: Sha256 };
    const proto = SignatureV4.prototype as unknown as { signRequest: (...args: unknown[]) => Promise<unknown> };
    const original = proto.signRequest;
    let sdkCalls = 0;
    proto.signRequest = function (this: unknown, ...args: unknown[]) {
      sdkCalls++;
      return original.apply(this, args);
    };
    try {
      const request = () => new HttpRequest({ method: 'GET', protocol: 'https:', hostname: 'h', path: '/', headers: { host: 'h' } });
      const signer = new AccountSigner(init);
      await signer.sign(request(), { signingDate: new Date('2026-12-07T00:00:00Z') });
      expect(sdkCalls).toBe(0);
      await signer.sign(request(), { signingDate: new Date('2026-12-07T00:00:00Z'), unsignableHeaders: new Set(['x']) });
      expect(sdkCalls).toBe(1);
    } finally {
      proto.signRequest = original;
    }
  });

  it('refuses an invalid signing date as the SDK does', async () => {
    const init = { credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's' }, region: 'eu-west-1', service: 'logs', sha256: Sha256 };
    const request = () => new HttpRequest({ method: 'GET', protocol: 'https:', hostname: 'h', path: '/', headers: { host: 'h' } });
    const options = { signingDate: new Date('not a date') };
    await expect(new SignatureV4(init).sign(request(), options)).rejects.toThrow(RangeError);
    await expect(new AccountSigner(init).sign(request(), options)).rejects.toThrow(RangeError);
  });

  it('hands strings and header sets to the SDK code, with the same results', async () => {
    const init = { credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's', sessionToken: 't' }, region: 'eu-west-1', service: 'logs', sha256: Sha256 };
    const date = new Date('2026-12-07T00:00:00Z');
    expect(await new AccountSigner(init).sign('string to sign', { signingDate: date })).toBe(await new SignatureV4(init).sign('string to sign', { signingDate: date }));
    const request = () => new HttpRequest({ method: 'POST', protocol: 'https:', hostname: 'h', path: '/', headers: { host: 'h', 'user-agent': 'ua', 'x-amz-target': 'Logs.X' }, body: '{}' });
    const options = { signingDate: date, signableHeaders: new Set(['user-agent']), unsignableHeaders: new Set(['x-amz-target']) };
    const ours = await new AccountSigner(init).sign(request(), options);
    expect(ours.headers.authorization).toContain('SignedHeaders=host;user-agent;x-amz-content-sha256;x-amz-date;x-amz-security-token,');
    expect(ours.headers).toEqual((await new SignatureV4(init).sign(request(), options)).headers);
  });
});
