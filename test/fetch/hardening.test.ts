// Holes an adversarial review found in the fetch path, each kept closed by a test that
// failed before its fix: a query credential rewriting the module's own query, a
// trickling answer reported as nothing at the deadline, a number past float64 read as
// +Inf, a kept-alive connection closed underneath a request, an unreachable device
// holding its limiter slot past the deadline, timers past 2^31−1 ms, and a huge host
// name logged in full.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, timerMs } from '../../src/fetch/deadline.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';

let device: http.Server;
let devicePort: number;
const urls: string[] = [];
let stale: net.Server;
let stalePort: number;
const staleLog: string[] = [];
let blackhole: net.Server;
let blackholePort: number;
let blackholeConnections = 0;
const sockets = new Set<net.Socket>();
let exporter: TestExporter;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  device = http.createServer((req, res) => {
    urls.push(req.url!);
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/trickle') {
      // The status line and a first part at once, then a byte every 100 ms, never done.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"pad":"');
      const t = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (path === '/slow') {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"v":1}');
      }, 200);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(path === '/overflow' ? '{"v": 1e400, "w": "-1e999", "x": 1e300, "inf": "+Inf"}' : '{"v":1}');
  });
  device.on('connection', (s) => sockets.add(s));
  devicePort = await listen(device);

  // Answers the first request of each connection and keeps it alive; a second request
  // on the same connection finds it closed (as a device closing an idle connection the
  // moment a request goes out on it).
  stale = net.createServer((socket) => {
    sockets.add(socket);
    let requests = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        const end = buffered.indexOf('\r\n\r\n') + 4;
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end);
        requests++;
        staleLog.push(`${head.split(' ')[0]} ${head.split(' ')[1]} #${requests}`);
        if (requests === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\nconnection: keep-alive\r\n\r\n{"v":1}');
        else socket.destroy();
      }
    });
  });
  stalePort = await listen(stale);

  // Accepts TCP connections and never says a word: a TLS handshake with it never ends.
  blackhole = net.createServer((socket) => {
    blackholeConnections++;
    sockets.add(socket);
  });
  blackholePort = await listen(blackhole);

  exporter = await startExporter({
    configYaml: `
auths:
  qkey: { api_key: { query: access_token, value: 'k3y/+&=' } }
modules:
  haproxy: { auth: qkey, requests: { s: { path: '/haproxy;csv?stats;csv' } }, metrics: [{ name: dev_v, from: s, value: '$.v' }] }
  apache: { auth: qkey, requests: { s: { path: '/server-status?auto' } }, metrics: [{ name: dev_v, from: s, value: '$.v' }] }
  with_query: { requests: { s: { path: '/haproxy?stats;csv', query: { scope: 'a b;c' } } }, metrics: [{ name: dev_v, from: s, value: '$.v' }] }
  trickle: { requests: { s: { path: /trickle } }, metrics: [] }
  overflow:
    requests: { s: { path: /overflow } }
    metrics:
      - { name: dev_v, from: s, value: '$.v' }
      - { name: dev_w, from: s, value: '$.w' }
      - { name: dev_x_scaled, from: s, value: '$.x', scale: 1e10 }
      - { name: dev_inf, from: s, value: '$.inf' }
  keepalive: { requests: { s: { path: /a } }, metrics: [{ name: dev_v, from: s, value: '$.v' }] }
  keepalive_post: { requests: { s: { path: /a, method: POST } }, metrics: [{ name: dev_v, from: s, value: '$.v' }] }
  blackhole: { target: { scheme: https }, tls: { insecure_skip_verify: true }, concurrency: 1, requests: { s: { path: /status } }, metrics: [] }
  slow: { timeout: 1h, requests: { s: { path: /slow } }, metrics: [{ name: dev_v, from: s, value: '$.v' }] }
`,
  });
});

afterAll(async () => {
  await exporter?.close();
  for (const s of sockets) s.destroy();
  await Promise.all([device, stale, blackhole].map((s) => new Promise((r) => s?.close(r))));
});

describe('a query credential leaves the module\'s own query as written', () => {
  it('appends the key to `?stats;csv` and `?auto` without re-encoding them', async () => {
    urls.length = 0;
    const target = `127.0.0.1:${devicePort}`;
    expect(parseSeries((await exporter.probe({ module: 'haproxy', target })).text).get('probe_success')).toBe(1);
    expect(parseSeries((await exporter.probe({ module: 'apache', target })).text).get('probe_success')).toBe(1);
    expect(urls).toEqual(['/haproxy;csv?stats;csv&access_token=k3y%2F%2B%26%3D', '/server-status?auto&access_token=k3y%2F%2B%26%3D']);
  });

  it('appends a module\'s query parameters the same way', async () => {
    urls.length = 0;
    await exporter.probe({ module: 'with_query', target: `127.0.0.1:${devicePort}` });
    expect(urls).toEqual(['/haproxy?stats;csv&scope=a%20b%3Bc']);
  });
});

