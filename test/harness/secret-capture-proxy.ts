// A loopback proxy in front of moto that remembers every secret that crossed it: the session
// credentials each sts:AssumeRole answer handed out, and the signatures and session tokens of
// the requests. A test then checks that none of them was written anywhere it must not be.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SecretCaptureProxy {
  endpoint: string;
  /** Every secret value seen, each at least 16 characters long. */
  secrets: Set<string>;
  /** How many AssumeRole answers handed out credentials. */
  assumeRoleCredentials: number;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);

export async function startSecretCaptureProxy(targetUrl: string): Promise<SecretCaptureProxy> {
  const target = new URL(targetUrl);
  const secrets = new Set<string>();
  const sockets = new Set<Socket>();
  const state = { assumeRoleCredentials: 0 };
  const keep = (value: string | undefined) => {
    if (value && value.length >= 16) secrets.add(value);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const auth = req.headers.authorization;
    keep(/Signature=([0-9a-f]+)/.exec(typeof auth === 'string' ? auth : '')?.[1]);
    const token = req.headers['x-amz-security-token'];
    keep(Array.isArray(token) ? token[0] : token);
    const isAssumeRole = /(^|&)Action=AssumeRole(&|$)/.test(body.toString('utf8'));
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers.host = target.host;
    headers['content-length'] = String(body.length);
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const text = Buffer.concat(chunks);
        if (isAssumeRole && up.statusCode === 200) {
          const xml = text.toString('utf8');
          const found = ['AccessKeyId', 'SecretAccessKey', 'SessionToken'].map((tag) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1]);
          if (found.every(Boolean)) state.assumeRoleCredentials++;
          found.forEach(keep);
        }
        const outHeaders: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) outHeaders[k] = v;
        outHeaders['content-length'] = String(text.length);
        res.writeHead(up.statusCode ?? 502, outHeaders);
        res.end(text);
      });
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secrets,
    get assumeRoleCredentials() {
      return state.assumeRoleCredentials;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
