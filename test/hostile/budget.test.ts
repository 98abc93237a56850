// Issue 16, item 1: one probe cannot take the exporter down, nor stall the others.
// The exporter runs as production runs it (a child process with the Kubernetes
// manifest's --max-old-space-size=384) against devices on loopback that answer what
// costs it most: dozens of ~16 MiB bodies of `[{},{},…]`, or of CSV rows with thousands
// of empty columns. Each probe must end with probe_success 0 and a reason naming the
// limit, within its deadline, while /-/healthy keeps answering at once.
import { availableParallelism, loadavg } from 'node:os';
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
let heavy: Device;

beforeAll(async () => {
  jsonBomb = await serve(redfishBomb(40, emptyObjects(BOMB_BYTES), 'application/json'));
  csvBomb = await serve(redfishBomb(40, emptyColumns(BOMB_BYTES), 'text/csv'));
  // ~940,000 values: within the default max_parse_values (1,000,000), ~60 MB of heap once built.
  heavy = await serve(redfishBomb(1, emptyObjects(2.7 * MIB), 'application/json'));
  const warm = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ Id: String(i), Reading: i, Status: { Health: 'OK' } })));
  const warmCsv = emptyColumns(256 * 1024, 100);
  small = await serve((p, _req, res) => {
    if (p === '/warm') return void res.writeHead(200, { 'content-type': 'application/json' }).end(warm);
    if (p === '/warm.csv') return void res.writeHead(200, { 'content-type': 'text/csv' }).end(warmCsv);
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
  warm:
    requests:
      r: { path: /warm }
    metrics:
      - { name: warm_reading, from: r, each: '$[*]', labels: { id: '$.Id' }, value: '$.Reading' }
  heavy:
    requests:
      systems: { path: /redfish/v1/Systems }
      system: { follow: { from: systems, path: '$.Members[*]["@odata.id"]' } }
    metrics:
      - { name: heavy_objects, from: system, value: '$', convert: length }
  warmcsv:
    requests:
      r: { path: /warm.csv, format: csv }
    metrics:
      - { name: warm_rows, from: r, value: '$', convert: length }
  fewvalues:
    max_parse_values: 100
    requests:
      values: { path: /values }
    metrics:
      - { name: few_first, from: values, value: '$[0]' }
`,
  });
  exporter = await startChildExporter(path.join(dir, 'apiprobe.yml'));
  // A few probes first, so that what is measured below is the exporter at work, not its
  // first compilation of the code a probe runs.
  for (const module of ['tiny', 'fewvalues', 'warm', 'warm', 'warm', 'warmcsv', 'warmcsv', 'warmcsv']) await fetch(`${exporter.url}/probe?module=${module}&target=${small.url}`).then((r) => r.text());
}, 60_000);

afterAll(async () => {
  await exporter?.stop();
  await Promise.all([jsonBomb?.close(), csvBomb?.close(), small?.close(), heavy?.close()]);
});

/**
 * 100 ms of the exporter's time, as wall time on this machine now. /-/healthy's answer
 * time is wall time, and the cores are shared with whatever else runs (other test files,
 * other processes): with twice as many runnable processes as cores, every slice the
 * exporter runs takes twice as long. Before the budget and the sliced parsers this was
 * ~20 s, or a crash.
 */
function healthyBound(): number {
  const oversubscribed = loadavg()[0]! / availableParallelism();
  return 100 * Math.min(5, Math.max(1, oversubscribed));
}

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
  it('the redfish module against 40 members of 16 MiB [{},{},…]: probe_success 0 naming the budget, the exporter alive and healthy', { retry: 2, timeout: 60_000 }, async () => {
    const r = await probeWatchingHealth(`module=redfish&target=${jsonBomb.url}&debug=true`, 10);
    expect(exporter.exited()).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^probe_success 0$/m);
    expect(r.text).toMatch(/probe budget of \d+ (bytes|parsed values) exceeded/);
    expect(r.seconds).toBeLessThan(9.5 + 0.5);
    expect(r.worstHealthyMs).toBeLessThan(healthyBound());
  });

  it('a CSV module against 40 members of 16 MiB of empty columns: the same', { retry: 2, timeout: 60_000 }, async () => {
    const r = await probeWatchingHealth(`module=csvfan&target=${csvBomb.url}&debug=true`, 10);
    expect(exporter.exited()).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^probe_success 0$/m);
    expect(r.text).toMatch(/probe budget of \d+ (bytes|parsed values) exceeded/);
    expect(r.seconds).toBeLessThan(5 + 0.5);
    expect(r.worstHealthyMs).toBeLessThan(healthyBound());
  });

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

describe('all probes together', () => {
  it('eight probes at once, each within its own budget but ~60 MB of heap: some succeed, the rest fail for the exporter-wide budget or get a 503; the exporter lives', async () => {
    // Measured without the exporter-wide pool (--probe.memory-budget 4096): six such
    // probes at once end the exporter (heap out of memory, 384 MiB).
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const res = await fetch(`${exporter.url}/probe?module=heavy&target=${heavy.url}&debug=true`, { headers: { 'x-prometheus-scrape-timeout-seconds': '10' } });
        return { status: res.status, text: await res.text() };
      }),
    );
    expect(exporter.exited()).toBeUndefined();
    let succeeded = 0;
    let exhausted = 0;
    for (const a of answers) {
      if (a.status === 503) {
        expect(a.text).toMatch(/^exporter busy: .+\n$/);
      } else if (/^probe_success 1$/m.test(a.text)) {
        succeeded++;
        expect(a.text).toMatch(/^heavy_objects \d{6}$/m);
      } else {
        expect(a.text).toMatch(/exporter-wide probe budget of \d+ MiB exhausted/);
        exhausted++;
      }
    }
    expect(succeeded).toBeGreaterThan(0);
    const own = parseSeries(await (await fetch(`${exporter.url}/metrics`)).text());
    expect(own.get('apiprobe_probe_budget_exhausted_total')).toBeGreaterThanOrEqual(exhausted);
    // Every probe is over: the pool is whole again.
    expect(own.get('apiprobe_probe_budget_used_bytes')).toBe(0);
  }, 60_000);

  it('past 90% of --probe.memory-budget, /probe answers 503 with the reason, and serves again once probes end', async () => {
    // One answer of 19 MiB that never ends: its probe holds what it received until its deadline.
    let sent!: () => void;
    const held = new Promise<void>((resolve) => (sent = resolve));
    const hanging = await serve((p, _req, res) => {
      if (p !== '/hang') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"n": 1}');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`"${'x'.repeat(19 * MIB)}`, () => sent());
    });
    const dir = await writeTempFiles({
      'apiprobe.yml': `modules:
  hold:
    timeout: 3s
    max_response_bytes: 33554432
    requests:
      r: { path: /hang }
  quick:
    requests:
      r: { path: /ok }
    metrics:
      - { name: quick_n, from: r, value: '$.n' }
`,
    });
    const shedding = await startChildExporter(path.join(dir, 'apiprobe.yml'), ['--probe.memory-budget', '20']);
    try {
      const holding = fetch(`${shedding.url}/probe?module=hold&target=${hanging.url}`).then((r) => r.text());
      await held;
      const quick = async (): Promise<{ status: number; text: string }> => {
        const res = await fetch(`${shedding.url}/probe?module=quick&target=${hanging.url}`);
        return { status: res.status, text: await res.text() };
      };
      // The 19 MiB are in once the exporter has read them: a moment after the device wrote them.
      await expect.poll(async () => (await quick()).status, { timeout: 3000, interval: 20 }).toBe(503);
      const refused = await quick();
      expect(refused.text).toMatch(/^exporter busy: probes in flight hold \d+ MiB of the 20 MiB all probes may use \(--probe.memory-budget\); 1 probes in flight\n$/);
      expect(parseSeries(await holding).get('probe_success')).toBe(0);
      const after = await quick();
      expect(after.status).toBe(200);
      expect(parseSeries(after.text).get('quick_n')).toBe(1);
      const own = parseSeries(await (await fetch(`${shedding.url}/metrics`)).text());
      expect(own.get('apiprobe_probes_shed_total')).toBeGreaterThanOrEqual(2);
      expect(own.get('apiprobe_probe_budget_limit_bytes')).toBe(20 * MIB);
      expect(own.get('apiprobe_probe_budget_used_bytes')).toBe(0);
    } finally {
      await shedding.stop();
      await hanging.close();
    }
  }, 30_000);
});
