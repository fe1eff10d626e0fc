// One place that builds AWS SDK clients: per (account, region, service), cached, sharing one
// HTTP handler, with retries that back off the throttled call (backoff.ts), the scan's
// concurrency limits taken per attempt, call accounting, and a guard that refuses any operation
// that is not read-only.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  BuildHandler,
  BuildHandlerArguments,
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MiddlewareStack,
} from '@smithy/types';
import { setMaxListeners } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AccountRate, BackoffPolicy, ScanRetryStrategy, type BackoffOptions } from './backoff.js';
import { directOperation, DirectSendCache, DirectSender, SIGNING_NAMES, type SdkCommand, type Transport } from './direct-send.js';
import { AccountSigner } from './sigv4.js';
import type { Limits } from './limits.js';
import { isDeclaredOperation } from './registry.js';
import { addRecordingMiddleware, recordCall, type ApiCallRecorder } from './recording.js';

const clientClasses = {
  cloudtrail: CloudTrailClient,
  cloudwatch: CloudWatchClient,
  logs: CloudWatchLogsClient,
  ec2: EC2Client,
  kms: KMSClient,
  organizations: OrganizationsClient,
  s3: S3Client,
  s3control: S3ControlClient,
  sns: SNSClient,
  sts: STSClient,
} as const;

export type ServiceName = keyof typeof clientClasses;
export type ClientOf<S extends ServiceName> = InstanceType<(typeof clientClasses)[S]>;

/** The only operations the scanner may send. Anything else is a bug and is refused before it leaves. */
export function isReadOnlyOperation(commandName: string): boolean {
  const op = commandName.replace(/Command$/, '');
  return /^(Describe|Get|List|Lookup|Head)[A-Z]/.test(op) || op === 'AssumeRole';
}

export class MutatingCallRefused extends Error {
  constructor(operation: string) {
    super(`refused to send ${operation}: trailwarden only calls the read-only APIs its collectors declare`);
    this.name = 'MutatingCallRefused';
  }
}

export interface AwsSettings {
  /** Custom endpoint for every service (tests, emulators); S3 then uses path-style addressing. */
  endpoint?: string;
  maxAttempts: number;
  /**
   * Both back off each failed call on its own (backoff.ts). 'adaptive' also limits an
   * account's sending rate while the endpoint refuses most of its attempts; 'standard' never does.
   */
  retryMode: 'adaptive' | 'standard';
  /** Retry delays (default DEFAULT_BACKOFF). */
  backoff?: BackoffOptions;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  maxSockets: number;
  /** Aborting fails every queued and in-flight call at once with AbortError (never retried). */
  abortSignal?: AbortSignal;
  /** scan --evidence: receives every call; absent, no recording middleware is added at all. */
  recorder?: ApiCallRecorder;
  /** Opt-in collectors whose operations may be sent (scan --verify-logs: 'log-verification'). */
  optIns?: readonly string[];
  /** false: every call through the SDK's own send() and middleware pipeline (tests compare the two). */
  directSend?: boolean;
}

/** Adds the scan's abort signal to every request: the SDK's send() options cannot be set per client. */
class AbortableHttpHandler extends NodeHttpHandler {
  constructor(
    options: ConstructorParameters<typeof NodeHttpHandler>[0],
    private readonly signal: AbortSignal | undefined,
  ) {
    super(options);
  }

  override handle(...[request, options]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    return super.handle(request, { ...options, abortSignal: options?.abortSignal ?? this.signal });
  }
}

export class ScanAborted extends Error {
  constructor(reason: unknown) {
    super(`not sent: the scan was interrupted (${reason instanceof Error ? reason.message : String(reason ?? 'aborted')})`);
    this.name = 'AbortError';
  }
}

export interface CallObserver {
  onCall(accountId: string, region: string, operation: string): void;
  onCompleted(accountId: string, region: string, operation: string, attempts: number): void;
}

type CredentialsSource = AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
type SendFn = (command: unknown, ...rest: unknown[]) => Promise<unknown>;

