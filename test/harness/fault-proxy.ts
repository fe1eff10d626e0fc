// A loopback HTTP proxy between the AWS SDK and moto that injects faults moto cannot produce
// (AccessDenied, throttling, dead regions, stalls, latency), shaped per wire protocol so the
// real SDK parses the same error codes it would get from AWS.
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { mulberry32 } from './random.js';
import { serveLoopback } from './loopback-server.js';

export type FaultKind = 'AccessDenied' | 'Throttling' | 'Unreachable' | 'Stall' | { latencyMs: number };

export interface FaultRule {
  /**
   * roleArnAccountId (sts AssumeRole only): the account in the RoleArn being assumed.
   * bucket (S3 only): the bucket of the request (path-style: the first path segment).
   * keyPrefix (S3 only): object operations match when the object key starts with it; list
   * operations (ListObjects, ListObjectsV2, ListObjectVersions) when their `prefix` parameter does.
   */
  match: {
    service?: string; operation?: string | RegExp; accountId?: string; region?: string; roleArnAccountId?: string;
    bucket?: string; keyPrefix?: string;
  };
  fault: FaultKind;
  /** Probability 0..1 that a matching request is hit (default 1). */
  rate?: number;
  /** Inject at most this many times. */
  times?: number;
  /** Overrides the default error code / message of AccessDenied and Throttling faults. */
  code?: string;
  message?: string;
}

export interface ProxiedRequest {
  service: string; // credential-scope service (monitoring = CloudWatch), or 's3control'
  region: string;
  operation: string;
  accountId: string;
  accessKeyId: string;
  method: string;
  path: string;
  /** HTTP status sent to the client; 0 while pending or when no answer was given. */
  status: number;
  injected?: string;
  /** S3 only: bucket and object key (path-style) of the request. */
  bucket?: string;
  key?: string;
  /** Set when the proxy answered the request itself (see setPublicKeys) instead of moto. */
  answeredBy?: 'proxy';
}

/** One CloudTrail public key as ListPublicKeys returns it (setPublicKeys). */
export interface ProxyPublicKey {
  /** DER PKCS#1 RSAPublicKey bytes; sent base64-encoded as `Value`. */
  der: Uint8Array;
  fingerprint: string;
  validityStart: Date;
  validityEnd: Date;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  setRules(rules: FaultRule[]): void;
  clearRules(): void;
  /**
   * Short-lived credentials: AssumeRole answers expire `seconds` after they are issued (the
   * proxy rewrites Expiration), and a call signed with an expired key gets ExpiredToken, as
   * from AWS. null (the default) passes AssumeRole through unchanged.
   */
  setCredentialLifetime(seconds: number | null): void;
  /**
   * Answers cloudtrail:ListPublicKeys in the proxy (moto does not implement it): `keysFor` gets
   * the region of the request's SigV4 credential scope (each region signs digests with its own
   * keys) and returns that region's keys; the proxy keeps those whose validity overlaps the
   * request's [StartTime, EndTime] and answers in the real JSON wire shape. Fault rules still
   * apply first. null (the default) forwards ListPublicKeys to moto like any other call.
   */
  setPublicKeys(keysFor: ((region: string) => ProxyPublicKey[]) | null): void;
  requests: ProxiedRequest[];
  resetLog(): void;
  stop(): Promise<void>;
}

interface Classified {
  service: string;
  region: string;
  operation: string;
  accessKeyId: string;
  protocol: 'json' | 'query' | 'ec2' | 'restXml' | 'cbor' | 'unknown';
  jsonVersion: string;
  queryCompatible: boolean; // x-amzn-query-mode: true (CloudWatch JSON)
  roleArnAccountId?: string;
  bucket?: string; // S3: path-style bucket
  key?: string; // S3: object key (decoded)
  listPrefix?: string; // S3 list operations: the prefix parameter
}


const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

