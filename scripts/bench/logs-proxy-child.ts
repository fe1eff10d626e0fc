// Child-process entry of bench:logs' fault proxy (test/harness/fault-proxy.ts in front of moto).
// It runs in its own process so the proxy's CPU stays off the verifier's event loop and its
// buffers out of the verifier's RSS. The parent drives it over IPC:
//   { op: 'latency', ms }        every request waits ms before it is answered
//   { op: 'keys', keys }         answer cloudtrail:ListPublicKeys with these keys per region
//   { op: 'reset' }              forget the request log
//   { op: 'counts' }             -> { counts: { <service>:<operation>: n } } since the last reset
// and it stops when the parent goes away. With a bucket name as its second argument, that
// bucket's objects are served from memory (memory-s3.ts) and the proxy forwards to that router.
import { startFaultProxy, type ProxyPublicKey } from '../../test/harness/fault-proxy.js';
import { startMemoryS3 } from './memory-s3.js';

export interface WireKey { der: string; fingerprint: string; validityStart: string; validityEnd: string }
export type ProxyMessage =
  | { op: 'latency'; ms: number }
  | { op: 'keys'; keys: Record<string, WireKey[]> }
  | { op: 'reset' }
  | { op: 'counts' };

const moto = process.argv[2];
if (!moto) throw new Error('logs-proxy-child: no target endpoint');
// argv[3]: a bucket whose objects are held in memory (memory-s3.ts) between the proxy and moto.
const memoryBucket = process.argv[3];
const store = memoryBucket ? await startMemoryS3({ target: moto, bucket: memoryBucket }) : undefined;
const proxy = await startFaultProxy({ target: store?.url ?? moto });

process.on('message', (m: ProxyMessage) => {
  switch (m.op) {
    case 'latency':
      proxy.setRules(m.ms > 0 ? [{ match: {}, fault: { latencyMs: m.ms } }] : []);
      process.send?.({ ok: 'latency' });
      break;
    case 'keys': {
      const byRegion = new Map<string, ProxyPublicKey[]>(
        Object.entries(m.keys).map(([region, ks]) => [region, ks.map((k) => ({
          der: Buffer.from(k.der, 'base64'), fingerprint: k.fingerprint,
          validityStart: new Date(k.validityStart), validityEnd: new Date(k.validityEnd),
        }))]),
      );
      proxy.setPublicKeys((region) => byRegion.get(region) ?? []);
      process.send?.({ ok: 'keys' });
      break;
    }
    case 'reset':
      proxy.resetLog();
      process.send?.({ ok: 'reset' });
      break;
    case 'counts': {
      const counts: Record<string, number> = {};
      for (const r of proxy.requests) counts[`${r.service}:${r.operation}`] = (counts[`${r.service}:${r.operation}`] ?? 0) + 1;
      process.send?.({ ok: 'counts', counts });
      break;
    }
  }
});
const stop = (code: number) => void proxy.stop().then(() => store?.stop()).finally(() => process.exit(code));
process.on('disconnect', () => stop(0));
process.on('SIGTERM', () => stop(0));
// storeUrl: where the corpus is written, straight (not through the latency proxy).
process.send?.({ url: proxy.endpoint, storeUrl: store?.url ?? moto });
