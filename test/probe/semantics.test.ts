// The probe contract: what /probe answers for good and bad requests and for
// upstreams that fail in every common way.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';
import { eventually } from '../helpers/wait.js';

const CONFIG = `
modules:
  default:
    description: the module used when none is named
    requests:
      status: { path: /status }
    metrics:
      - { name: dev_up, from: status, value: '$.up' }
  two:
    description: two independent requests
    timeout: 5s
    requests:
      status: { path: /status }
      broken: { path: /broken }
    metrics:
      - { name: dev_up, from: status, value: '$.up' }
      - { name: dev_broken, from: broken, value: '$.x' }
  other:
    requests:
      extra: { path: /extra }
    metrics:
      - { name: dev_extra, from: extra, value: '$.n' }
  dupes:
    requests:
      list: { path: /dupes }
    metrics:
      - { name: dev_item, from: list, each: '$.items[*]', labels: { id: '$.id' }, value: '$.v' }
  urls:
    target: { url: true }
    requests:
      doc: {}
    metrics:
      - { name: dev_up, from: doc, value: '$.up' }
  slow:
    timeout: 10s
    concurrency: 1
    requests:
      a: { path: /slow?a }
      b: { path: /slow?b }
      c: { path: /slow?c }
    metrics:
      - { name: dev_slow, from: a, value: '$.up' }
  links:
    requests:
      index: { path: /links }
      item: { follow: { from: index, path: '$.links[*]' } }
    metrics:
      - { name: dev_item_up, from: item, labels: { id: '$.id' }, value: '$.up' }
  capped:
    max_requests: 3
    requests:
      index: { path: /links }
      item: { follow: { from: index, path: '$.many[*]' } }
    metrics: []
  invalid:
    requests:
      status: { path: /invalid-json }
    metrics: []
  missing:
    requests:
      status: { path: /nope }
    metrics: []
  hang:
    requests:
      status: { path: /hang }
    metrics: []
  reset:
    requests:
      status: { path: /reset }
    metrics: []
  big:
    max_response_bytes: 1000
    requests:
      status: { path: /big }
    metrics: []
  bigstream:
    max_response_bytes: 1000
    requests:
      status: { path: /big-stream }
    metrics: []
`;

let exporter: TestExporter;
let device: RunningDevice;
let closedPort: number;
let slowInFlight = 0;
let slowMaxInFlight = 0;

beforeAll(async () => {
  exporter = await startExporter({ configYaml: CONFIG });
  const json = (body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  device = await startDevice({
    name: 'synthetic',
    routes: {
      '/status': json({ up: true }),
      '/extra': json({ n: 7 }),
      '/broken': (_req, res) => {
        res.writeHead(500);
        res.end('oops');
      },
      '/dupes': json({ items: [{ id: 'a', v: 1 }, { id: 'a', v: 2 }, { id: 'b', v: 3 }] }),
      '/slow': (_req, res) => {
        slowInFlight++;
        slowMaxInFlight = Math.max(slowMaxInFlight, slowInFlight);
        setTimeout(() => {
          slowInFlight--;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"up":1}');
        }, 1200);
      },
      '/links': json({
        links: ['/item/1', 'item/2', 'http://192.0.2.1/item/3', 42],
        many: ['/item/1', '/item/2', '/item/3', '/item/4', '/item/5'],
      }),
      '/item/1': json({ id: 1, up: 1 }),
      '/item/2': json({ id: 2, up: 0 }),
      '/item/3': json({ id: 3, up: 1 }),
      '/item/4': json({ id: 4, up: 1 }),
      '/item/5': json({ id: 5, up: 1 }),
      '/invalid-json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"up": tru');
      },
      '/hang': () => {
        /* never answers */
      },
      '/reset': (req) => req.socket.destroy(),
      '/big': (_req, res) => {
        const body = JSON.stringify({ pad: 'x'.repeat(5000) });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      // No content-length: the cap must hold while streaming.
      '/big-stream': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write('x'.repeat(400)), 5);
        res.on('close', () => clearInterval(timer));
      },
    },
  });
  const probeServer = net.createServer();
  await new Promise<void>((r) => probeServer.listen(0, '127.0.0.1', r));
  closedPort = (probeServer.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probeServer.close(() => r()));
});

afterAll(async () => {
  await exporter.close();
  await device.close();
});

async function debug(module: string, target = device.address): Promise<string> {
  return (await exporter.probe({ module, target, debug: 'true' })).text;
}