export class ClientPool {
  private readonly clients = new Map<string, ClientOf<ServiceName>>();
  private readonly sharedSettings = new Map<string, Record<string, unknown>>();
  private readonly handler: NodeHttpHandler;
  private readonly transport: Transport;
  private readonly backoff: BackoffPolicy;
  private readonly rates = new Map<string, AccountRate>();
  private readonly strategies = new Map<string, ScanRetryStrategy>();
  /** AWS_USE_FIPS_ENDPOINT / use_fips_endpoint as the first client outside a FIPS region read it. */
  private fipsSetting: (() => Promise<boolean>) | undefined;
  /** The user agent headers the SDK computed for the first request of each service. */
  private readonly userAgents = new Map<string, Record<string, string>>();
  /** Endpoints and bucket regions of the direct send path, shared by every client. */
  private readonly directCache = new DirectSendCache();
  /** Calls sent by the direct path (direct-send.ts), not the SDK's send(). */
  directCalls = 0;
  /** The allowlist's answer per operation name (read-only and declared by a collector). */
  private readonly allowed = new Map<string, boolean>();

  constructor(
    private readonly settings: AwsSettings,
    readonly limits: Limits,
    private readonly observer: CallObserver,
  ) {
    this.backoff = new BackoffPolicy(settings.backoff);
    const agentOptions = { keepAlive: true, maxSockets: settings.maxSockets };
    // Every in-flight request listens on the one signal.
    if (settings.abortSignal) setMaxListeners(0, settings.abortSignal);
    const httpAgent = new HttpAgent(agentOptions);
    const httpsAgent = new HttpsAgent(agentOptions);
    this.handler = new AbortableHttpHandler({
      requestTimeout: settings.requestTimeoutMs,
      // Without this the handler only logs a warning when the timeout passes, and a stalled
      // endpoint would hang the scan instead of becoming a retried, then recorded, failure.
      throwOnRequestTimeout: true,
      connectionTimeout: settings.connectionTimeoutMs,
      httpAgent,
      httpsAgent,
    }, settings.abortSignal);
    // The direct path's requests share the handler's sockets.
    this.transport = { httpAgent, httpsAgent, requestTimeoutMs: settings.requestTimeoutMs, connectionTimeoutMs: settings.connectionTimeoutMs, signal: settings.abortSignal };
  }

