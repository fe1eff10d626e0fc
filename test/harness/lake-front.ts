// A loopback front for moto that answers the CloudTrail Lake operations moto does not implement
// (event data stores, channels, and Insights on an event data store) in the real wire shape of the
// CloudTrail API reference (AWS JSON 1.1, X-Amz-Target CloudTrail_20131101.<Operation>), from a
// store the tests seed through the same API (CreateEventDataStore, CreateChannel,
// PutInsightSelectors with EventDataStore), signed as the account that owns them. Everything else
// is forwarded to moto unchanged, so trails, S3, KMS, ... stay moto's.
//
// The owner of a request is the account whose credentials signed it: the default key is moto's
// default account, and keys moto hands out for sts:AssumeRole are learnt from the answers passing
// through (as the fault proxy does).
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { serveLoopback } from './loopback-server.js';

const DEFAULT_ACCOUNT_ID = '123456789012';
const TARGET_PREFIX = 'CloudTrail_20131101.';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);

type Json = Record<string, unknown>;

interface StoreRecord {
  accountId: string;
  region: string;
  data: Json;
  insights: { selectors: Json[]; destination: string | null } | null;
}
interface ChannelRecord {
  accountId: string;
  region: string;
  data: Json;
}

export interface LakeFront {
  endpoint: string;
  /** Operations the front answered itself, in order (for tests that say so). */
  answered: { operation: string; accountId: string; region: string }[];
  reset(): void;
  stop(): Promise<void>;
}

const DEFAULT_SELECTORS = [{ Name: 'Default management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];

function reply(res: ServerResponse, status: number, body: Json): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), 'content-length': String(text.length) });
  res.end(text);
}

const fail = (res: ServerResponse, code: string, message: string) => reply(res, 400, { __type: code, message });

/** Resolves an ARN or a trailing id, as the API accepts either. */
function find<T extends { data: Json }>(items: Iterable<T>, ref: unknown, arnField: string): T | undefined {
  const s = String(ref ?? '');
  for (const item of items) {
    const arn = String(item.data[arnField]);
    if (arn === s || arn.endsWith(`/${s}`)) return item;
  }
  return undefined;
}

