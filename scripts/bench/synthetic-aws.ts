// The synthetic AWS endpoint: one loopback HTTP server that answers every operation the scanner
// sends, for a generated organization, in each service's real wire protocol. Requests are routed
// like AWS routes them: the SigV4 credential scope names the service (and region), the access
// key names the acting account, and the X-Amz-Target header / Action parameter / path names the
// operation. Each response waits `latencyMs`; a fraction of calls, and calls over an account's
// request rate, are answered with the service's own throttling error.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../../test/harness/random.js';
import { ServiceError, SyntheticServices, type Call, type S3Result } from './services.js';
import { buildSyntheticOrg } from './synthetic-org.js';
import {
  ec2Error, ec2Response, jsonError, jsonResponse, queryError, queryResponse, rawResponse, restXml, s3Error, type WireResponse,
} from './wire.js';

export interface EndpointOptions {
  accounts: number;
  regions: number;
  latencyMs: number;
  /** Fraction (0..1) of calls answered with a throttling error. */
  throttleRate: number;
  /** Requests per second each account may send; 0 = unlimited. */
  accountRps: number;
  /** Seed for the throttling draw, so runs are comparable. */
  seed?: number;
  /** Keep the first N requests (GET /__bench/requests returns them): the raw baseline replays them. */
  recordRequests?: number;
}

/** A request as received, enough to sign and send it again (raw-baseline.ts). */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The headers the operation needs (content type, X-Amz-Target, x-amz-account-id); not the signature's. */
  headers: Record<string, string>;
  body: string;
  signingName: string;
  region: string;
  accessKeyId: string;
  sessionToken: boolean;
}

const RECORDED_HEADERS = ['content-type', 'x-amz-target', 'x-amz-account-id'];

export interface EndpointStats {
  requests: number;
  throttled: number;
  errors: number;
  byOperation: Record<string, number>;
  /** Requests received in each second since the first one: shows where the scan left slots idle. */
  perSecond: number[];
  /** TCP connections accepted: far fewer than requests when the scanner reuses its sockets. */
  connections: number;
}

type Protocol = 'query' | 'ec2' | 'json1.1' | 'json1.0q' | 'rest-xml';

interface ServiceWire {
  protocol: Protocol;
  namespace?: string;
  throttle: { status: number; code: string };
}