  /**
   * A client acting as `accountId` in `region`. `credentials` undefined means the default
   * credential chain (environment, AWS_PROFILE, instance role...): the caller's own account.
   */
  get<S extends ServiceName>(service: S, accountId: string, region: string, credentials: CredentialsSource, lane: 'api' | 'objects' = 'api'): ClientOf<S> {
    const key = `${service}|${accountId}|${region}|${lane}`;
    const existing = this.clients.get(key);
    if (existing) {
      // Most recently used last: the oldest is the first to be let go.
      this.clients.delete(key);
      this.clients.set(key, existing);
      return existing as ClientOf<S>;
    }
    // A member account's calls go out on the direct path with no SDK client of their own (one per
    // account-region would be built for two or three calls); the caller's clients, S3 Control and
    // a pool without the direct path are SDK clients.
    const client =
      this.settings.directSend !== false && credentials !== undefined && service !== 's3control'
        ? this.facade(service, accountId, region, credentials, lane)
        : this.build(service, accountId, region, credentials, lane);
    this.clients.set(key, client);
    // Most clients serve one account-region once (DescribeTrails), and each keeps its own
    // config, middleware stack and caches: keeping all made memory grow with accounts x
    // regions. A dropped client is not destroyed (that would close the shared handler);
    // calls still using it finish normally.
    if (this.clients.size > MAX_CACHED_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
    return client;
  }

  private build<S extends ServiceName>(service: S, accountId: string, region: string, credentials: CredentialsSource, lane: 'api' | 'objects'): ClientOf<S> {
    const client = this.construct(service, region, credentials, lane, this.retryStrategy(accountId, lane));
    // No logger is ever configured, yet the SDK's logger middleware filters every input and
    // output through its schema for the no-op logger: ~2% of the verifier's CPU.
    (client.middlewareStack as unknown as MiddlewareStack<object, object>).remove('loggerMiddleware');
    this.shareUserAgent(client, service);
    reuseSigner(client);
    this.instrument(client, service, accountId, region, lane);
    if (this.settings.recorder) {
      addRecordingMiddleware(client.middlewareStack as unknown as MiddlewareStack<object, object>, this.settings.recorder, { accountId, region, service });
    }
    if (this.settings.directSend !== false) this.sendDirectly(client, service, accountId, region, lane);
    return client;
  }

  /** An SDK client with the pool's settings, not instrumented: the base of build(), and the direct path's per-region template. */
  private construct<S extends ServiceName>(service: S, region: string, credentials: CredentialsSource, lane: 'api' | 'objects', retryStrategy: ScanRetryStrategy | undefined): ClientOf<S> {
    const endpoint = this.settings.endpoint;
    const config: Record<string, unknown> = {
      region,
      maxAttempts: this.settings.maxAttempts,
      requestHandler: this.handler,
    };
    if (retryStrategy) config.retryStrategy = retryStrategy;
    if (credentials) config.credentials = credentials;
    // A bucket read from a client of another region (verify-logs does not know the bucket's) is redirected, not failed.
    if (service === 's3') config.followRegionRedirects = true;
    if (endpoint) {
      config.endpoint = endpoint;
      if (service === 's3') config.forcePathStyle = true;
      // S3 Control prefixes the account id to the host name; a custom endpoint must be used as is.
      if (service === 's3control') config.endpointProvider = () => ({ url: new URL(endpoint) });
    }
    // Per lane: the object lane's S3 checksum settings differ from the API lane's.
    const sharedKey = `${service}|${lane}`;
    const shared = this.sharedSettings.get(sharedKey);
    if (shared) Object.assign(config, shared);
    // The SDK still forces FIPS on for a fips-* region itself (it wraps whatever is given here).
    if (this.fipsSetting) config.useFipsEndpoint = this.fipsSetting;
    if (lane === 'objects' && service === 's3') {
      // The verifier checks every object it reads against a signed digest: a log file's SHA-256
      // against the digest's, a digest's signature over its own SHA-256. S3's flexible checksums
      // would hash each body a second time (and add x-amz-checksum-mode to every GET) to catch
      // what TCP and TLS already catch and the verifier would report anyway. Only where an
      // operation requires it.
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    const Ctor = clientClasses[service] as unknown as new (c: Record<string, unknown>) => ClientOf<S>;
    const client = new Ctor(config);
    if (!shared) this.sharedSettings.set(sharedKey, sharedSettingsOf(client));
    if (!this.fipsSetting && !/(^fips-|-fips$)/.test(region)) {
      // Read once from the environment and config files, then handed to every later client: each
      // client's own loader threw and caught a ProviderError per call when the variable is unset.
      const setting = (client.config as unknown as { useFipsEndpoint: () => Promise<boolean> }).useFipsEndpoint();
      setting.catch(() => undefined);
      this.fipsSetting = () => setting;
    }
    return client;
  }

  /**
   * A member account's client in a region, without an SDK client of its own: calls the direct
   * path covers go out with the region's template client's config (its protocol, endpoint rules
   * and helpers), the account's own signer and retry strategy; anything else (the first call of a
   * service, which computes the user agent; an operation the direct path does not cover) builds
   * the account's SDK client on first use.
   */
  private facade<S extends ServiceName>(service: S, accountId: string, region: string, credentials: CredentialsSource, lane: 'api' | 'objects'): ClientOf<S> {
    let real: ClientOf<S> | undefined;
    const sdk = () => (real ??= this.build(service, accountId, region, credentials, lane));
    const template = this.template(service, region, lane);
    const config = Object.create(template.config as object) as Record<string, unknown>;
    const signer = this.accountSigner(service, accountId, lane, credentials, template.config as unknown as Record<string, unknown>);
    const strategy = this.retryStrategy(accountId, lane);
    config.signer = () => signer;
    config.retryStrategy = () => Promise.resolve(strategy);
    config.systemClockOffset = (template.config as { systemClockOffset?: number }).systemClockOffset ?? 0;
    const facade = {
      send: this.directSend(config, service, accountId, region, lane, (command, ...rest) => (sdk().send as (...a: unknown[]) => Promise<unknown>)(command, ...rest), template.config as object),
      get config() {
        return sdk().config;
      },
      get middlewareStack() {
        return sdk().middlewareStack;
      },
      destroy: () => real?.destroy(),
    };
    return facade as unknown as ClientOf<S>;
  }

  private readonly templates = new Map<string, ClientOf<ServiceName>>();

  /** One SDK client per (service, region, lane), never sent through: its config serves every account's direct calls there. */
  private template(service: ServiceName, region: string, lane: 'api' | 'objects'): ClientOf<ServiceName> {
    const key = `${service}|${region}|${lane}`;
    let template = this.templates.get(key);
    if (!template) {
      template = this.construct(service, region, refuseTemplateCredentials, lane, undefined);
      this.templates.set(key, template);
    }
    return template;
  }

  private readonly signers = new Map<string, Promise<unknown>>();

  /**
   * One SigV4 signer per account, service and lane, across regions (each request gives its
   * signing region): built as the SDK builds a client's (its signer class, hash and path
   * escaping), with the account's credentials, signing synchronously in node:crypto (sigv4.ts),
   * whose signing keys are kept per credentials object, day, region and service: a client per
   * account-region would derive them again for each.
   */
  private accountSigner(service: ServiceName, accountId: string, lane: string, credentials: CredentialsSource, config: Record<string, unknown>): Promise<unknown> {
    const key = `${service}|${accountId}|${lane}`;
    let signer = this.signers.get(key);
    if (!signer) {
      // The direct path signs only plain SigV4 (direct-send.ts), which S3's multi-region signer
      // hands to a SignatureV4 built with the same options: so every service gets one here.
      const options: ConstructorParameters<typeof SignatureV4>[0] = {
        credentials: credentials!,
        region: 'us-east-1',
        service: SIGNING_NAMES[service]!,
        sha256: config.sha256 as ConstructorParameters<typeof SignatureV4>[0]['sha256'],
        uriEscapePath: (config.signingEscapePath as boolean | undefined) ?? true,
      };
      if (config.applyChecksum !== undefined) options.applyChecksum = config.applyChecksum as boolean;
      signer = Promise.resolve(new AccountSigner(options));
      this.signers.set(key, signer);
      // Bounded like the clients: the accounts in flight at once.
      if (this.signers.size > MAX_CACHED_CLIENTS) this.signers.delete(this.signers.keys().next().value!);
    }
    return signer;
  }

  /** The account's sending rate (adaptive mode, API lane), shared by all its clients. */
  rateOf(accountId: string): AccountRate | undefined {
    if (this.settings.retryMode !== 'adaptive') return undefined;
    let rate = this.rates.get(accountId);
    if (!rate) {
      rate = new AccountRate();
      this.rates.set(accountId, rate);
    }
    return rate;
  }

  /** One strategy per account and lane: object reads are bound by S3's per-prefix limits, not the account's API quota. */
  private retryStrategy(accountId: string, lane: 'api' | 'objects'): ScanRetryStrategy {
    const key = `${accountId}|${lane}`;
    let strategy = this.strategies.get(key);
    if (!strategy) {
      strategy = new ScanRetryStrategy(this.settings.maxAttempts, this.backoff, lane === 'api' ? this.rateOf(accountId) : undefined);
      this.strategies.set(key, strategy);
    }
    return strategy;
  }

  /**
   * The SDK rebuilds its user agent on every request (escaping each pair, the feature metrics,
   * the app id): 10-20% of the CPU of a call in a micro-benchmark. It is the same string for every
   * client of a service, so the first client's first request computes it with the SDK's own
   * middleware and every later client sends those headers as they are.
   */
  private shareUserAgent(client: ClientOf<ServiceName>, service: ServiceName): void {
    const stack = client.middlewareStack as unknown as MiddlewareStack<object, object>;
    const known = this.userAgents.get(service);
    if (known) {
      stack.remove('getUserAgentMiddleware');
      stack.add(
        (next: BuildHandler<object, object>) => (args: BuildHandlerArguments<object>) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers) Object.assign(request.headers, known);
          return next(args);
        },
        { step: 'build', priority: 'low', name: 'trailwardenUserAgent' },
      );
      return;
    }
    stack.addRelativeTo(
      (next: BuildHandler<object, object>) => (args: BuildHandlerArguments<object>) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers;
        if (headers && !this.userAgents.has(service) && headers['user-agent']) {
          const captured: Record<string, string> = { 'user-agent': headers['user-agent'] };
          if (headers['x-amz-user-agent']) captured['x-amz-user-agent'] = headers['x-amz-user-agent'];
          this.userAgents.set(service, captured);
        }
        return next(args);
      },
      { relation: 'after', toMiddleware: 'getUserAgentMiddleware', name: 'trailwardenUserAgentCapture' },
    );
  }

  /** Refused unless read-only by name and declared by a collector (opt-in ones only when asked). */
  private check(service: ServiceName, operation: string): void {
    const key = `${service}|${operation}`;
    let ok = this.allowed.get(key);
    if (ok === undefined) {
      ok = isReadOnlyOperation(operation) && isDeclaredOperation(service, operation, new Set(this.settings.optIns ?? []));
      this.allowed.set(key, ok);
    }
    if (!ok) throw new MutatingCallRefused(operation);
  }

  /** One call, counted: the allowlist, the abort check, and the observer's accounting around it. */
  private async accounted<T>(
    service: ServiceName,
    accountId: string,
    region: string,
    operation: string,
    call: () => Promise<T>,
    outputOf: (result: T) => unknown = (result) => result,
  ): Promise<T> {
    this.check(service, operation);
    const signal = this.settings.abortSignal;
    if (signal?.aborted) throw new ScanAborted(signal.reason);
    const { observer } = this;
    observer.onCall(accountId, region, operation);
    try {
      const result = await call();
      observer.onCompleted(accountId, region, operation, attemptsOf(outputOf(result)));
      return result;
    } catch (err) {
      observer.onCompleted(accountId, region, operation, attemptsOf(err));
      throw err;
    }
  }

  /**
   * What each attempt of a call waits for: the concurrency slots (and the account's rate, if
   * limited), taken inside the retry loop and before signing, so a call waiting out a retry's
   * backoff holds no slot, and a request is signed only once it may leave.
   */
  private attemptRunner(accountId: string, lane: 'api' | 'objects'): <T>(fn: () => Promise<T>) => Promise<T> {
    const { limits } = this;
    const signal = this.settings.abortSignal;
    const rate = lane === 'api' ? this.rateOf(accountId) : undefined;
    const wait = rate ? () => rate.reserve() : undefined;
    const run = lane === 'objects' ? <T>(fn: () => Promise<T>) => limits.runObject(fn) : <T>(fn: () => Promise<T>) => limits.run(accountId, fn, wait);
    return <T>(fn: () => Promise<T>): Promise<T> => {
      if (signal?.aborted) return Promise.reject(new ScanAborted(signal.reason));
      // Attempts queued behind the concurrency limits are dropped, not sent, once aborted.
      return run<T>(() => (signal?.aborted ? Promise.reject(new ScanAborted(signal.reason)) : fn()));
    };
  }

  private instrument(client: ClientOf<ServiceName>, service: ServiceName, accountId: string, region: string, lane: 'api' | 'objects'): void {
    const attempt = this.attemptRunner(accountId, lane);
    // The union of client types has incompatible middleware signatures; this middleware is
    // protocol-agnostic, so it is added through the common shape.
    const stack = client.middlewareStack as unknown as MiddlewareStack<object, object>;
    stack.add(
      (next: InitializeHandler<object, object>, context: HandlerExecutionContext) => (args: InitializeHandlerArguments<object>) =>
        this.accounted(service, accountId, region, String(context.commandName ?? 'Unknown').replace(/Command$/, ''), () => next(args), (result) => result.output),
      { step: 'initialize', priority: 'high', name: 'trailwardenAccounting' },
    );
    stack.addRelativeTo(
      (next: FinalizeHandler<object, object>) => (args: FinalizeHandlerArguments<object>) => attempt(() => next(args)),
      { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'trailwardenSlots' },
    );
  }

  /**
   * The scan's calls skip the SDK's per-command middleware pipeline (direct-send.ts): the same
   * accounting, slots, retries and recording, around the SDK's own serialisers, endpoint rules,
   * signer and HTTP handler. The SDK's send() still takes the first call of each service (it
   * computes the user agent the direct path then sends) and whatever the direct path does not cover.
   */
  private sendDirectly(client: ClientOf<ServiceName>, service: ServiceName, accountId: string, region: string, lane: 'api' | 'objects'): void {
    const sdkSend = client.send.bind(client) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
    (client as unknown as { send: SendFn }).send = this.directSend(client.config as unknown as object, service, accountId, region, lane, sdkSend);
  }

  /**
   * A client's send(): the direct path for a command it covers, once the service's user agent is
   * known (and with no send options given); the SDK's send() for anything else.
   */
  private directSend(config: object, service: ServiceName, accountId: string, region: string, lane: 'api' | 'objects', viaSdk: SendFn, serdeConfig?: object): SendFn {
    const objectLane = lane === 'objects';
    const direct = new DirectSender(config as never, {
      service,
      lane,
      objectLane,
      cache: this.directCache,
      userAgent: () => this.userAgents.get(service),
      attempt: this.attemptRunner(accountId, lane),
      transport: this.transport,
      serdeConfig,
    });
    return (command: unknown, ...rest: unknown[]) => {
      const name = rest.length === 0 && this.userAgents.has(service) ? directOperation(command as SdkCommand, { service, objectLane }) : undefined;
      return name ? this.sendDirect(direct, service, accountId, region, command as SdkCommand, name, () => viaSdk(command)) : viaSdk(command, ...rest);
    };
  }

  /** One call on the direct path, counted and recorded as the SDK path's middlewares do; the SDK's send() when the endpoint needs it. */
  private async sendDirect(
    direct: DirectSender,
    service: ServiceName,
    accountId: string,
    region: string,
    command: SdkCommand,
    name: string,
    viaSdk: () => Promise<unknown>,
  ): Promise<unknown> {
    let endpoint;
    try {
      endpoint = await direct.plan(command);
    } catch {
      // The endpoint rules refused the input: the SDK's send() reports that as it always has.
      endpoint = undefined;
    }
    if (!endpoint) return viaSdk();
    const planned = endpoint;
    this.directCalls++;
    const call = () => direct.send(command, name, planned);
    const recorder = this.settings.recorder;
    return this.accounted(service, accountId, region, name, recorder ? () => recordCall(recorder, { accountId, region, service }, name, command.input, call) : call);
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.handler.destroy();
    this.clients.clear();
  }
}

