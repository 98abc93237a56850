// The probe pipeline without the network: W1's or W3's module against its document from
// memory, `--concurrency` probes in flight, CPU per probe of this process. What is left
// when the HTTP server and client are taken away: parsing, mapping and formatting, with
// the garbage they leave. Used for issue 18's A/B runs (bench/README.md).
//
//   npx tsx bench/inproc.ts [--module large|small] [--probes 400] [--concurrency 32] [--cpu-prof]
import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import type { Fetcher, FetchResult } from '../src/fetch/upstream.js';
import { probe } from '../src/probe/pipeline.js';
import { BENCH_DIR, largeDocument, smallDocument } from './documents.js';

const { values: flags } = parseArgs({
  options: {
    module: { type: 'string', default: 'large' },
    probes: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
  },
});
const body = flags.module === 'large' ? largeDocument() : smallDocument();
const fetcher: Fetcher = {
  fetch: (): Promise<FetchResult> => Promise.resolve({ ok: true, status: 200, bytes: body.length, body, contentType: 'application/json', headers: {}, error: undefined, seconds: 0.001, cached: false }),
};
const config = await loadConfig(path.join(BENCH_DIR, 'apiprobe.yml'));
const deps = { fetcher, timeoutOffsetSeconds: 0.5, maxSeries: 100_000 };
const query = { module: flags.module, target: '127.0.0.1:1' };

async function run(n: number, concurrency: number): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next++ < n) {
      const a = await probe(config, { query }, deps);
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
process.stdout.write(`${flags.module}: CPU ms per probe ${figures.join(' ')}, answer ${answerBytes.toFixed(0)} characters (peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)\n`);
