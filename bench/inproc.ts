// The probe pipeline without the network: W1's or W3's module against its document from
// memory, `--concurrency` probes in flight, CPU per probe of this process. What is left
// when the HTTP server and client are taken away: parsing, mapping and formatting, with
// the garbage they leave. Used for issue 18's A/B runs (bench/README.md).
//
//   npx tsx bench/inproc.ts [--module large|small] [--probes 400] [--concurrency 32] [--cpu-prof]
//
// --net: the same probes through the real fetch path (Upstream, undici) against the
// benchmark's upstream in another process, one of 1,000 loopback addresses per probe as
// W4 does; --net --raw: only undici's request() of the same URLs with a keep-alive Agent,
// the floor of that path. The difference is what the exporter's fetch path costs.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config/load.js';
import { Upstream, type Fetcher, type FetchResult } from '../src/fetch/upstream.js';
import { probe } from '../src/probe/pipeline.js';
import { BENCH_DIR, largeDocument, manyAddresses, smallDocument } from './documents.js';
import { spawnReporting, stop } from './procs.js';

const { values: flags } = parseArgs({
  options: {
    module: { type: 'string', default: 'large' },
    probes: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    net: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
  },
});
const body = flags.module === 'large' ? largeDocument() : smallDocument();
const upstream = flags.net ? await spawnReporting(['--import', 'tsx', path.join(BENCH_DIR, 'upstream.ts')]) : undefined;
const fetcher: Fetcher = upstream ? new Upstream({ maxConcurrency: 256, userAgent: 'bench' }) : {
  fetch: (): Promise<FetchResult> => Promise.resolve({ ok: true, status: 200, bytes: body.length, body, contentType: 'application/json', headers: {}, error: undefined, seconds: 0.001, cached: false }),
};
const config = await loadConfig(path.join(BENCH_DIR, 'apiprobe.yml'));
const deps = { fetcher, timeoutOffsetSeconds: 0.5, maxSeries: 100_000 };
const targets = upstream ? manyAddresses().map((a) => `${a}:${upstream.port}`) : ['127.0.0.1:1'];
const agent = new Agent({ keepAliveTimeout: 30_000 });
let turn = 0;

async function run(n: number, concurrency: number): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next++ < n) {
      const target = targets[turn++ % targets.length]!;
      if (flags.raw) {
        const res = await request(`http://${target}/${flags.module}`, { dispatcher: agent });
        bytes += (await res.body.arrayBuffer()).byteLength;
        continue;
      }
      const a = await probe(config, { query: { module: flags.module, target } }, deps);
      if (a.kind !== 'probed' || !a.result.success) throw new Error('probe failed');
      bytes += a.result.exposition.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return bytes;
}

const n = Number(flags.probes);
await run(Math.min(n, 100), Number(flags.concurrency));
const figures: string[] = [];
let answerBytes = 0;
for (let r = 0; r < Number(flags.rounds); r++) {
  const before = process.cpuUsage();
  answerBytes = (await run(n, Number(flags.concurrency))) / n;
  const used = process.cpuUsage(before);
  figures.push(((used.user + used.system) / 1000 / n).toFixed(3));
}
if (upstream) await stop(upstream);
await agent.close();
process.stdout.write(`${flags.module}${flags.net ? (flags.raw ? ' (undici request only)' : ' (through the network)') : ''}: CPU ms per probe ${figures.join(' ')}, answer ${answerBytes.toFixed(0)} characters (peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)\n`);
