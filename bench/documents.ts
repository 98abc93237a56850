// The documents the benchmark's upstream serves, built the same way in every process
// that needs them (the upstream serves them, the harness times JSON.parse on them).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '..');
export const MOCKUP_DIR = path.join(ROOT, 'test/fixtures/redfish/public-rackmount1');

/**
 * W1: the document of prometheus-community/json_exporter's example (three objects in
 * `values`), ~300 bytes, mapped by bench/modules/bench.yml to 7 series.
 */
export function smallDocument(): Buffer {
  return Buffer.from(`{
  "counter": 1234,
  "timestamp": 1657568506,
  "location": "mars",
  "values": [
    { "id": "id-A", "count": 1, "some_boolean": true, "state": "ACTIVE" },
    { "id": "id-B", "count": 2, "some_boolean": true, "state": "INACTIVE" },
    { "id": "id-C", "count": 3, "some_boolean": false, "state": "ACTIVE" }
  ]
}
`);
}

export const LARGE_SERIES = 5000;

/** W3: 1 MiB of JSON, 5,000 sensors, each one series. Deterministic. */
export function largeDocument(): Buffer {
  const target = 1024 * 1024;
  const sensors: string[] = [];
  for (let i = 0; i < LARGE_SERIES; i++) {
    const reading = ((i * 7919) % 100_000) / 1000;
    sensors.push(
      `{"name":"sensor-${String(i).padStart(5, '0')}","zone":"zone-${String(i % 50).padStart(2, '0')}",` +
        `"reading":${reading},"status":"${i % 97 === 0 ? 'Warning' : 'OK'}","description":"PAD"}`,
    );
  }
  const skeleton = `{"sensors":[${sensors.join(',')}]}`.replace(/PAD/g, '');
  // Spread the remaining bytes over the descriptions, so the document is 1 MiB exactly.
  const spare = target - Buffer.byteLength(skeleton);
  const each = Math.floor(spare / LARGE_SERIES);
  let extra = spare - each * LARGE_SERIES;
  const padded = sensors.map((s, i) => {
    const n = each + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    return s.replace('PAD', `Temperature sensor ${i} of the bench appliance `.repeat(4).slice(0, n).padEnd(n, '.'));
  });
  return Buffer.from(`{"sensors":[${padded.join(',')}]}`);
}

/** The DMTF mockup as test/sim/devices.ts serves a `mockupDir`: /redfish/v1/X → X/index.json. */
export function mockupRoutes(): Map<string, Buffer> {
  const routes = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'index.json') routes.set(`/${path.relative(MOCKUP_DIR, dir).split(path.sep).join('/')}`, readFileSync(p));
    }
  };
  walk(MOCKUP_DIR);
  return routes;
}

/** W4's 1,000 targets: 127.0.1.1 to 127.0.4.232, every address in between. */
export function manyAddresses(): string[] {
  const out: string[] = [];
  for (let n = 1 * 256 + 1; n <= 4 * 256 + 232; n++) out.push(`127.0.${n >> 8}.${n & 255}`);
  return out;
}
