// Child process for test/server/heap.test.ts: ~30 MB kept alive and a ring of 300,000 objects
// that each live long enough to be promoted, for a few seconds; prints the peak committed heap.
//   node --import tsx test/helpers/heap-churn.ts <percent> <largeHeapMiB> <seconds> [<maxFullGcRate>, 0: never lifted for that]
import v8 from 'node:v8';
import { governHeapGrowth } from '../../src/runtime/heap.js';

const [percent, largeMiB, seconds, rate = 0] = process.argv.slice(2).map(Number) as [number, number, number, number?];
let lifted = 0;
const stop = governHeapGrowth({ percent, largeHeapBytes: largeMiB * 1024 * 1024, maxFullGcRate: rate || Infinity, onChange: (capped) => (lifted += capped ? 0 : 1) });
const live: unknown[] = [];
for (let i = 0; i < 400; i++) live.push(new Array(10_000).fill({ i }));
const ring: unknown[] = new Array(300_000);
let peak = 0;
let n = 0;
const end = Date.now() + seconds * 1000;
// Yields now and then so that the GC observer runs, as it does in the exporter.
while (Date.now() < end) {
  for (let k = 0; k < 50_000; k++) ring[n++ % ring.length] = { s: `${'x'.repeat(64)}${n}`, a: [n, n + 1, n + 2] };
  peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
  await new Promise((resolve) => setImmediate(resolve));
}
stop();
process.stdout.write(`${JSON.stringify({ peakMiB: peak / 1024 / 1024, kept: live.length, lifted })}\n`);
