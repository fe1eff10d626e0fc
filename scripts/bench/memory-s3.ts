// bench:logs --store memory: the objects of ONE bucket held in memory, in front of moto.
//
// moto answers about 150-160 S3 requests a second on the benchmark machine (one Python process),
// so with the corpus in moto the benchmark measures moto: 11,520 GETs take ~75 s whatever the
// verifier does, against a 3.6 s lower bound. This router answers the bucket's object requests
// itself -- PutObject (with x-amz-meta-* metadata), GetObject, HeadObject, ListObjectsV2 and
// ListObjects (v1, what `aws cloudtrail validate-logs` pages with) -- in S3's REST-XML shape, and
// forwards everything else (the bucket's configuration, Organizations, STS, CloudTrail...) to
// moto unchanged, so the configuration scan still reads the bucket from moto.
// Path-style addressing only (the SDK with a custom endpoint and the CLI with AWS_ENDPOINT_URL).
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredObject { body: Buffer; etag: string; metadata: Record<string, string>; contentType: string; lastModified: string }

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect', 'proxy-connection']);

export interface MemoryS3 { url: string; objects: number; stop(): Promise<void> }

export async function startMemoryS3(opts: { target: string; bucket: string }): Promise<MemoryS3> {
  const target = new URL(opts.target);
  const store = new Map<string, StoredObject>();
  let sorted: string[] = [];
  let dirty = false;
  const keys = (): string[] => {
    if (dirty) {
      sorted = [...store.keys()].sort();
      dirty = false;
    }
    return sorted;
  };
  /** Index of the first key > after (or >= from when after is undefined). */
  const lowerBound = (arr: string[], probe: string, strict: boolean): number => {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? arr[mid]! <= probe : arr[mid]! < probe) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string) => {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...headers, 'content-length': String(b.length), 'x-amz-request-id': 'memory-s3' }).end(b);
  };
  const noSuchKey = (res: ServerResponse, key: string, head: boolean) =>
    head
      ? void res.writeHead(404, { 'content-length': '0' }).end()
      : send(res, 404, { 'content-type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${xml(key)}</Key><RequestId>memory-s3</RequestId></Error>`);

  const list = (res: ServerResponse, q: URLSearchParams, v2: boolean) => {
    const prefix = q.get('prefix') ?? '';
    const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 1000));
    const all = keys();
    let i: number;
    const token = v2 ? q.get('continuation-token') : null;
    if (token) i = lowerBound(all, Buffer.from(token, 'base64').toString('utf8'), true);
    else {
      const after = v2 ? q.get('start-after') : q.get('marker');
      i = after ? lowerBound(all, after, true) : 0;
    }
    i = Math.max(i, lowerBound(all, prefix, false));
    const contents: string[] = [];
    let last: string | undefined;
    let truncated = false;
    for (; i < all.length; i++) {
      const k = all[i]!;
      if (!k.startsWith(prefix)) break;
      if (contents.length >= maxKeys) {
        truncated = true;
        break;
      }
      const o = store.get(k)!;
      contents.push(`<Contents><Key>${xml(k)}</Key><LastModified>${o.lastModified}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
      last = k;
    }
    const head = v2
      ? `<KeyCount>${contents.length}</KeyCount>${q.get('start-after') ? `<StartAfter>${xml(q.get('start-after')!)}</StartAfter>` : ''}${token ? `<ContinuationToken>${xml(token)}</ContinuationToken>` : ''}${truncated && last ? `<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>` : ''}`
      : `<Marker>${xml(q.get('marker') ?? '')}</Marker>${truncated && last ? `<NextMarker>${xml(last)}</NextMarker>` : ''}`;
    send(res, 200, { 'content-type': 'application/xml' },
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(opts.bucket)}</Name><Prefix>${xml(prefix)}</Prefix>${head}<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents.join('')}</ListBucketResult>`);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
    headers.host = target.host;
    headers['content-length'] = String(body.length);
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (r) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(r.statusCode ?? 502, out);
      r.pipe(res);
    });
    up.on('error', (err) => (res.headersSent ? res.destroy() : send(res, 502, { 'content-type': 'text/plain' }, `memory-s3: upstream error: ${err.message}`)));
    up.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://memory-s3.invalid');
      const segments = url.pathname.split('/');
      const bucket = decodeURIComponent(segments[1] ?? '');
      const key = segments.length > 2 ? decodeURIComponent(url.pathname.slice(bucket.length + 2)) : '';
      const q = url.searchParams;
      const method = req.method ?? 'GET';
      // Only plain object and list requests on our bucket; subresources (?versioning, ?policy, ...) go to moto.
      const plain = [...q.keys()].every((k) => ['x-id', 'list-type', 'prefix', 'start-after', 'continuation-token', 'marker', 'max-keys', 'encoding-type', 'fetch-owner'].includes(k));
      if (bucket !== opts.bucket || !plain) return forward(req, res, body);
      if (key === '' && method === 'GET' && (q.has('list-type') || q.has('prefix') || q.has('marker') || [...q.keys()].length === 0)) {
        return list(res, q, q.get('list-type') === '2');
      }
      if (key === '') return forward(req, res, body);
      if (method === 'PUT') {
        const metadata: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('x-amz-meta-') && typeof v === 'string') metadata[k] = v;
        if (!store.has(key)) dirty = true;
        const etag = createHash('md5').update(body).digest('hex');
        store.set(key, { body, etag, metadata, contentType: req.headers['content-type'] ?? 'binary/octet-stream', lastModified: new Date().toISOString() });
        return send(res, 200, { etag: `"${etag}"` }, '');
      }
      if (method === 'DELETE') {
        if (store.delete(key)) dirty = true;
        return void res.writeHead(204).end();
      }
      if (method === 'GET' || method === 'HEAD') {
        const o = store.get(key);
        if (!o) return noSuchKey(res, key, method === 'HEAD');
        const headers = {
          'content-type': o.contentType, etag: `"${o.etag}"`, 'last-modified': new Date(o.lastModified).toUTCString(), 'accept-ranges': 'bytes', ...o.metadata,
        };
        if (method === 'HEAD') return void res.writeHead(200, { ...headers, 'content-length': String(o.body.length) }).end();
        return send(res, 200, headers, o.body);
      }
      forward(req, res, body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get objects() { return store.size; },
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
