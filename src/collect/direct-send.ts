// The scan's calls sent without the SDK's per-command middleware pipeline.
//
// Every `send()` of an SDK client clones the client's middleware stack, adds the command's own,
// sorts and chains ~25 middlewares, spreads the client's whole resolved config into new objects
// for the serialiser, the deserialiser, the endpoint and the signer, and runs each middleware's
// closure: most of the CPU an API call costs above signing and the socket (docs/performance.md).
// The scan makes hundreds of thousands of calls of a few dozen read-only operations, so it sends
// them through this straight path instead, built from the same SDK parts the middlewares call:
//
//   the client's own protocol object serialises the input and deserialises the answer (the
//   operation's schema, the same error types and $metadata), the client's endpoint rules resolve
//   the endpoint (cached per service and region where the rules read nothing from the input),
//   the client's own SigV4 signer signs, the shared HTTP handler sends.
//
// What the middlewares did that the scan needs is done here: the read-only allowlist, accounting
// and the concurrency slot per attempt (ClientPool), retries with the scan's retry strategy, S3's
// region redirects, the clock-skew correction, content-length, host and user-agent headers, and
// S3's "200 with an error body" check. A call this path does not cover (another protocol, an event
// stream, a client send option, S3 Control's host prefixes) goes through the SDK's own send().
import { getEndpointFromInstructions, toEndpointV1 } from '@smithy/core/endpoints';
import { getRetryAfterHint, isClockSkewError, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { buildQueryString, HttpResponse as SdkHttpResponse } from '@smithy/core/protocols';
import { operation } from '@smithy/core/schema';
import type { EndpointV2, HttpRequest, HttpResponse } from '@smithy/types';
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';

/** The parts of a resolved SDK client config this path uses. */
interface ClientConfig {
  protocol: Protocol;
  retryStrategy: () => Promise<RetryStrategy>;
  region: () => Promise<string>;
  signer: (authScheme?: AuthScheme) => Promise<Signer>;
  bodyLengthChecker: (body: unknown) => number | undefined;
  utf8Encoder: (bytes: Uint8Array) => string;
  streamCollector: (stream: unknown) => Promise<Uint8Array>;
  systemClockOffset?: number;
  followRegionRedirects?: boolean;
  [key: string]: unknown;
}

interface Protocol {
  serializeRequest(op: unknown, input: unknown, context: object): Promise<HttpRequest>;
  deserializeResponse(op: unknown, context: object, response: HttpResponse): Promise<Record<string, unknown>>;
}

interface Signer {
  sign(request: HttpRequest, options: { signingDate: Date; signingRegion: string; signingService: string }): Promise<HttpRequest>;
}

interface AuthScheme {
  name: string;
  signingName?: string;
  signingRegion?: string;
  signingRegionSet?: string[];
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: { error: unknown; errorType: string; retryAfterHint?: Date }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

interface EndpointInstruction {
  type: 'staticContextParams' | 'contextParams' | 'clientContextParams' | 'builtInParams' | 'operationContextParams';
}

type CommandCtor = { getEndpointParameterInstructions?: () => Record<string, EndpointInstruction> };

/** What a command carries: its input and its operation schema ([9, namespace, name, traits, input, output]). */
export interface SdkCommand {
  input: unknown;
  schema?: unknown;
  constructor: unknown;
}

/**
 * The default signing name of each service's SigV4 auth scheme, as its httpAuthSchemeProvider
 * gives it (a test holds the two equal). An endpoint's own auth scheme (S3, global services) wins.
 */
export const SIGNING_NAMES: Record<string, string> = {
  cloudtrail: 'cloudtrail',
  cloudwatch: 'monitoring',
  logs: 'logs',
  ec2: 'ec2',
  kms: 'kms',
  organizations: 'organizations',
  s3: 's3',
  sns: 'sns',
  sts: 'sts',
};

/**
 * S3 operations this path sends: those whose only SDK plugin is the "200 with an error body"
 * check (replicated below), and GetObject on the object lane, whose flexible-checksum plugin the
 * object lane turns off (requestChecksumCalculation / responseChecksumValidation WHEN_REQUIRED).
 */
const S3_OPERATIONS = new Set([
  'ListBuckets',
  'GetBucketLocation',
  'GetBucketAcl',
  'GetBucketPolicyStatus',
  'GetPublicAccessBlock',
  'GetBucketVersioning',
  'GetObjectLockConfiguration',
  'GetBucketLogging',
  'GetBucketEncryption',
  'GetBucketLifecycleConfiguration',
  'ListObjectsV2',
]);

/** Rules that read nothing from the input give one endpoint per service, lane and region. */
const CLIENT_LEVEL = new Set(['staticContextParams', 'clientContextParams', 'builtInParams']);

/**
 * Input members S3's endpoint rules are given but whose endpoint does not depend on: the SDK's own
 * S3 endpoint cache leaves them out of its key (it keys on the bucket and the client's settings).
 */
const S3_ENDPOINT_IGNORED = new Set(['Key', 'Prefix', 'CopySource']);

interface EndpointShape {
  /** The endpoint is a function of the client's settings (and, for S3, the bucket) alone. */
  cacheable: boolean;
  bucket: boolean;
  /** The command's parameter instructions, as part of the cache key: commands of one service may declare different static ones. */
  key: string;
}

const shapes = new WeakMap<object, EndpointShape>();

function endpointShape(ctor: CommandCtor): EndpointShape {
  let shape = shapes.get(ctor);
  if (!shape) {
    const instructions = ctor.getEndpointParameterInstructions?.() ?? {};
    let cacheable = true;
    let bucket = false;
    for (const [name, instruction] of Object.entries(instructions)) {
      if (CLIENT_LEVEL.has(instruction.type)) continue;
      if (instruction.type === 'contextParams' && name === 'Bucket') bucket = true;
      else if (!(instruction.type === 'contextParams' && S3_ENDPOINT_IGNORED.has(name))) cacheable = false;
    }
    // Only S3 is known to key its endpoints this way.
    if (bucket || Object.values(instructions).some((i) => i.type === 'contextParams')) cacheable &&= isS3Instructions(instructions);
    shape = { cacheable, bucket, key: JSON.stringify(instructions) };
    shapes.set(ctor, shape);
  }
  return shape;
}

/** S3's commands all declare the ForcePathStyle client parameter; no other service of the scan has it. */
function isS3Instructions(instructions: Record<string, EndpointInstruction>): boolean {
  return 'ForcePathStyle' in instructions && 'Accelerate' in instructions;
}

/** Shared by every client of a pool: endpoints and where buckets live. */
export class DirectSendCache {
  readonly endpoints = new Map<string, Promise<EndpointV2>>();
  /** Buckets an S3 redirect placed in another region than the client's: later calls go there at once. */
  readonly bucketRegions = new Map<string, string>();
}

export interface DirectSendOptions {
  service: string;
  lane: string;
  /** S3 GetObject is sent directly only on the object lane (checksums off, see S3_OPERATIONS). */
  objectLane: boolean;
  cache: DirectSendCache;
  /** The user agent headers the SDK computed for this service, once known. */
  userAgent: () => Record<string, string> | undefined;
  /** Wraps each attempt (the concurrency slot, the abort check). */
  attempt: <T>(fn: () => Promise<T>) => Promise<T>;
  transport: Transport;
  /**
   * The config the protocol reads its helpers from (stream collector, encoders): the region's
   * template client's, shared by every account there. Default: the sender's own config.
   */
  serdeConfig?: object;
}

/** The pool's sockets and timeouts, shared with its SDK clients' handler. */
export interface Transport {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
  /** Until the answer's headers (and, but for a streamed object, its whole body) are in. */
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  signal?: AbortSignal;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Socket errors the SDK's handler reports as a timeout (retried as transient). */
const TIMEOUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

/**
 * One HTTP exchange, as the SDK's Node handler makes it (the same agents, the same timeout and
 * abort errors), with less around it: the request written in one go, two timers instead of five,
 * and an answer that is not an object's content read whole into one buffer, which the protocol's
 * deserialiser takes as it is.
 */
export function sendHttp(request: HttpRequest, transport: Transport, stream: boolean): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = transport;
    const abortError = () => Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    if (signal?.aborted) return reject(abortError());
    const https = request.protocol === 'https:';
    const query = request.query ? buildQueryString(request.query) : '';
    const path = query ? `${request.path}?${query}` : request.path;
    let hostname = request.hostname;
    if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
    let settled = false;
    const timers: { request?: NodeJS.Timeout; connect?: NodeJS.Timeout } = {};
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timers.request);
      clearTimeout(timers.connect);
      if (signal) signal.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (err: Error & { code?: string }) => done(() => reject(TIMEOUT_CODES.has(err.code ?? '') && err.name !== 'TimeoutError' ? Object.assign(err, { name: 'TimeoutError' }) : err));
    const options = { headers: request.headers, host: hostname, method: request.method, path, port: request.port, agent: https ? transport.httpsAgent : transport.httpAgent };
    const req = (https ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
      const headers: Record<string, string> = {};
      const given = res.headers;
      for (const name in given) {
        const value = given[name];
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      const answer = (body: unknown) => new SdkHttpResponse({ statusCode: res.statusCode ?? -1, reason: res.statusMessage, headers, body }) as unknown as HttpResponse;
      if (stream) {
        // The reader consumes the body; a body that stalls fails its read, never hangs it.
        res.setTimeout(transport.requestTimeoutMs, () => res.destroy(timeoutError(`no data from the object's body for ${transport.requestTimeoutMs} ms`)));
        return done(() => resolve(answer(res)));
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(() => resolve(answer(new Uint8Array(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))))));
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' })));
    });
    req.on('error', fail);
    const onAbort = () => {
      const err = abortError();
      req.destroy(err);
      done(() => reject(err));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    timers.request = setTimeout(() => {
      const err = timeoutError(`a request has exceeded the configured ${transport.requestTimeoutMs} ms requestTimeout`);
      req.destroy(err);
      fail(err);
    }, transport.requestTimeoutMs);
    if (transport.connectionTimeoutMs > 0) {
      req.once('socket', (socket) => {
        if (!socket.connecting) return;
        timers.connect = setTimeout(() => {
          const err = timeoutError(`the request socket did not establish a connection with the server within ${transport.connectionTimeoutMs} ms`);
          req.destroy(err);
          fail(err);
        }, transport.connectionTimeoutMs);
        socket.once('connect', () => clearTimeout(timers.connect));
      });
    }
    const body = request.body as string | Uint8Array | undefined;
    req.end(body === undefined || body === null ? undefined : body);
  });
}

