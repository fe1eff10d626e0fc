// A loopback HTTP proxy between the AWS SDK and moto that injects faults moto cannot produce
// (AccessDenied, throttling, dead regions, stalls, latency), shaped per wire protocol so the
// real SDK parses the same error codes it would get from AWS.
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from './random.js';

export type FaultKind = 'AccessDenied' | 'Throttling' | 'Unreachable' | 'Stall' | { latencyMs: number };

export interface FaultRule {
  /** roleArnAccountId (sts AssumeRole only): the account in the RoleArn being assumed. */
  match: { service?: string; operation?: string | RegExp; accountId?: string; region?: string; roleArnAccountId?: string };
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
  if (service === 's3') return { ...base, operation: s3Operation(method, url.pathname, url.searchParams), protocol: 'restXml' };
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
  const sockets = new Set<Socket>();
  let rules: { rule: FaultRule; used: number }[] = [];
  const requests: ProxiedRequest[] = [];

  const matches = (rule: FaultRule, c: Classified, accountId: string): boolean => {
    const m = rule.match;
    if (m.service !== undefined && m.service !== c.service) return false;
    if (m.region !== undefined && m.region !== c.region) return false;
    if (m.accountId !== undefined && m.accountId !== accountId) return false;
    if (m.roleArnAccountId !== undefined && m.roleArnAccountId !== c.roleArnAccountId) return false;
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

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`fault-proxy: ${String(err)}`);
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    setRules: (next: FaultRule[]) => void (rules = next.map((rule) => ({ rule, used: 0 }))),
    clearRules: () => void (rules = []),
    setCredentialLifetime: (seconds: number | null) => void (credentialLifetimeMs = seconds === null ? null : seconds * 1000),
    requests,
    resetLog: () => void (requests.length = 0),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy(); // also ends stalled responses
        server.closeAllConnections();
      }),
  };
}