describe('bad requests get a 400 with one line that says why', () => {
  it.each([
    [{ module: 'default' }, 'target parameter is missing\n'],
    [{ module: 'nosuch', target: '127.0.0.1:1' }, 'unknown module "nosuch"\n'],
    [{ module: 'default', target: 'bad host name' }, 'target "bad host name" is not a valid host[:port] or URL\n'],
    [{ module: 'default', target: 'http://127.0.0.1:1/some/path' }, 'module default accepts host[:port] or scheme://host[:port] targets, not URLs with a path or query\n'],
    [{ module: 'default', target: 'ftp://127.0.0.1' }, 'target scheme ftp is not supported (http or https)\n'],
    [{ module: 'default', target: 'http://user:pw@127.0.0.1' }, 'credentials in the target are not accepted; configure them in the exporter\n'],
    [{ module: 'default', target: '127.0.0.1:99999' }, 'target "127.0.0.1:99999" is not a valid host[:port] or URL\n'],
  ])('%j', async (query, expected) => {
    const res = await exporter.probe(query);
    expect(res.status).toBe(400);
    expect(res.text).toBe(expected);
  });

  it('rejects a target given twice', async () => {
    const res = await fetch(`${exporter.url}/probe?module=default&target=a&target=b`);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('target parameter given 2 times; give it once\n');
  });

  it('rejects a scrape timeout header that is not a number', async () => {
    const res = await exporter.probe({ module: 'default', target: device.address }, { 'X-Prometheus-Scrape-Timeout-Seconds': 'soon' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^X-Prometheus-Scrape-Timeout-Seconds "soon" is not a positive number\n$/);
  });
});

describe('module selection', () => {
  it('uses the module named default when none is given', async () => {
    const s = parseSeries((await exporter.probe({ target: device.address })).text);
    expect(s.get('probe_success')).toBe(1);
    expect(s.get('dev_up')).toBe(1);
  });

  it('runs several modules into one answer with module=a,b', async () => {
    const s = parseSeries((await exporter.probe({ module: 'default,other', target: device.address })).text);
    expect(s.get('probe_success')).toBe(1);
    expect(s.get('dev_up')).toBe(1);
    expect(s.get('dev_extra')).toBe(7);
    expect(s.get('probe_request_success{request="default/status"}')).toBe(1);
    expect(s.get('probe_request_success{request="other/extra"}')).toBe(1);
  });

  it('accepts a full URL target where the module allows it', async () => {
    const s = parseSeries((await exporter.probe({ module: 'urls', target: `${device.url}/status` })).text);
    expect(s.get('probe_success')).toBe(1);
    expect(s.get('dev_up')).toBe(1);
  });
});

describe('upstream failures are data: 200 with probe_success 0', () => {
  it('keeps the series of the requests that succeeded when another fails', async () => {
    const res = await exporter.probe({ module: 'two', target: device.address });
    expect(res.status).toBe(200);
    const s = parseSeries(res.text);
    expect(s.get('probe_success')).toBe(0);
    expect(s.get('dev_up')).toBe(1);
    expect(s.has('dev_broken')).toBe(false);
    expect(s.get('probe_request_success{request="status"}')).toBe(1);
    expect(s.get('probe_request_success{request="broken"}')).toBe(0);
    expect(s.get('probe_http_status_code{request="broken"}')).toBe(500);
    expect(s.get('probe_http_status_code{request="status"}')).toBe(200);
    expect(s.get('probe_response_bytes{request="status"}')).toBe('{"up":true}'.length);
  });

  it('answers in well under a second for a closed port', async () => {
    const t0 = performance.now();
    const res = await exporter.probe({ module: 'default', target: `127.0.0.1:${closedPort}` });
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(parseSeries(res.text).get('probe_success')).toBe(0);
    expect(parseSeries(res.text).get('probe_http_status_code{request="status"}')).toBe(0);
    expect(elapsed).toBeLessThan(1000);
    expect(await debug('default', `127.0.0.1:${closedPort}`)).toMatch(/status: GET \/status: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
  });

  it('answers within the scrape timeout when the upstream never answers', async () => {
    const t0 = performance.now();
    const res = await exporter.probe({ module: 'hang', target: device.address }, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
    const elapsed = performance.now() - t0;
    const s = parseSeries(res.text);
    expect(res.status).toBe(200);
    expect(s.get('probe_success')).toBe(0);
    expect(s.get('probe_timeout_seconds')).toBe(1.5);
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2000);
  });

  it('aborts requests still queued behind the per-target limit at the deadline', async () => {
    slowMaxInFlight = 0;
    const t0 = performance.now();
    const res = await exporter.probe({ module: 'slow', target: device.address, debug: 'true' }, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(2000);
    // concurrency 1: one 1.2 s request fits in 1.5 s, the other two do not.
    expect(slowMaxInFlight).toBe(1);
    expect(res.text).toMatch(/deadline of 1\.5s exceeded/);
    const s = parseSeries(res.text.slice(res.text.indexOf('Metrics that would have been returned:')));
    expect(s.get('probe_success')).toBe(0);
    expect([s.get('probe_request_success{request="a"}'), s.get('probe_request_success{request="b"}'), s.get('probe_request_success{request="c"}')].sort()).toEqual([0, 0, 1]);
  });

  it.each([
    ['invalid', /status: GET \/invalid-json: invalid JSON: /],
    ['missing', /status: GET \/nope: unexpected HTTP status 404/],
    ['reset', /status: GET \/reset: .*(socket|closed|ECONNRESET)/i],
    ['big', /status: GET \/big: response of 5010 bytes exceeds the limit of 1000 bytes/],
    ['bigstream', /status: GET \/big-stream: response exceeds the limit of 1000 bytes/],
  ])('module %s fails with the reason in debug output', async (module, reason) => {
    const res = await exporter.probe({ module, target: device.address });
    expect(res.status).toBe(200);
    expect(parseSeries(res.text).get('probe_success')).toBe(0);
    expect(await debug(module)).toMatch(reason);
  });

  it('logs one line per failed probe at info level with module, target and reason', async () => {
    await exporter.probe({ module: 'missing', target: device.address });
    const line = exporter.logs.find((l) => l.includes('msg="probe failed"') && l.includes('module=missing'));
    expect(line).toMatch(/level=info msg="probe failed" module=missing target=127\.0\.0\.1:\d+ reason=".*404"/);
  });
});

describe('mapping safety', () => {
  it('keeps the first of duplicate label sets and counts the rest', async () => {
    const res = await exporter.probe({ module: 'dupes', target: device.address });
    const s = parseSeries(res.text);
    expect(s.get('probe_success')).toBe(1);
    expect(s.get('dev_item{id="a"}')).toBe(1);
    expect(s.get('dev_item{id="b"}')).toBe(3);
    expect(s.get('probe_duplicate_series_dropped')).toBe(1);
  });

  it('follows relative links on the target and refuses links to other hosts or non-strings', async () => {
    const res = await exporter.probe({ module: 'links', target: device.address });
    const s = parseSeries(res.text);
    expect(s.get('dev_item_up{id="1"}')).toBe(1);
    expect(s.get('dev_item_up{id="2"}')).toBe(0);
    expect(s.has('dev_item_up{id="3"}')).toBe(false);
    expect(s.get('probe_success')).toBe(0);
    expect(s.get('probe_request_fetches{request="item"}')).toBe(2);
    const text = await debug('links');
    expect(text).toMatch(/link "http:\/\/192\.0\.2\.1\/item\/3" in GET \/links leaves the target/);
    expect(text).toMatch(/matched a number, not a link/);
    expect(device.hits.filter((h) => h === '/item/3')).toEqual([]);
  });

  it('stops at max_requests upstream requests per probe', async () => {
    const res = await exporter.probe({ module: 'capped', target: device.address });
    const s = parseSeries(res.text);
    expect(s.get('probe_success')).toBe(0);
    expect(s.get('probe_request_fetches{request="item"}')).toBe(2);
  });
});

describe('exposition format', () => {
  it('answers OpenMetrics when the client asks for it, as Prometheus does', async () => {
    const res = await exporter.probe({ module: 'default', target: device.address }, {
      accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    });
    expect(res.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(res.text.endsWith('# EOF\n')).toBe(true);
    expect(res.text).toContain('# TYPE dev_up gauge\ndev_up 1\n');
  });
  it('answers text 0.0.4 otherwise', async () => {
    const res = await exporter.probe({ module: 'default', target: device.address });
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).not.toContain('# EOF');
  });
});

describe('exporter endpoints', () => {
  it('gzips the answer when asked', async () => {
    const res = await fetch(`${exporter.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toMatch(/^# HELP /);
  });

  it('serves its own metrics', async () => {
    await exporter.probe({ module: 'default', target: device.address });
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    const s = parseSeries(text);
    expect(s.get('apiprobe_probes_total{module="default",result="success"}')).toBeGreaterThanOrEqual(1);
    expect(s.get('apiprobe_probes_total{module="missing",result="failure"}')).toBeGreaterThanOrEqual(1);
    expect(s.get('apiprobe_probe_duration_seconds_count{module="default"}')).toBeGreaterThanOrEqual(1);
    expect(s.has('apiprobe_upstream_requests_in_flight')).toBe(true);
    expect(s.has('apiprobe_upstream_queue_length')).toBe(true);
    expect([...s.keys()].some((k) => k.startsWith('apiprobe_build_info{version="0.1.0"'))).toBe(true);
    expect(s.has('process_cpu_seconds_total')).toBe(true);
    expect(s.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('drops idle per-target limiters', async () => {
    await Promise.all([1, 2, 3].map(() => exporter.probe({ module: 'default', target: device.address })));
    const limiters = async (): Promise<number | undefined> => parseSeries(await (await fetch(`${exporter.url}/metrics`)).text()).get('apiprobe_upstream_target_limiters');
    await eventually('the idle limiters to be dropped', async () => (await limiters()) === 0);
    const s = parseSeries(await (await fetch(`${exporter.url}/metrics`)).text());
    expect(s.get('apiprobe_upstream_target_limiters')).toBe(0);
    expect(s.get('apiprobe_upstream_queue_length')).toBe(0);
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${exporter.url}/-/healthy`)).status).toBe(200);
    const ready = await fetch(`${exporter.url}/-/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('Ready\n');
  });

  it('lists modules with their descriptions on the landing page', async () => {
    const res = await fetch(`${exporter.url}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<code>default</code></td><td>the module used when none is named</td>');
    expect(html).toContain('href="/metrics"');
  });

  it('answers 405 for other methods on /probe', async () => {
    const res = await fetch(`${exporter.url}/probe`, { method: 'POST' });
    expect(res.status).toBe(405);
  });
});