/** The operation name of a command this path can send, or undefined (the SDK's send() takes it). */
export function directOperation(command: SdkCommand, options: Pick<DirectSendOptions, 'service' | 'objectLane'>): string | undefined {
  const schema = command.schema;
  if (!Array.isArray(schema) || schema[0] !== 9 || typeof schema[2] !== 'string') return undefined;
  const name = schema[2];
  const { service } = options;
  if (!(service in SIGNING_NAMES)) return undefined;
  if (service === 's3') {
    if (name === 'GetObject') return options.objectLane ? name : undefined;
    if (!S3_OPERATIONS.has(name)) return undefined;
  }
  return name;
}

/**
 * The serialisers' context: a helpers' config with one resolved endpoint on top of it, made once
 * per (config, endpoint) and shared by every call there (the protocol only reads it). Made per
 * call, the object and its new property cost more than the rest of the call's own code.
 */
const contexts = new WeakMap<object, WeakMap<EndpointV2, object>>();

function serdeContext(base: object, endpoint: EndpointV2): object {
  let byEndpoint = contexts.get(base);
  if (!byEndpoint) {
    byEndpoint = new WeakMap();
    contexts.set(base, byEndpoint);
  }
  let context = byEndpoint.get(endpoint);
  if (!context) {
    const v1 = toEndpointV1(endpoint as never);
    const endpointOf = () => Promise.resolve(v1);
    context = Object.create(base, { endpoint: { value: endpointOf, enumerable: true } }) as object;
    byEndpoint.set(endpoint, context);
  }
  return context;
}

