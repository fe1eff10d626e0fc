// One HTTP server on 127.0.0.1 and a free port, for the harness's stand-ins in front of moto (the
// fault proxy, the CloudTrail Lake front, the secret-capture proxy): a handler that throws answers
// 500 naming the server, and stop() ends every open connection, stalled responses included.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LoopbackServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function serveLoopback(name: string, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handle(req, res))
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`${name}: ${String(err)}`);
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}
