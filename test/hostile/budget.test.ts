// Issue 16, item 1: one probe cannot take the exporter down, nor stall the others.
// The exporter runs as production runs it (a child process with the Kubernetes
// manifest's --max-old-space-size=384) against devices on loopback that answer what
// costs it most: dozens of ~16 MiB bodies of `[{},{},…]`, or of CSV rows with thousands
// of empty columns. Each probe must end with probe_success 0 and a reason naming the
// limit, within its deadline, while /-/healthy keeps answering at once.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeries, ROOT, writeTempFiles } from '../helpers/exporter.js';
import { startChildExporter, type ChildExporter } from './child.js';
import { emptyColumns, emptyObjects, redfishBomb, serve, type Device } from './devices.js';

const MIB = 1024 * 1024;
// Just under the default max_response_bytes (16 MiB): each answer alone is allowed.
const BOMB_BYTES = 16 * MIB - 4096;

let exporter: ChildExporter;
let jsonBomb: Device;
let csvBomb: Device;
let small: Device;

beforeAll(async () => {
  jsonBomb = await serve(redfishBomb(40, emptyObjects(BOMB_BYTES), 'application/json'));
  csvBomb = await serve(redfishBomb(40, emptyColumns(BOMB_BYTES), 'text/csv'));
  small = await serve((p, _req, res) => {
    if (p === '/values') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.from({ length: 500 }, (_, i) => i)));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pad: 'x'.repeat(600), n: 1 }));
  });
  const dir = await writeTempFiles({
    'apiprobe.yml': `include: [${JSON.stringify(path.join(ROOT, 'modules/redfish.yml'))}]
modules:
  csvfan:
    timeout: 5s
    concurrency: 8
    requests:
      systems: { path: /redfish/v1/Systems }
      system: { follow: { from: systems, path: '$.Members[*]["@odata.id"]' }, format: csv }
    metrics:
      - { name: csv_rows, from: system, value: '$', convert: length }
  tiny:
    max_probe_bytes: 1000
    requests:
      a: { path: /a }
      b: { path: /b }
      c: { path: /c }
    metrics:
      - { name: tiny_n, from: a, value: '$.n' }
  fewvalues:
    max_parse_values: 100
    requests:
      values: { path: /values }
    metrics:
      - { name: few_first, from: values, value: '$[0]' }
`,
  });
  exporter = await startChildExporter(path.join(dir, 'apiprobe.yml'));
}, 60_000);

afterAll(async () => {
  await exporter?.stop();
  await Promise.all([jsonBomb?.close(), csvBomb?.close(), small?.close()]);
});

/** Runs the probe while asking /-/healthy back to back; the slowest health answer in ms. */
async function probeWatchingHealth(query: string, timeoutSeconds: number): Promise<{ status: number; text: string; seconds: number; worstHealthyMs: number }> {
  const started = performance.now();
  let done = false;
  const answer = fetch(`${exporter.url}/probe?${query}`, { headers: { 'x-prometheus-scrape-timeout-seconds': String(timeoutSeconds) } })
    .then(async (r) => ({ status: r.status, text: await r.text() }))
    .finally(() => (done = true));
  let worst = 0;
  while (!done) {
    const t = performance.now();
    const res = await fetch(`${exporter.url}/-/healthy`, { signal: AbortSignal.timeout(30_000) });
    expect(res.status).toBe(200);
    worst = Math.max(worst, performance.now() - t);
    // Let the probe's own I/O through between two health checks.
    await new Promise((r) => setImmediate(r));
  }
  const { status, text } = await answer;
  return { status, text, seconds: (performance.now() - started) / 1000, worstHealthyMs: worst };
}

describe('a bomb device', () => {
  it('the redfish module against 40 members of 16 MiB [{},{},…]: probe_success 0 naming the budget, the exporter alive and healthy', async () => {
    const r = await probeWatchingHealth(`module=redfish&target=${jsonBomb.url}&debug=true`, 10);
    expect(exporter.exited()).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^probe_success 0$/m);
    expect(r.text).toMatch(/probe budget of \d+ (bytes|parsed values) exceeded/);
    expect(r.seconds).toBeLessThan(9.5 + 0.5);
    expect(r.worstHealthyMs).toBeLessThan(100);
  }, 60_000);

  it('a CSV module against 40 members of 16 MiB of empty columns: the same', async () => {
    const r = await probeWatchingHealth(`module=csvfan&target=${csvBomb.url}&debug=true`, 10);
    expect(exporter.exited()).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^probe_success 0$/m);
    expect(r.text).toMatch(/probe budget of \d+ (bytes|parsed values) exceeded/);
    expect(r.seconds).toBeLessThan(5 + 0.5);
    expect(r.worstHealthyMs).toBeLessThan(100);
  }, 60_000);

  it('four bomb probes at once: each answered (probe_success 0 or a 503 saying why), the exporter alive', async () => {
    const answers = await Promise.all(
      [jsonBomb, csvBomb, jsonBomb, csvBomb].map(async (d, i) => {
        const res = await fetch(`${exporter.url}/probe?module=${i % 2 ? 'csvfan' : 'redfish'}&target=${d.url}`, { headers: { 'x-prometheus-scrape-timeout-seconds': '6' } });
        return { status: res.status, text: await res.text() };
      }),
    );
    expect(exporter.exited()).toBeUndefined();
    for (const a of answers) {
      if (a.status === 503) expect(a.text).toMatch(/^exporter busy: .+\n$/);
      else expect(parseSeries(a.text).get('probe_success')).toBe(0);
    }
    expect((await fetch(`${exporter.url}/-/healthy`)).status).toBe(200);
  }, 60_000);
});

describe('a module\'s own budget', () => {
  it('max_probe_bytes counts every fetch of the probe together', async () => {
    const res = await fetch(`${exporter.url}/probe?module=tiny&target=${small.url}&debug=true`);
    const text = await res.text();
    expect(text).toMatch(/^probe_success 0$/m);
    expect(text).toMatch(/probe budget of 1000 bytes exceeded \(max_probe_bytes\)/);
  });

  it('max_parse_values counts the values parsing builds', async () => {
    const res = await fetch(`${exporter.url}/probe?module=fewvalues&target=${small.url}&debug=true`);
    const text = await res.text();
    expect(text).toMatch(/^probe_success 0$/m);
    expect(text).toMatch(/probe budget of 100 parsed values exceeded \(max_parse_values\)/);
    expect(text).not.toMatch(/^few_first /m);
  });
});