export class DirectSender {
  private readonly operations = new WeakMap<object, unknown>();
  private readonly serdeConfig: object;

  constructor(
    private readonly config: ClientConfig,
    private readonly options: DirectSendOptions,
  ) {
    this.serdeConfig = options.serdeConfig ?? config;
  }

  /**
   * The endpoint of a command this path sends, or undefined when the SDK's send() must take it
   * (an endpoint whose first auth scheme is not plain SigV4: S3 Express, multi-region access points).
   */
  async plan(command: SdkCommand): Promise<EndpointV2 | undefined> {
    const input = (command.input ?? {}) as Record<string, unknown>;
    const endpoint = await this.endpoint(command, input, this.regionFor(input));
    const first = (endpoint.properties?.authSchemes as AuthScheme[] | undefined)?.[0];
    return first && first.name !== 'sigv4' ? undefined : endpoint;
  }

  /** The whole call: retries included, as the SDK's send() would give it (output with $metadata, or the service's error). */
  async send(command: SdkCommand, name: string, planned: EndpointV2): Promise<Record<string, unknown>> {
    const strategy = await this.config.retryStrategy();
    let token = await strategy.acquireInitialRetryToken('');
    let totalRetryDelay = 0;
    let redirected = false;
    for (;;) {
      try {
        const output = await this.options.attempt(() => this.once(command, name, redirected ? undefined : planned));
        strategy.recordSuccess(token);
        const metadata = output.$metadata as Record<string, unknown>;
        metadata.attempts = token.getRetryCount() + 1;
        metadata.totalRetryDelay = totalRetryDelay;
        return output;
      } catch (err) {
        const error = err as ErrorLike;
        // S3: the bucket lives in another region. Sent again there (once), as the SDK's redirect does.
        if (!redirected && this.redirect(command, error)) {
          redirected = true;
          continue;
        }
        const retryAfterHint = getRetryAfterHint(error.$response);
        const info = { error, errorType: retryErrorType(error), ...(retryAfterHint ? { retryAfterHint } : {}) };
        try {
          token = await strategy.refreshRetryTokenForRetry(token, info);
        } catch {
          error.$metadata ??= {};
          error.$metadata.attempts = token.getRetryCount() + 1;
          error.$metadata.totalRetryDelay = totalRetryDelay;
          throw error;
        }
        const delay = token.getRetryDelay();
        totalRetryDelay += delay;
        // An interrupted scan does not wait out a backoff: the next attempt is refused at once (ClientPool's attempt wrapper).
        if (delay > 0) await sleep(delay, this.options.transport.signal);
      }
    }
  }