/**
 * The SDK builds a new SigV4 signer for every request (spreading the client's whole resolved
 * config into it). A signer holds nothing per request (its credentials and region are the
 * client's providers), so each client keeps one per auth scheme (name, signing region and
 * service; S3 region redirects sign for another region) and reuses it.
 */
function reuseSigner(client: ClientOf<ServiceName>): void {
  const config = client.config as unknown as { signer?: (authScheme?: AuthSchemeLike) => Promise<unknown> };
  const original = config.signer;
  if (typeof original !== 'function') return;
  const signers = new Map<string, Promise<unknown>>();
  config.signer = (authScheme?: AuthSchemeLike) => {
    const key = `${authScheme?.name ?? ''}|${authScheme?.signingRegion ?? ''}|${authScheme?.signingName ?? ''}|${authScheme?.signingRegionSet?.join(',') ?? ''}`;
    let signer = signers.get(key);
    if (!signer) {
      signer = original(authScheme);
      signers.set(key, signer);
      // A failed build is not kept: the next request builds it again.
      signer.catch(() => signers.delete(key));
    }
    return signer;
  };
}

interface AuthSchemeLike {
  name?: string;
  signingRegion?: string;
  signingName?: string;
  signingRegionSet?: string[];
}

/** A template client signs nothing: its credentials are never asked for. */
const refuseTemplateCredentials: AwsCredentialIdentityProvider = () => Promise.reject(new Error('a template client does not send'));