describe('at the deadline', () => {
  it('reports the status and the bytes of an answer still trickling in', async () => {
    const started = performance.now();
    const res = await exporter.probe({ module: 'trickle', target: `127.0.0.1:${devicePort}` }, { 'X-Prometheus-Scrape-Timeout-Seconds': '1' });
    const elapsed = performance.now() - started;
    const series = parseSeries(res.text);
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_http_status_code{request="s"}')).toBe(200);
    // 8 bytes at once, then one every 100 ms for ~0.5 s.
    expect(series.get('probe_response_bytes{request="s"}')).toBeGreaterThanOrEqual(9);
    expect(series.get('probe_request_fetches{request="s"}')).toBe(1);
    expect(elapsed).toBeLessThan(900);
    const debug = await exporter.probe({ module: 'trickle', target: `127.0.0.1:${devicePort}`, debug: 'true' }, { 'X-Prometheus-Scrape-Timeout-Seconds': '1' });
    expect(debug.text).toMatch(/s: GET \/trickle: deadline of 0\.5s exceeded \(HTTP 200, \d+ bytes received\)/);
  });

  it('gives an unreachable device\'s slot back: the next probe of it connects at once', async () => {
    const target = `127.0.0.1:${blackholePort}`;
    const headers = { 'X-Prometheus-Scrape-Timeout-Seconds': '1' };
    blackholeConnections = 0;
    const first = parseSeries((await exporter.probe({ module: 'blackhole', target }, headers)).text);
    expect(first.get('probe_success')).toBe(0);
    expect(blackholeConnections).toBe(1);
    // concurrency 1: before, the first connect attempt held the device's only slot for the
    // 10 s connect timeout, and this probe never got to connect.
    const second = await exporter.probe({ module: 'blackhole', target, debug: 'true' }, headers);
    expect(blackholeConnections).toBe(2);
    expect(second.text).not.toMatch(/queued behind the concurrency limits/);
  });

  it('a scrape timeout past what a timer can wait is the module\'s timeout, not an instant failure', async () => {
    const res = parseSeries((await exporter.probe({ module: 'slow', target: `127.0.0.1:${devicePort}` }, { 'X-Prometheus-Scrape-Timeout-Seconds': '1e10' })).text);
    expect(res.get('probe_success')).toBe(1);
    expect(res.get('probe_timeout_seconds')).toBe(3600);
  });
});

describe('timers', () => {
  it('clamp what they are asked to wait to 2^31−1 ms', () => {
    expect(timerMs(10)).toBe(10_000);
    expect(timerMs(MAX_TIMER_MS / 1000)).toBe(MAX_TIMER_MS);
    expect(timerMs(MAX_TIMER_MS / 1000 + 0.001)).toBe(MAX_TIMER_MS);
    expect(timerMs(600 * 3600)).toBe(MAX_TIMER_MS);
    expect(timerMs(Infinity)).toBe(MAX_TIMER_MS);
    expect(timerMs(-1)).toBe(0);
    expect(timerMs(NaN)).toBe(0);
  });
});

describe('numbers past float64', () => {
  it('are mapping errors, not +Inf readings; an explicit +Inf still is one', async () => {
    const res = await exporter.probe({ module: 'overflow', target: `127.0.0.1:${devicePort}`, debug: 'true' });
    const series = parseSeries(res.text.slice(res.text.indexOf('Metrics that would have been returned:')));
    expect(series.has('dev_v')).toBe(false);
    expect(series.has('dev_w')).toBe(false);
    expect(series.has('dev_x_scaled')).toBe(false);
    expect(res.text).toMatch(/^dev_inf \+Inf$/m);
    expect(series.get('probe_mapping_errors')).toBe(3);
    expect(series.get('probe_success')).toBe(0);
    expect(res.text).toMatch(/dev_v\): value is too large for a 64-bit float/);
    expect(res.text).toMatch(/dev_w\): value "-1e999" is too large for a 64-bit float/);
    expect(res.text).toMatch(/dev_x_scaled\): value 1e\+300 × scale 10000000000 is too large for a 64-bit float/);
  });
});

describe('a kept-alive connection the device closed', () => {
  it('a GET is sent once more on a fresh connection', async () => {
    staleLog.length = 0;
    const target = `127.0.0.1:${stalePort}`;
    expect(parseSeries((await exporter.probe({ module: 'keepalive', target })).text).get('probe_success')).toBe(1);
    const second = parseSeries((await exporter.probe({ module: 'keepalive', target })).text);
    expect(second.get('probe_success')).toBe(1);
    expect(staleLog).toEqual(['GET /a #1', 'GET /a #2', 'GET /a #1']);
  });

  it('a POST is not: it may have had an effect', async () => {
    const target = `127.0.0.1:${stalePort}`;
    // A GET leaves a kept-alive connection that has served one request …
    expect(parseSeries((await exporter.probe({ module: 'keepalive', target })).text).get('probe_success')).toBe(1);
    staleLog.length = 0;
    // … the POST goes out on it and finds it closed.
    const post = await exporter.probe({ module: 'keepalive_post', target, debug: 'true' });
    expect(parseSeries(post.text.slice(post.text.indexOf('Metrics that would'))).get('probe_success')).toBe(0);
    expect(post.text).toMatch(/other side closed/);
    expect(staleLog).toEqual(['POST /a #2']);
  });
});

describe('a huge host name', () => {
  it('is refused with one short line, and nothing long is logged', async () => {
    const host = `${'a'.repeat(15_000)}.example`;
    exporter.logs.length = 0;
    const res = await exporter.probe({ module: 'keepalive', target: host });
    expect(res.status).toBe(400);
    expect(res.text).toBe('target host is 15008 characters long; a host name has at most 253\n');
    const bad = await exporter.probe({ module: 'keepalive', target: `${'a'.repeat(15_000)}:99999` });
    expect(bad.status).toBe(400);
    expect(bad.text.length).toBeLessThan(300);
    expect(Math.max(0, ...exporter.logs.map((l) => l.length))).toBeLessThan(2048);
  });
});
