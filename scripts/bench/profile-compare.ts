// npm run bench:profile -- DIR [--top N] [--json]
// Sets the two CPU profiles `npm run bench -- --cpu-prof DIR` wrote side by side: the scan's and
// the raw baseline's samples, by where the sampled code lives (a package, a file of this project,
// a native frame such as the socket write or the garbage collector), in microseconds of busy CPU
// a call (an API call of the scan, a request of the baseline), largest difference first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { flags } from './args.js';
import { perCall, type Profile } from './profile-places.js';

const cli = flags('bench:profile');
// Annotated, so TypeScript knows a call to it does not return.
const usage: (message: string) => never = cli.usage;
let parsed;
try {
  parsed = parseArgs({ options: { top: { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
} catch (err) {
  usage((err as Error).message);
}
const { values, positionals } = parsed;
if (positionals.length !== 1) usage('give the directory of `npm run bench -- --cpu-prof DIR`');
const dir = positionals[0]!;
const top = cli.number('top', values.top, 30, 1, 1000);

function read<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
  } catch (err) {
    return usage(`${join(dir, file)}: ${(err as Error).message}`);
  }
}

const calls = read<{ scan: number; raw: number }>('calls.json');
if (!(calls.scan > 0 && calls.raw > 0)) usage(`${join(dir, 'calls.json')}: both the scan and the raw baseline must have run (no --raw-calls 0)`);
const scan = perCall(read<Profile>('scan.cpuprofile'), calls.scan);
const raw = perCall(read<Profile>('raw.cpuprofile'), calls.raw);
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const rows = [...new Set([...scan.keys(), ...raw.keys()])]
  .map((place) => ({ place, scanUs: scan.get(place) ?? 0, rawUs: raw.get(place) ?? 0 }))
  .sort((a, b) => b.scanUs - b.rawUs - (a.scanUs - a.rawUs));
const r1 = (n: number) => Math.round(n * 10) / 10;
const result = {
  scanCalls: calls.scan,
  rawRequests: calls.raw,
  scanBusyUsPerCall: r1(sum(scan)),
  rawBusyUsPerCall: r1(sum(raw)),
  places: rows.slice(0, top).map((r) => ({ place: r.place, scanUs: r1(r.scanUs), rawUs: r1(r.rawUs), moreUs: r1(r.scanUs - r.rawUs) })),
};
if (!values.json) {
  console.log(`busy CPU a call under the profiler: scan ${result.scanBusyUsPerCall} us (${calls.scan} calls), raw baseline ${result.rawBusyUsPerCall} us (${calls.raw} requests)`);
  console.log('   more    scan     raw  where');
  for (const r of result.places) console.log(`${r.moreUs.toFixed(1).padStart(7)} ${r.scanUs.toFixed(1).padStart(7)} ${r.rawUs.toFixed(1).padStart(7)}  ${r.place}`);
}
console.log(JSON.stringify(result));
