// The SigV4 signer of each account's direct calls (direct-send.ts): the SDK's own SignatureV4,
// with the request path done synchronously in node:crypto.
//
// SignatureV4.signRequest hashes through the SDK's async hash interface: a hash object and a
// promise for the payload hash, the canonical request's hash and the signature each, every byte
// array turned to hex in JavaScript, the date formatted through two regular expressions, and (in
// the SDK) the signing key looked up by an HMAC of the credentials. Here the same canonical
// request (the SDK's own helpers build it: path, query, headers) is hashed with one-shot calls
// that return hex, and each account's signing keys, and the day's and region's steps to them, are
// kept per credentials object. What goes out is byte for byte the SDK's (a randomized test holds
// the two equal); a request with options this path does not take (signable or unsignable header
// sets), a string, an event or a message is signed by the SDK's code.
import { getCanonicalHeaders, hasHeader, prepareRequest, SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HttpRequest, RequestSigningArguments } from '@smithy/types';
import { createHmac, hash } from 'node:crypto';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SHA256_HEADER = 'x-amz-content-sha256';

/** The payload hash as the SDK computes it: the header's when the request carries one, else the body's, else UNSIGNED-PAYLOAD (a stream). */
function payloadHash(request: HttpRequest): string {
  for (const name in request.headers) {
    if (Object.hasOwn(request.headers, name) && name.toLowerCase() === SHA256_HEADER) return request.headers[name]!;
  }
  const body: unknown = request.body;
  if (body === undefined || body === null) return EMPTY_SHA256;
  if (typeof body === 'string' || ArrayBuffer.isView(body)) return hash('sha256', body as string | NodeJS.ArrayBufferView, 'hex');
  if (body instanceof ArrayBuffer || Object.prototype.toString.call(body) === '[object ArrayBuffer]') return hash('sha256', new Uint8Array(body as ArrayBuffer), 'hex');
  return 'UNSIGNED-PAYLOAD';
}

/** The last second formatted: calls sent in one second share it (toISOString is most of the cost). */
let formatted = { second: Number.NaN, longDate: '' };

/** `YYYYMMDDTHHMMSSZ` of a Date, as the SDK's formatDate gives it; null for anything else (the SDK's code takes it). */
function longDateOf(date: unknown): string | null {
  if (!(date instanceof Date)) return null;
  const ms = date.getTime();
  // An invalid date is the SDK's to refuse.
  if (!Number.isFinite(ms)) return null;
  const second = Math.floor(ms / 1000);
  if (second === formatted.second) return formatted.longDate;
  const iso = date.toISOString();
  // 2026-12-07T17:47:49.123Z; a year past 9999 (+010000-...) or before 0 is left to the SDK.
  if (iso.length !== 24) return null;
  formatted = { second, longDate: `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z` };
  return formatted.longDate;
}

/**
 * Signing keys and the steps to them, per credentials object (the broker hands out one per
 * account, and a new one when it refreshes them), shared by the account's signers of every
 * service: the day's key once per account, the region's once per account-region, and each
 * service's from the region's, where a cache of finished keys alone derives all four steps for
 * every service of every region.
 */
const derived = new WeakMap<AwsCredentialIdentity, Map<string, Buffer>>();

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The standard derivation: HMAC chain of the day, region, service and "aws4_request" from "AWS4" + the secret key. */
function signingKey(credentials: AwsCredentialIdentity, shortDate: string, region: string, service: string): Buffer {
  let steps = derived.get(credentials);
  if (!steps) {
    steps = new Map();
    derived.set(credentials, steps);
  }
  // Prefixed, and split by a character no region or service name holds: no step is mistaken for another.
  const scope = `s\n${shortDate}\n${region}\n${service}`;
  let key = steps.get(scope);
  if (key) return key;
  // A day's keys replace the previous day's: a long scan crosses midnight UTC at most a few times.
  if (steps.size > 512) steps.clear();
  const regionScope = `r\n${shortDate}\n${region}`;
  const dayScope = `d\n${shortDate}`;
  let regionKey = steps.get(regionScope);
  if (!regionKey) {
    let dayKey = steps.get(dayScope);
    if (!dayKey) {
      dayKey = hmac(`AWS4${credentials.secretAccessKey}`, shortDate);
      steps.set(dayScope, dayKey);
    }
    regionKey = hmac(dayKey, region);
    steps.set(regionScope, regionKey);
  }
  key = hmac(hmac(regionKey, service), 'aws4_request');
  steps.set(scope, key);
  return key;
}

type Internals = {
  service: string;
  applyChecksum: boolean;
  credentialProvider: () => Promise<AwsCredentialIdentity>;
  regionProvider: () => Promise<string>;
  validateResolvedCredentials(credentials: unknown): void;
  createCanonicalRequest(request: HttpRequest, canonicalHeaders: Record<string, string>, payloadHash: string): string;
};

export class AccountSigner extends SignatureV4 {
  // One signature for SignatureV4's four overloads (string, event, message, request).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override sign(toSign: any, options?: any): Promise<any> {
    // A request (not a string, an event or a message) with no header sets of its own.
    const request = toSign as HttpRequest & { payload?: unknown; message?: unknown };
    const args = (options ?? {}) as RequestSigningArguments;
    const longDate = typeof toSign === 'object' && toSign !== null && !(request.headers && request.payload) && !request.message ? longDateOf(args.signingDate ?? new Date()) : null;
    if (longDate === null || args.signableHeaders || args.unsignableHeaders) return Reflect.apply(super.sign, this, [toSign, options]) as Promise<unknown>;
    return this.signHeaders(request, args, longDate);
  }

  private async signHeaders(request: HttpRequest, options: RequestSigningArguments, longDate: string): Promise<HttpRequest> {
    const self = this as unknown as Internals;
    const credentials = await self.credentialProvider();
    self.validateResolvedCredentials(credentials);
    const region = options.signingRegion ?? (await self.regionProvider());
    const service = options.signingService ?? self.service;
    const shortDate = longDate.slice(0, 8);
    const scope = `${shortDate}/${region}/${service}/aws4_request`;
    const signed = prepareRequest(request);
    signed.headers['x-amz-date'] = longDate;
    if (credentials.sessionToken) signed.headers['x-amz-security-token'] = credentials.sessionToken;
    const payload = payloadHash(signed);
    if (self.applyChecksum && !hasHeader(SHA256_HEADER, signed.headers)) signed.headers[SHA256_HEADER] = payload;
    const canonicalHeaders = getCanonicalHeaders(signed);
    const canonicalRequest = self.createCanonicalRequest(signed, canonicalHeaders, payload);
    const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
    const signature = createHmac('sha256', signingKey(credentials, shortDate, region, options.signingService || self.service)).update(stringToSign).digest('hex');
    signed.headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${Object.keys(canonicalHeaders).sort().join(';')}, Signature=${signature}`;
    return signed;
  }
}
