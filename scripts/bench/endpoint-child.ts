// Child-process entry of the synthetic endpoint: starts it on loopback, reports its URL to the
// parent over IPC, and stops when the parent goes away or the time limit passes, so a crashed
// or interrupted benchmark never leaves a server behind.
import { startSyntheticAws, type EndpointOptions } from './synthetic-aws.js';

const options = JSON.parse(process.argv[2] ?? '{}') as EndpointOptions & { maxSeconds: number };
const endpoint = await startSyntheticAws(options);
const stop = (code: number) => {
  void endpoint.close().finally(() => process.exit(code));
};
process.on('disconnect', () => stop(0));
process.on('SIGTERM', () => stop(0));
setTimeout(() => {
  process.stderr.write(`synthetic endpoint: stopping after its ${options.maxSeconds} s limit\n`);
  stop(3);
}, options.maxSeconds * 1000).unref();
// The IPC channel keeps the process alive; the limit above is a backstop, unref'd so it does
// not by itself hold the process open once the channel is gone.
process.send?.({ url: endpoint.url });