  private async once(command: SdkCommand, name: string, planned: EndpointV2 | undefined): Promise<Record<string, unknown>> {
    const { config } = this;
    const op = this.operationOf(command);
    const input = (command.input ?? {}) as Record<string, unknown>;
    const region = this.regionFor(input);
    const endpoint = planned ?? (await this.endpoint(command, input, region));
    const context = serdeContext(this.serdeConfig, endpoint);
    const request = await config.protocol.serializeRequest(op, input, context);
    const headers = request.headers;
    if (!headers.host) headers.host = request.hostname + (request.port != null ? `:${request.port}` : '');
    if (request.body && headers['content-length'] === undefined) {
      const length = config.bodyLengthChecker(request.body);
      if (length != null) headers['content-length'] = String(length);
    }
    const agent = this.options.userAgent();
    if (agent) Object.assign(headers, agent);
    // As the SDK signs: the signer of the endpoint's first auth scheme; the region and name it
    // gives, else the client's region and the service's signing name.
    const auth = (endpoint.properties?.authSchemes as AuthScheme[] | undefined)?.[0];
    const signingRegion = auth?.signingRegion ?? region ?? (await config.region());
    const signingService = auth?.signingName ?? SIGNING_NAMES[this.options.service]!;
    const signer = await config.signer(auth);
    const preRequestOffset = config.systemClockOffset ?? 0;
    const sentAt = Date.now();
    const signed = await signer.sign(request, { signingDate: new Date(sentAt + preRequestOffset), signingRegion, signingService });
    const response = await sendHttp(signed, this.options.transport, name === 'GetObject');
    try {
      if (this.options.service === 's3' && name !== 'GetObject') await throwOn200Error(response, config);
      return await config.protocol.deserializeResponse(op, context, response);
    } catch (err) {
      const error = err as ErrorLike;
      // As the SDK's deserializer middleware does: the raw answer stays reachable from the error
      // (retry-after hints, S3's bucket region, the clock-skew sample read it).
      if (error && typeof error === 'object' && error.$response === undefined) {
        const own = Object.getOwnPropertyDescriptor(error, '$response');
        if (!own || own.configurable) Object.defineProperty(error, '$response', { value: response, enumerable: false, writable: false, configurable: false });
      }
      this.correctClock(error, response, sentAt, preRequestOffset);
      throw err;
    }
  }

  private operationOf(command: SdkCommand): unknown {
    const schema = command.schema as [number, string, string, unknown, unknown, unknown];
    let op = this.operations.get(schema);
    if (!op) {
      const [, ns, n, t, i, o] = schema;
      op = operation(ns, n, t as never, i as never, o as never);
      this.operations.set(schema, op);
    }
    return op;
  }