/** Enough for every client of the accounts in flight at once; see ClientPool.get. */
const MAX_CACHED_CLIENTS = 512;

// Settings each new client would otherwise look up again in the environment and the shared
// config files on its first call (FIPS, dual-stack, app id, auth scheme, S3 checksums...):
// the first client of a service resolves them once, memoized, and every later one reuses its
// loaders. Those lookups were a large share of the scan's CPU, as most calls use a fresh client.
// Not useFipsEndpoint: the SDK wraps it per client with a closure over that client's region
// (a fips-* region forces it on), and the wrapper lands in the very object read here, so sharing
// it would carry one client's region into every other. It is shared as a value instead
// (ClientPool.fipsSetting), read by a client outside a FIPS region.
const SHARED_SETTING_KEYS = [
  'useDualstackEndpoint',
  'userAgentAppId',
  'authSchemePreference',
  'requestChecksumCalculation',
  'responseChecksumValidation',
  'disableS3ExpressSessionAuth',
  'sigv4aSigningRegionSet',
  'useArnRegion',
] as const;

function sharedSettingsOf(client: ClientOf<ServiceName>): Record<string, unknown> {
  // initConfig holds the loaders as built, before per-region wrapping (e.g. FIPS pseudo-regions).
  const initial = (client as unknown as { initConfig?: Record<string, unknown> }).initConfig ?? {};
  const shared: Record<string, unknown> = {};
  for (const key of SHARED_SETTING_KEYS) if (initial[key] !== undefined) shared[key] = initial[key];
  return shared;
}

function attemptsOf(value: unknown): number {
  const meta = (value as { $metadata?: { attempts?: number } } | undefined)?.$metadata;
  return typeof meta?.attempts === 'number' ? meta.attempts : 1;
}