// Keyed by the SigV4 signing name (CloudWatch signs as "monitoring"; S3 Control as "s3").
const SERVICES: Record<string, ServiceWire> = {
  sts: { protocol: 'query', namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', throttle: { status: 400, code: 'Throttling' } },
  sns: { protocol: 'query', namespace: 'http://sns.amazonaws.com/doc/2010-03-31/', throttle: { status: 400, code: 'Throttling' } },
  ec2: { protocol: 'ec2', throttle: { status: 503, code: 'RequestLimitExceeded' } },
  cloudtrail: { protocol: 'json1.1', throttle: { status: 400, code: 'ThrottlingException' } },
  organizations: { protocol: 'json1.1', throttle: { status: 400, code: 'TooManyRequestsException' } },
  kms: { protocol: 'json1.1', throttle: { status: 400, code: 'ThrottlingException' } },
  logs: { protocol: 'json1.1', throttle: { status: 400, code: 'ThrottlingException' } },
  monitoring: { protocol: 'json1.0q', throttle: { status: 400, code: 'Throttling' } },
  s3: { protocol: 'rest-xml', throttle: { status: 503, code: 'SlowDown' } },
};

const S3_SUBRESOURCES: Record<string, string> = {
  location: 'GetBucketLocation',
  policy: 'GetBucketPolicy',
  policyStatus: 'GetBucketPolicyStatus',
  acl: 'GetBucketAcl',
  publicAccessBlock: 'GetPublicAccessBlock',
  versioning: 'GetBucketVersioning',
  'object-lock': 'GetObjectLockConfiguration',
  logging: 'GetBucketLogging',
  encryption: 'GetBucketEncryption',
  lifecycle: 'GetBucketLifecycleConfiguration',
};

/** Per-account token bucket: `rate` tokens a second, holding at most one second's worth. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly rate: number) {}

  take(account: string): boolean {
    if (this.rate <= 0) return true;
    const now = performance.now();
    const b = this.buckets.get(account) ?? { tokens: this.rate, at: now };
    b.tokens = Math.min(this.rate, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.buckets.set(account, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}


export interface RunningEndpoint {
  url: string;
  stats(): EndpointStats;
  close(): Promise<void>;
}

export async function startSyntheticAws(options: EndpointOptions): Promise<RunningEndpoint> {
  const services = new SyntheticServices(buildSyntheticOrg(options.accounts, options.regions));
  const limiter = new RateLimiter(options.accountRps);
  const draw = mulberry32(options.seed ?? 1);
  const stats: EndpointStats = { requests: 0, throttled: 0, errors: 0, byOperation: {}, perSecond: [], connections: 0 };
  let firstAt: number | null = null;
  const recorded: RecordedRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/__bench/stats') return send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(stats) }, 0);
    if (url.pathname === '/__bench/requests') return send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(recorded) }, 0);

    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
    const signingName = scope?.[3] ?? '';
    const wire = SERVICES[signingName];
    if (!scope || !wire) {
      return send(res, { status: 400, headers: { 'content-type': 'text/plain' }, body: `unsigned request or unknown service "${signingName}"` }, 0);
    }
    const account = accountOf(scope[1]!, services.org.managementAccountId);
    if (recorded.length < (options.recordRequests ?? 0)) {
      const headers: Record<string, string> = {};
      for (const h of RECORDED_HEADERS) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      recorded.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers, body, signingName, region: scope[2]!, accessKeyId: scope[1]!, sessionToken: req.headers['x-amz-security-token'] !== undefined });
    }
    const call = parseCall(wire.protocol, req, url, body, account, scope[2]!);
    const service = wire.protocol === 'rest-xml' && url.pathname.startsWith('/v20180820/') ? 's3control' : signingName;
    stats.requests++;
    firstAt ??= performance.now();
    const second = Math.floor((performance.now() - firstAt) / 1000);
    while (stats.perSecond.length <= second) stats.perSecond.push(0);
    stats.perSecond[second]!++;
    const key = `${service}:${call.operation}`;
    stats.byOperation[key] = (stats.byOperation[key] ?? 0) + 1;

    let response: WireResponse;
    if (!limiter.take(account) || (options.throttleRate > 0 && draw() < options.throttleRate)) {
      stats.throttled++;
      response = encodeError(wire, wire.throttle.status, wire.throttle.code, 'Rate exceeded');
    } else {
      try {
        response = encode(wire, service, call, services);
      } catch (err) {
        stats.errors++;
        if (err instanceof ServiceError) response = encodeError(wire, err.status, err.code, err.message);
        else response = encodeError(wire, 500, 'InternalFailure', (err as Error).message);
      }
    }
    send(res, response, options.latencyMs);
  };

  const server: Server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => send(res, { status: 500, headers: {}, body: String(err) }, 0));
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => stats.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** AssumeRole hands out `ASIA<account id>BNCH`; any other key is the management account's, as moto treats unknown keys as its default account. */
function accountOf(accessKeyId: string, management: string): string {
  return /^A[SK]IA(\d{12})/.exec(accessKeyId)?.[1] ?? management;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseCall(protocol: Protocol, req: IncomingMessage, url: URL, body: string, account: string, region: string): Call {
  if (protocol === 'query' || protocol === 'ec2') {
    const form = new URLSearchParams(body);
    return { account, region, operation: form.get('Action') ?? '', params: Object.fromEntries(form), target: '' };
  }
  if (protocol === 'json1.1' || protocol === 'json1.0q') {
    const target = String(req.headers['x-amz-target'] ?? '');
    return { account, region, operation: target.slice(target.lastIndexOf('.') + 1), params: body ? (JSON.parse(body) as Record<string, unknown>) : {}, target: '' };
  }
  if (url.pathname.startsWith('/v20180820/configuration/publicAccessBlock')) {
    return { account, region, operation: 'GetPublicAccessBlock', params: {}, target: String(req.headers['x-amz-account-id'] ?? account) };
  }
  const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  if (!bucket) return { account, region, operation: 'ListBuckets', params: {}, target: '' };
  const sub = Object.keys(S3_SUBRESOURCES).find((k) => url.searchParams.has(k));
  return { account, region, operation: sub ? S3_SUBRESOURCES[sub]! : `${req.method ?? 'GET'} object`, params: {}, target: bucket };
}

function encode(wire: ServiceWire, service: string, call: Call, services: SyntheticServices): WireResponse {
  switch (wire.protocol) {
    case 'query': {
      const result = service === 'sts' ? services.sts(call) : services.sns(call);
      return queryResponse(call.operation, wire.namespace!, result);
    }
    case 'ec2':
      return ec2Response(call.operation, services.ec2(call));
    case 'json1.1': {
      const handler = { cloudtrail: services.cloudtrail, organizations: services.organizations, kms: services.kms, logs: services.logs }[service as 'kms'];
      if (!handler) throw new ServiceError(400, 'UnknownOperationException', `unknown service ${service}`);
      return jsonResponse('1.1', handler.call(services, call));
    }
    case 'json1.0q':
      return jsonResponse('1.0', services.cloudwatch(call));
    case 'rest-xml': {
      const result: S3Result = service === 's3control' ? services.s3control(call) : services.s3(call);
      return 'raw' in result ? rawResponse(result.contentType, result.raw) : restXml(result.root, result.inner);
    }
  }
}

function encodeError(wire: ServiceWire, status: number, code: string, message: string): WireResponse {
  switch (wire.protocol) {
    case 'query':
      return queryError(status, code, message);
    case 'ec2':
      return ec2Error(status, code, message);
    case 'json1.1':
      return jsonError('1.1', status, code, message);
    case 'json1.0q':
      return jsonError('1.0', status, code, message, true);
    case 'rest-xml':
      return s3Error(status, code, message);
  }
}

function send(res: ServerResponse, r: WireResponse, delayMs: number): void {
  const write = () => {
    res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
    res.end(r.body);
  };
  if (delayMs > 0) setTimeout(write, delayMs);
  else write();
}