export async function startLakeFront(target: string): Promise<LakeFront> {
  const upstreamUrl = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const keyToAccount = new Map<string, string>();
  let stores = new Map<string, StoreRecord>();
  let channels = new Map<string, ChannelRecord>();
  const answered: LakeFront['answered'] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer | null, learnFor: string | null): void => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers.host = upstreamUrl.host;
    if (body) headers['content-length'] = String(body.length);
    const up = httpRequest({ host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      if (!learnFor) {
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const text = Buffer.concat(chunks);
        const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text.toString('utf8'))?.[1];
        if (answer.statusCode === 200 && key) keyToAccount.set(key, learnFor);
        res.writeHead(answer.statusCode ?? 502, out);
        res.end(text);
      });
    });
    up.on('error', (err) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`lake-front: upstream error: ${err.message}`);
    });
    res.on('close', () => !res.writableFinished && up.destroy());
    if (body) up.end(body);
    else req.pipe(up);
  };

  const answer = (operation: string, input: Json, accountId: string, region: string, res: ServerResponse): boolean => {
    const now = Date.now() / 1000;
    const mine = <T extends { accountId: string; region: string }>(m: Map<string, T>) =>
      [...m.values()].filter((r) => r.accountId === accountId && r.region === region);
    switch (operation) {
      case 'CreateEventDataStore': {
        const arn = `arn:aws:cloudtrail:${region}:${accountId}:eventdatastore/${randomUUID()}`;
        const billing = String(input.BillingMode ?? 'EXTENDABLE_RETENTION_PRICING');
        const data: Json = {
          EventDataStoreArn: arn,
          Name: input.Name,
          Status: input.StartIngestion === false ? 'STOPPED_INGESTION' : 'ENABLED',
          AdvancedEventSelectors: input.AdvancedEventSelectors ?? DEFAULT_SELECTORS,
          MultiRegionEnabled: input.MultiRegionEnabled ?? true,
          OrganizationEnabled: input.OrganizationEnabled ?? false,
          RetentionPeriod: input.RetentionPeriod ?? (billing === 'FIXED_RETENTION_PRICING' ? 2557 : 366),
          TerminationProtectionEnabled: input.TerminationProtectionEnabled ?? true,
          CreatedTimestamp: now,
          UpdatedTimestamp: now,
          BillingMode: billing,
          FederationStatus: 'DISABLED',
          ...(input.KmsKeyId ? { KmsKeyId: input.KmsKeyId } : {}),
        };
        stores.set(arn, { accountId, region, data, insights: null });
        reply(res, 200, { ...data, TagsList: input.TagsList ?? [] });
        return true;
      }
      case 'ListEventDataStores':
        reply(res, 200, { EventDataStores: mine(stores).map((s) => ({ EventDataStoreArn: s.data.EventDataStoreArn, Name: s.data.Name })) });
        return true;
      case 'GetEventDataStore': {
        const s = find(mine(stores), input.EventDataStore, 'EventDataStoreArn');
        if (!s) fail(res, 'EventDataStoreNotFoundException', `The specified event data store ${String(input.EventDataStore)} was not found.`);
        else reply(res, 200, s.data);
        return true;
      }
      case 'PutInsightSelectors':
      case 'GetInsightSelectors': {
        if (input.EventDataStore === undefined) return false; // a trail's: moto answers it
        const s = find(mine(stores), input.EventDataStore, 'EventDataStoreArn');
        if (!s) {
          fail(res, 'EventDataStoreNotFoundException', `The specified event data store ${String(input.EventDataStore)} was not found.`);
          return true;
        }
        if (operation === 'PutInsightSelectors') {
          s.insights = { selectors: (input.InsightSelectors as Json[] | undefined) ?? [], destination: (input.InsightsDestination as string | undefined) ?? null };
        } else if (!s.insights || s.insights.selectors.length === 0) {
          fail(res, 'InsightNotEnabledException', `Insights are not enabled for ${String(s.data.EventDataStoreArn)}.`);
          return true;
        }
        reply(res, 200, {
          EventDataStoreArn: s.data.EventDataStoreArn,
          InsightSelectors: s.insights.selectors,
          ...(s.insights.destination ? { InsightsDestination: s.insights.destination } : {}),
        });
        return true;
      }
      case 'CreateChannel': {
        const arn = `arn:aws:cloudtrail:${region}:${accountId}:channel/${randomUUID()}`;
        const data: Json = { ChannelArn: arn, Name: input.Name, Source: input.Source, Destinations: input.Destinations ?? [] };
        channels.set(arn, { accountId, region, data });
        reply(res, 200, { ...data, Tags: input.Tags ?? [] });
        return true;
      }
      case 'ListChannels':
        reply(res, 200, { Channels: mine(channels).map((c) => ({ ChannelArn: c.data.ChannelArn, Name: c.data.Name })) });
        return true;
      case 'GetChannel': {
        const c = find(mine(channels), input.Channel, 'ChannelArn');
        if (!c) fail(res, 'ChannelNotFoundException', `The specified channel ${String(input.Channel)} was not found.`);
        else reply(res, 200, { ...c.data, SourceConfig: { ApplyToAllRegions: true, AdvancedEventSelectors: [] }, IngestionStatus: {} });
        return true;
      }
      default:
        return false;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const auth = String(req.headers.authorization ?? '');
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    const contentType = String(req.headers['content-type'] ?? '');
    const isAssumeRole = scope?.[3] === 'sts' && contentType.includes('x-www-form-urlencoded');
    if (!target.startsWith(TARGET_PREFIX) && !isAssumeRole) return forward(req, res, null, null);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (isAssumeRole) {
      const form = new URLSearchParams(body.toString('utf8'));
      const account = form.get('Action') === 'AssumeRole' ? /^arn:[^:]+:iam::(\d{12}):/.exec(form.get('RoleArn') ?? '')?.[1] : undefined;
      return forward(req, res, body, account ?? null);
    }
    const operation = target.slice(TARGET_PREFIX.length);
    let input: Json = {};
    try {
      const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (parsed && typeof parsed === 'object') input = parsed as Json;
    } catch {
      return fail(res, 'SerializationException', 'the request body is not JSON');
    }
    const accountId = keyToAccount.get(scope?.[1] ?? '') ?? DEFAULT_ACCOUNT_ID;
    const region = scope?.[2] ?? 'us-east-1';
    if (answer(operation, input, accountId, region, res)) {
      answered.push({ operation, accountId, region });
      return;
    }
    forward(req, res, body, null);
  };

  const server = await serveLoopback('lake-front', handle);
  return {
    endpoint: server.endpoint,
    answered,
    reset: () => {
      stores = new Map();
      channels = new Map();
      answered.length = 0;
    },
    stop: async () => {
      await server.stop();
      agent.destroy();
    },
  };
}
