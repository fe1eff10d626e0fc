// The minimal baseline of CPU per API call: the requests the scan sent (as the synthetic endpoint
// recorded them), signed again with the SDK's own SigV4 signer (@smithy/signature-v4) and sent
// over node:http with a keep-alive agent at the scan's global concurrency, each response read
// and parsed (JSON.parse, or the SDK's XML parser), nothing else: no clients, no middleware, no
// endpoint rules, no retries, no shapes. What an API call cannot cost less than in this process.
import { parseXML } from '@aws-sdk/xml-builder';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { RecordedRequest } from './synthetic-aws.js';

export interface RawBaselineResult {
  requests: number;
  wallSeconds: number;
  cpuSeconds: number;
  cpuPerCallMs: number;
  /** Responses that were not 2xx (throttled by the endpoint, or an absent configuration's error). */
  errorResponses: number;
}

/** SHA-256 (and its HMAC) from node:crypto, as the SDK's Node runtime hands its signer. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {}
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

export async function rawBaseline(endpointUrl: string, recorded: readonly RecordedRequest[], concurrency: number): Promise<RawBaselineResult> {
  const url = new URL(endpointUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  // One signer per (service, region, credentials), as a client would hold: the signer caches its
  // signing key, and the scan's clients do the same.
  const signers = new Map<string, SignatureV4>();
  const signerFor = (r: RecordedRequest) => {
    const key = `${r.signingName}|${r.region}|${r.accessKeyId}`;
    let signer = signers.get(key);
    if (!signer) {
      signer = new SignatureV4({
        service: r.signingName,
        region: r.region,
        sha256: NodeSha256,
        credentials: { accessKeyId: r.accessKeyId, secretAccessKey: 'raw-baseline', sessionToken: r.sessionToken ? 'raw-session' : undefined },
        uriEscapePath: r.signingName !== 's3',
        applyChecksum: r.signingName === 's3',
      });
      signers.set(key, signer);
    }
    return signer;
  };

  let next = 0;
  let errorResponses = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => {
    while (next < recorded.length) {
      const r = recorded[next++]!;
      const [path, search = ''] = r.path.split('?', 2) as [string, string?];
      const query: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(search)) query[k] = v;
      const headers: Record<string, string> = { ...r.headers, host: url.host };
      if (r.body) headers['content-length'] = String(Buffer.byteLength(r.body));
      const signed = await signerFor(r).sign({ method: r.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query, headers, body: r.body || undefined });
      const { status, contentType, body } = await send(agent, url, r.method, r.path, signed.headers, r.body);
      if (status < 200 || status >= 300) errorResponses++;
      if (body.length > 0) {
        if (contentType.includes('json')) JSON.parse(body);
        else if (contentType.includes('xml')) parseXML(body);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { requests: recorded.length, wallSeconds, cpuSeconds, cpuPerCallMs: (cpuSeconds * 1000) / Math.max(1, recorded.length), errorResponses };
}

function send(agent: Agent, url: URL, method: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ agent, hostname: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body || undefined);
  });
}