  /** A bucket an earlier redirect placed elsewhere is asked in its own region. */
  private regionFor(input: Record<string, unknown>): string | undefined {
    if (this.options.service !== 's3' || typeof input.Bucket !== 'string') return undefined;
    return this.options.cache.bucketRegions.get(input.Bucket);
  }

  private async endpoint(command: SdkCommand, input: Record<string, unknown>, region: string | undefined): Promise<EndpointV2> {
    const ctor = command.constructor as CommandCtor;
    const shape = endpointShape(ctor);
    const config = region ? withRegion(this.config, region) : this.config;
    if (!shape.cacheable) return getEndpointFromInstructions(input, ctor as never, config as never) as Promise<EndpointV2>;
    const bucket = shape.bucket ? input.Bucket : '';
    if (typeof bucket !== 'string') return getEndpointFromInstructions(input, ctor as never, config as never) as Promise<EndpointV2>;
    const key = `${this.options.service}|${this.options.lane}|${region ?? (await this.config.region())}|${shape.key}|${bucket}`;
    const { endpoints } = this.options.cache;
    let endpoint = endpoints.get(key);
    if (!endpoint) {
      endpoint = getEndpointFromInstructions(input, ctor as never, config as never) as Promise<EndpointV2>;
      endpoints.set(key, endpoint);
      endpoint.catch(() => endpoints.delete(key));
    }
    return endpoint;
  }

  /** S3's answer for a bucket in another region: 301 (or 400 IllegalLocationConstraintException) naming the bucket's region. */
  private redirect(command: SdkCommand, error: ErrorLike): boolean {
    if (this.options.service !== 's3' || !this.config.followRegionRedirects) return false;
    const bucket = (command.input as { Bucket?: unknown } | undefined)?.Bucket;
    const region = error?.$response?.headers?.['x-amz-bucket-region'];
    const status = error?.$metadata?.httpStatusCode;
    if (typeof bucket !== 'string' || !region) return false;
    if (status !== 301 && !(status === 400 && error.name === 'IllegalLocationConstraintException')) return false;
    if (this.options.cache.bucketRegions.get(bucket) === region) return false;
    this.options.cache.bucketRegions.set(bucket, region);
    return true;
  }

  /** As the SDK's SigV4 signer does: a clock-skew error with the server's time corrects the clock for later requests. */
  private correctClock(error: ErrorLike, response: HttpResponse, sentAt: number, preRequestOffset: number): void {
    if (!error || typeof error !== 'object') return;
    const serverTime = error.ServerTime ?? response.headers?.date ?? response.headers?.Date;
    if (!serverTime || !isClockSkewError(error as never) || response.headers?.age !== undefined) return;
    const parsed = Date.parse(String(serverTime));
    const received = Date.now();
    if (Number.isNaN(parsed) || received - sentAt > 900_000) return;
    const offset = parsed - received;
    this.config.systemClockOffset = offset;
    if (Math.abs(offset) >= 240_000 && offset !== preRequestOffset && error.$metadata) error.$metadata.clockSkewCorrected = true;
  }
}

interface ErrorLike {
  name?: string;
  ServerTime?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number; totalRetryDelay?: number; clockSkewCorrected?: boolean };
  $response?: HttpResponse;
}

/** The SDK's classification, in its order. */
function retryErrorType(error: ErrorLike): string {
  const e = error as Error;
  if (isThrottlingError(e as never)) return 'THROTTLING';
  if (isTransientError(e as never)) return 'TRANSIENT';
  if (isServerError(e as never)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/** The config seen by the endpoint rules for a bucket in another region. */
function withRegion(config: ClientConfig, region: string): ClientConfig {
  const view = Object.create(config) as ClientConfig;
  view.region = () => Promise.resolve(region);
  return view;
}

/**
 * S3 can answer 200 and put an error in the body; the SDK's check reads the body and turns an
 * answer ending in </Error> into a 503 (retried). The same here, for the non-streaming operations.
 */
async function throwOn200Error(response: HttpResponse, config: ClientConfig): Promise<void> {
  if (response.statusCode < 200 || response.statusCode >= 300) return;
  const body = response.body instanceof Uint8Array ? response.body : await config.streamCollector(response.body);
  response.body = body;
  const tail = config.utf8Encoder(body.subarray(Math.max(0, body.length - 16)));
  if (tail.endsWith('</Error>')) response.statusCode = 503;
}