// bucket-level subresource -> [GET, PUT, DELETE, POST] operation names
const S3_BUCKET_SUB: Record<string, (string | undefined)[]> = {
  policy: ['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy'],
  policyStatus: ['GetBucketPolicyStatus'],
  acl: ['GetBucketAcl', 'PutBucketAcl'],
  versioning: ['GetBucketVersioning', 'PutBucketVersioning'],
  'object-lock': ['GetObjectLockConfiguration', 'PutObjectLockConfiguration'],
  logging: ['GetBucketLogging', 'PutBucketLogging'],
  encryption: ['GetBucketEncryption', 'PutBucketEncryption', 'DeleteBucketEncryption'],
  lifecycle: ['GetBucketLifecycleConfiguration', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle'],
  location: ['GetBucketLocation'],
  publicAccessBlock: ['GetPublicAccessBlock', 'PutPublicAccessBlock', 'DeletePublicAccessBlock'],
  tagging: ['GetBucketTagging', 'PutBucketTagging', 'DeleteBucketTagging'],
  notification: ['GetBucketNotificationConfiguration', 'PutBucketNotificationConfiguration'],
  ownershipControls: ['GetBucketOwnershipControls', 'PutBucketOwnershipControls', 'DeleteBucketOwnershipControls'],
  replication: ['GetBucketReplication', 'PutBucketReplication', 'DeleteBucketReplication'],
  cors: ['GetBucketCors', 'PutBucketCors', 'DeleteBucketCors'],
  website: ['GetBucketWebsite', 'PutBucketWebsite', 'DeleteBucketWebsite'],
  accelerate: ['GetBucketAccelerateConfiguration', 'PutBucketAccelerateConfiguration'],
  requestPayment: ['GetBucketRequestPayment', 'PutBucketRequestPayment'],
  'list-type': ['ListObjectsV2'],
  versions: ['ListObjectVersions'],
  uploads: ['ListMultipartUploads'],
  delete: [undefined, undefined, undefined, 'DeleteObjects'],
};
const S3_OBJECT_SUB: Record<string, (string | undefined)[]> = {
  acl: ['GetObjectAcl', 'PutObjectAcl'],
  tagging: ['GetObjectTagging', 'PutObjectTagging', 'DeleteObjectTagging'],
  'legal-hold': ['GetObjectLegalHold', 'PutObjectLegalHold'],
  retention: ['GetObjectRetention', 'PutObjectRetention'],
  attributes: ['GetObjectAttributes'],
  uploads: [undefined, undefined, undefined, 'CreateMultipartUpload'],
  restore: [undefined, undefined, undefined, 'RestoreObject'],
};
const METHOD_INDEX: Record<string, number> = { GET: 0, PUT: 1, DELETE: 2, POST: 3 };

function s3Operation(method: string, pathname: string, query: URLSearchParams): string {
  const xid = query.get('x-id');
  if (xid) return xid;
  const segments = pathname.split('/').filter((s) => s !== '');
  if (segments.length === 0) return method === 'GET' ? 'ListBuckets' : `${method} /`;
  const table = segments.length === 1 ? S3_BUCKET_SUB : S3_OBJECT_SUB;
  const idx = METHOD_INDEX[method];
  for (const key of query.keys()) {
    const name = idx === undefined ? undefined : table[key]?.[idx];
    if (name) return name;
  }
  const plain: Record<string, string> =
    segments.length === 1
      ? { GET: 'ListObjects', HEAD: 'HeadBucket', PUT: 'CreateBucket', DELETE: 'DeleteBucket' }
      : { GET: 'GetObject', HEAD: 'HeadObject', PUT: 'PutObject', DELETE: 'DeleteObject' };
  return plain[method] ?? `${method} ${pathname}`;
}

function s3controlOperation(method: string, pathname: string): string {
  const last = pathname.split('/').filter((s) => s !== '').pop() ?? '';
  const verb: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', POST: 'Create' };
  if (pathname === '/v20180820/configuration/publicAccessBlock' && verb[method]) return `${verb[method]}PublicAccessBlock`;
  return `${verb[method] ?? method}${last.charAt(0).toUpperCase()}${last.slice(1)}`;
}

function classify(req: IncomingMessage, body: Buffer): Classified {
  const h = req.headers;
  const auth = header(h, 'authorization') ?? '';
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  const accessKeyId = scope?.[1] ?? '';
  const region = scope?.[2] ?? '';
  const service = scope?.[3] ?? 'unknown';
  const url = new URL(req.url ?? '/', 'http://proxy.invalid');
  const method = req.method ?? 'GET';
  const contentType = header(h, 'content-type') ?? '';
  const target = header(h, 'x-amz-target');
  const base = { service, region, accessKeyId, jsonVersion: '1.1', queryCompatible: header(h, 'x-amzn-query-mode') === 'true' };

  if ((header(h, 'smithy-protocol') ?? '').toLowerCase() === 'rpc-v2-cbor') {
    const op = url.pathname.split('/').filter((s) => s !== '').pop() ?? 'unknown';
    return { ...base, operation: op, protocol: 'cbor' };
  }
  if (target) {
    const jsonVersion = /x-amz-json-(1\.[01])/.exec(contentType)?.[1] ?? '1.1';
    return { ...base, operation: target.slice(target.lastIndexOf('.') + 1), protocol: 'json', jsonVersion };
  }
  // S3 Control signs with service 's3' too; its paths all start with the API version.
  if (url.pathname.startsWith('/v20180820')) {
    return { ...base, service: 's3control', operation: s3controlOperation(method, url.pathname), protocol: 'restXml' };
  }
  if (service === 's3') {
    const operation = s3Operation(method, url.pathname, url.searchParams);
    const [bucket, ...rest] = url.pathname.split('/').filter((s) => s !== '');
    const key = rest.length > 0 ? decodeURIComponent(url.pathname.slice(url.pathname.indexOf('/', 1) + 1)) : undefined;
    const listPrefix = /^List(Objects|ObjectsV2|ObjectVersions)$/.test(operation) ? (url.searchParams.get('prefix') ?? '') : undefined;
    return {
      ...base, operation, protocol: 'restXml',
      ...(bucket !== undefined ? { bucket: decodeURIComponent(bucket) } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(listPrefix !== undefined ? { listPrefix } : {}),
    };
  }
  if (contentType.includes('x-www-form-urlencoded') || (method === 'GET' && url.searchParams.has('Action'))) {
    const form = contentType.includes('x-www-form-urlencoded') ? new URLSearchParams(body.toString('utf8')) : url.searchParams;
    const operation = form.get('Action') ?? 'unknown';
    const roleArnAccountId = /^arn:[^:]+:iam::(\d{12}):/.exec(form.get('RoleArn') ?? '')?.[1];
    return { ...base, operation, protocol: service === 'ec2' ? 'ec2' : 'query', roleArnAccountId };
  }
  return { ...base, operation: `${method} ${url.pathname}`, protocol: 'unknown' };
}

// Minimal CBOR encoder for a flat string->string map (all an rpcv2 error body needs).
function cborText(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const n = bytes.length;
  const head = n < 24 ? Buffer.from([0x60 | n]) : n < 256 ? Buffer.from([0x78, n]) : Buffer.from([0x79, n >> 8, n & 0xff]);
  return Buffer.concat([head, bytes]);
}
function cborMap(obj: Record<string, string>): Buffer {
  const entries = Object.entries(obj);
  return Buffer.concat([Buffer.from([0xa0 | entries.length]), ...entries.flatMap(([k, v]) => [cborText(k), cborText(v)])]);
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type ErrorReply = { status: number; headers: Record<string, string>; body: Buffer };

/** Builds an AWS-shaped error for the request's wire protocol. */
function errorReply(c: Classified, kind: 'AccessDenied' | 'Throttling', accountId: string, rule: FaultRule): ErrorReply {
  const requestId = randomUUID();
  const throttle = kind === 'Throttling';
  const message =
    rule.message ??
    (throttle ? 'Rate exceeded' : `User: arn:aws:iam::${accountId}:user/trailwarden-test is not authorized to perform: ${c.service}:${c.operation}`);
  if (c.protocol === 'restXml' || c.service === 's3') {
    const code = rule.code ?? (throttle ? 'SlowDown' : 'AccessDenied');
    const msg = rule.message ?? (throttle ? 'Please reduce your request rate.' : 'Access Denied');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(msg)}</Message><RequestId>${requestId}</RequestId></Error>`;
    return { status: throttle ? 503 : 403, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId }, body: Buffer.from(xml) };
  }
  if (c.protocol === 'ec2') {
    const code = rule.code ?? (throttle ? 'RequestLimitExceeded' : 'UnauthorizedOperation');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
    return { status: throttle ? 503 : 403, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: Buffer.from(xml) };
  }
  if (c.protocol === 'query') {
    // Real SNS answers a denied call with AuthorizationError, never AccessDenied.
    const code = rule.code ?? (throttle ? 'Throttling' : c.service === 'sns' ? 'AuthorizationError' : 'AccessDenied');
    const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { status: throttle ? 400 : 403, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: Buffer.from(xml) };
  }
  // JSON / CBOR RPC. Organizations spells throttling TooManyRequestsException.
  const code = rule.code ?? (throttle ? (c.service === 'organizations' ? 'TooManyRequestsException' : 'ThrottlingException') : 'AccessDeniedException');
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId, 'x-amzn-errortype': code };
  if (c.queryCompatible) {
    // awsQueryCompatible services (CloudWatch) also send the legacy query code; the SDK prefers it.
    headers['x-amzn-query-error'] = `${rule.code ?? (throttle ? 'Throttling' : 'AccessDenied')};Sender`;
  }
  if (c.protocol === 'cbor') {
    return { status: 400, headers: { ...headers, 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' }, body: cborMap({ __type: code, message }) };
  }
  const json = JSON.stringify({ __type: code, message });
  return { status: 400, headers: { ...headers, 'content-type': `application/x-amz-json-${c.jsonVersion}` }, body: Buffer.from(json) };
}

/** Epoch seconds (number, or numeric string) or an ISO date string, as a CloudTrail JSON timestamp may come. */
function wireTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (Number.isFinite(n)) return n * 1000;
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return undefined;
}

/**
 * cloudtrail:ListPublicKeys in the real wire shape (awsJson1_1): `Value` is base64 of the DER
 * PKCS#1 key (an SDK decodes it to the DER bytes), validity times are epoch seconds. Keys are
 * those whose validity overlaps [StartTime, EndTime] (both optional).
 */
function listPublicKeysReply(c: Classified, body: Buffer, keys: ProxyPublicKey[]): ErrorReply {
  let input: Record<string, unknown> = {};
  try {
    const parsed: unknown = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
    if (parsed && typeof parsed === 'object') input = parsed as Record<string, unknown>;
  } catch {
    /* an unparsable body is treated as no filter */
  }
  const start = wireTime(input.StartTime) ?? -Infinity;
  const end = wireTime(input.EndTime) ?? Infinity;
  const PublicKeyList = keys
    .filter((k) => k.validityStart.getTime() <= end && k.validityEnd.getTime() >= start)
    .map((k) => ({
      Value: Buffer.from(k.der).toString('base64'),
      ValidityStartTime: k.validityStart.getTime() / 1000,
      ValidityEndTime: k.validityEnd.getTime() / 1000,
      Fingerprint: k.fingerprint,
    }));
  const requestId = randomUUID();
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${c.jsonVersion}`, 'x-amzn-requestid': requestId },
    body: Buffer.from(JSON.stringify({ PublicKeyList })),
  };
}

/**
 * S3 GetObject of an SSE-KMS object whose KMS key the caller may not use: real S3 answers
 * HTTP 403, code AccessDenied, with the KMS denial as the message. Matches GetObject in `bucket`
 * under `keyPrefix` (default: every key).
 */
export function kmsDecryptDeniedRule(opts: {
  bucket: string; keyPrefix?: string; kmsKeyArn: string; principalArn?: string; accountId?: string; times?: number;
}): FaultRule {
  const principal = opts.principalArn ?? `arn:aws:sts::${opts.accountId ?? '123456789012'}:assumed-role/TrailwardenAudit/trailwarden`;
  return {
    match: { service: 's3', operation: 'GetObject', bucket: opts.bucket, ...(opts.keyPrefix !== undefined ? { keyPrefix: opts.keyPrefix } : {}) },
    fault: 'AccessDenied',
    code: 'AccessDenied',
    message:
      `User: ${principal} is not authorized to perform: kms:Decrypt on resource: ${opts.kmsKeyArn} ` +
      'because no identity-based policy allows the kms:Decrypt action',
    ...(opts.times !== undefined ? { times: opts.times } : {}),
  };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const faultName = (f: FaultKind): string => (typeof f === 'string' ? f : `latency:${f.latencyMs}`);

export async function startFaultProxy(opts: { target: string; seed?: number; defaultAccountId?: string }): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const defaultAccountId = opts.defaultAccountId ?? '123456789012';
  const random = mulberry32(opts.seed ?? 1);
  const keyToAccount = new Map<string, string>();
  const keyExpiry = new Map<string, number>();
  let credentialLifetimeMs: number | null = null;
  let publicKeysFor: ((region: string) => ProxyPublicKey[]) | null = null;
  let rules: { rule: FaultRule; used: number }[] = [];
  const requests: ProxiedRequest[] = [];

  const matches = (rule: FaultRule, c: Classified, accountId: string): boolean => {
    const m = rule.match;
    if (m.service !== undefined && m.service !== c.service) return false;
    if (m.region !== undefined && m.region !== c.region) return false;
    if (m.accountId !== undefined && m.accountId !== accountId) return false;
    if (m.roleArnAccountId !== undefined && m.roleArnAccountId !== c.roleArnAccountId) return false;
    if (m.bucket !== undefined && m.bucket !== c.bucket) return false;
    if (m.keyPrefix !== undefined) {
      const subject = c.key ?? c.listPrefix;
      if (subject === undefined || !subject.startsWith(m.keyPrefix)) return false;
    }
    if (m.operation instanceof RegExp) return m.operation.test(c.operation);
    return m.operation === undefined || m.operation === c.operation;
  };

  /** All matching latency rules apply (summed); then the first matching fault rule. */
  const decide = (c: Classified, accountId: string): { latencyMs: number; fault?: FaultRule } => {
    let latencyMs = 0;
    let fault: FaultRule | undefined;
    for (const entry of rules) {
      const { rule } = entry;
      const isLatency = typeof rule.fault !== 'string';
      if (!isLatency && fault) continue;
      if (!matches(rule, c, accountId)) continue;
      if (rule.times !== undefined && entry.used >= rule.times) continue;
      const rate = rule.rate ?? 1;
      if (rate < 1 && random() >= rate) continue;
      entry.used++;
      if (typeof rule.fault === 'string') fault = rule;
      else latencyMs += rule.fault.latencyMs;
    }
    return fault ? { latencyMs, fault } : { latencyMs };
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, log: ProxiedRequest, c: Classified): void => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers.host = target.host;
    if (body.length > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = String(body.length);
    const learn = c.service === 'sts' && c.operation === 'AssumeRole' && c.roleArnAccountId !== undefined;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (up) => {
        const outHeaders: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) outHeaders[k] = v;
        log.status = up.statusCode ?? 0;
        if (!learn) {
          res.writeHead(up.statusCode ?? 502, outHeaders);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (chunk: Buffer) => chunks.push(chunk));
        up.on('end', () => {
          let text = Buffer.concat(chunks);
          const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text.toString('utf8'))?.[1];
          if (up.statusCode === 200 && key && c.roleArnAccountId) keyToAccount.set(key, c.roleArnAccountId);
          if (up.statusCode === 200 && key && credentialLifetimeMs !== null) {
            const expires = Date.now() + credentialLifetimeMs;
            keyExpiry.set(key, expires);
            text = Buffer.from(text.toString('utf8').replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${new Date(expires).toISOString()}</Expiration>`));
            outHeaders['content-length'] = String(text.length);
          }
          res.writeHead(up.statusCode ?? 502, outHeaders);
          res.end(text);
        });
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) return void res.destroy();
      log.status = 502;
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`fault-proxy: upstream error: ${err.message}`);
    });
    res.on('close', () => !res.writableFinished && upstream.destroy()); // client gave up
    upstream.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const c = classify(req, body);
    const accountId = keyToAccount.get(c.accessKeyId) ?? defaultAccountId;
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const { service, region, operation, accessKeyId } = c;
    const log: ProxiedRequest = { service, region, operation, accountId, accessKeyId, method: req.method ?? 'GET', path: url.pathname, status: 0 };
    if (c.bucket !== undefined) log.bucket = c.bucket;
    if (c.key !== undefined) log.key = c.key;
    requests.push(log);
    const expiry = keyExpiry.get(accessKeyId);
    if (expiry !== undefined && Date.now() >= expiry) {
      log.injected = 'ExpiredToken';
      const code = c.protocol === 'json' || c.protocol === 'cbor' ? 'ExpiredTokenException' : 'ExpiredToken';
      const reply = errorReply(c, 'AccessDenied', accountId, { match: {}, fault: 'AccessDenied', code, message: 'The security token included in the request is expired' });
      log.status = reply.status;
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) }).end(reply.body);
      return;
    }
    const { latencyMs, fault } = decide(c, accountId);
    if (latencyMs > 0) {
      log.injected = `latency:${latencyMs}`;
      await sleep(latencyMs);
      if (res.destroyed) return;
    }
    if (!fault) {
      if (publicKeysFor && c.service === 'cloudtrail' && c.protocol === 'json' && c.operation === 'ListPublicKeys') {
        // moto has no cloudtrail:ListPublicKeys, so the proxy answers it from the registered keys.
        const reply = listPublicKeysReply(c, body, publicKeysFor(c.region));
        log.status = reply.status;
        log.answeredBy = 'proxy';
        res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) }).end(reply.body);
        return;
      }
      forward(req, res, body, log, c);
      return;
    }
    const kind = fault.fault;
    log.injected = log.injected ? `${log.injected}+${faultName(kind)}` : faultName(kind);
    if (kind === 'Unreachable') {
      req.socket.destroy();
      return;
    }
    if (kind === 'Stall') return; // never answer; stop() or the client closes the socket
    if (kind === 'AccessDenied' || kind === 'Throttling') {
      const reply = errorReply(c, kind, accountId, fault);
      log.status = reply.status;
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) }).end(reply.body);
    }
  };

  const server = await serveLoopback('fault-proxy', handle);

  return {
    endpoint: server.endpoint,
    port: server.port,
    setRules: (next: FaultRule[]) => void (rules = next.map((rule) => ({ rule, used: 0 }))),
    clearRules: () => void (rules = []),
    setCredentialLifetime: (seconds: number | null) => void (credentialLifetimeMs = seconds === null ? null : seconds * 1000),
    setPublicKeys: (keysFor) => void (publicKeysFor = keysFor),
    requests,
    resetLog: () => void (requests.length = 0),
    stop: () => server.stop(), // also ends stalled responses
  };
}
