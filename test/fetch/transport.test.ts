// TLS, proxies, target rules, limits, coalescing and caching, through the exporter
// against real servers on loopback.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';
import { requireProgram } from '../helpers/system.js';
import { selfSigned, type SelfSigned } from '../helpers/tls.js';
import { startConnectProxy } from '../helpers/proxy.js';

const openssl = requireProgram('openssl', 'apt-get install -y openssl');

let tls: SelfSigned;
let tlsServer: https.Server;
let tlsPort: number;
let client: SelfSigned;
let mtlsServer: https.Server;
let mtlsPort: number;
let device: RunningDevice;
const hits = { slow: 0, hang: 0, posts: [] as string[] };
let proxy: http.Server;
let proxyPort: number;
let proxied: string[] = [];
let exporter: TestExporter;
let connectionsToRefused = 0;
let refusedServer: net.Server;

async function listen(server: net.Server | http.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((r) => server.listen(0, host, r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  if (openssl.skipReason) return;
  tls = await selfSigned();
  tlsServer = https.createServer({ cert: tls.cert, key: tls.key }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"up":1}');
  });
  tlsPort = await listen(tlsServer);
  // A device that requires a client certificate (its own self-signed one is the CA).
  client = await selfSigned('apiprobe-client');
  mtlsServer = https.createServer({ cert: tls.cert, key: tls.key, ca: client.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ up: 1, cn: peer.subject?.CN }));
  });
  mtlsPort = await listen(mtlsServer);
  device = await startDevice({
    name: 'transport',
    routes: {
      '/slow': (_req, res) => {
        hits.slow++;
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`{"n":${hits.slow}}`);
        }, 300);
      },
      '/hang': () => {
        hits.hang++;
      },
      '/huge': (_req, res) => {
        // 100 MiB announced and streamed: the exporter must stop reading at its limit.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1 << 20, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent < 100 && res.write(chunk)) sent++;
          if (sent >= 100) res.end();
          else res.once('drain', pump);
        };
        res.on('close', () => (sent = 100));
        pump();
      },
      '/api': (req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          hits.posts.push(`${req.method} ${req.url} ${body}`);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"ok":true}');
        });
      },
    },
  });
  // A CONNECT proxy that records where it is asked to go.
  const connectProxy = await startConnectProxy();
  proxy = connectProxy.server;
  proxied = connectProxy.connects;
  proxyPort = connectProxy.port;
  refusedServer = net.createServer((s) => {
    connectionsToRefused++;
    s.destroy();
  });
  await listen(refusedServer, '127.0.0.2');

  exporter = await startExporter({
    configYaml: `
targets:
  deny: [127.0.0.2/32]
auths:
  client_cert: { tls: { cert_file: ${client.certFile}, key_file: ${client.keyFile} } }
modules:
  mtls: { target: { scheme: https }, tls: { ca_file: ${tls.certFile} }, requests: { s: { path: /s } }, metrics: [{ name: dev_up, from: s, value: '$.up', labels: { cn: '$.cn' } }] }
  status_201: { requests: { s: { path: /api, method: POST, valid_status_codes: [201] } }, metrics: [] }
  verify: { target: { scheme: https }, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  with_ca: { target: { scheme: https }, tls: { ca_file: ${tls.certFile} }, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  insecure: { target: { scheme: https }, tls: { insecure_skip_verify: true }, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  slow: { requests: { s: { path: /slow } }, metrics: [{ name: dev_n, from: s, value: '$.n' }] }
  cached: { requests: { s: { path: /slow, cache_ttl: 1m } }, metrics: [{ name: dev_n, from: s, value: '$.n' }] }
  huge: { requests: { s: { path: /huge } }, metrics: [] }
  hang: { requests: { s: { path: /hang } }, metrics: [] }
  proxied: { proxy_url: 'http://127.0.0.1:${proxyPort}', requests: { s: { path: /api } }, metrics: [] }
  fgt:
    params: { vdom: root, scope: null }
    requests:
      s: { path: '/api', method: POST, query: { vdom: '{vdom}' }, body: '{"scope":"{scope}"}', headers: { content-type: application/json } }
    metrics: [{ name: dev_ok, from: s, value: '$.ok', labels: { vdom: '{vdom}' } }]
`,
  });
});

afterAll(async () => {
  if (openssl.skipReason) return;
  await exporter.close();
  await device.close();
  await Promise.all([tlsServer, mtlsServer, proxy, refusedServer].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe('TLS', () => {
  it('refuses a self-signed device by default, naming the certificate problem', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const r = await exporter.probe({ module: 'verify', target: `127.0.0.1:${tlsPort}`, debug: 'true' });
    expect(parseSeries(r.text.slice(r.text.indexOf('Metrics'))).get('probe_success')).toBe(0);
    expect(r.text).toMatch(/self-signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i);
  });
  it('trusts it with its CA file', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const s = parseSeries((await exporter.probe({ module: 'with_ca', target: `127.0.0.1:${tlsPort}` })).text);
    expect(s.get('dev_up')).toBe(1);
  });
  it('accepts it with insecure_skip_verify', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const s = parseSeries((await exporter.probe({ module: 'insecure', target: `127.0.0.1:${tlsPort}` })).text);
    expect(s.get('dev_up')).toBe(1);
  });
});

describe('client certificates', () => {
  it('presents the auth\'s client certificate to a device that requires one', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const without = await exporter.probe({ module: 'mtls', target: `127.0.0.1:${mtlsPort}` });
    expect(parseSeries(without.text).get('probe_success')).toBe(0);
    const s = parseSeries((await exporter.probe({ module: 'mtls', target: `127.0.0.1:${mtlsPort}`, auth: 'client_cert' })).text);
    expect(s.get('dev_up{cn="apiprobe-client"}')).toBe(1);
  });
});

describe('status codes', () => {
  it('judges the answer by valid_status_codes', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const s = parseSeries((await exporter.probe({ module: 'status_201', target: device.address })).text);
    expect(s.get('probe_http_status_code{request="s"}')).toBe(200);
    expect(s.get('probe_request_success{request="s"}')).toBe(0);
    expect(s.get('probe_success')).toBe(0);
  });
});

describe('target rules', () => {
  it('answers 400 naming the rule and opens no connection to a denied target', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const r = await exporter.probe({ module: 'slow', target: `127.0.0.2:${(refusedServer.address() as AddressInfo).port}` });
    expect(r.status).toBe(400);
    expect(r.text).toBe('target 127.0.0.2 refused by targets.deny[0] (127.0.0.2/32)\n');
    expect(connectionsToRefused).toBe(0);
  });
  it('refuses the metadata address by default', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const r = await exporter.probe({ module: 'slow', target: '169.254.169.254' });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^target 169\.254\.169\.254 refused by default deny 169\.254\.0\.0\/16/);
  });
});

describe('limits', () => {
  it('stops reading a 100 MiB answer at 16 MiB and fails the probe, memory bounded', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const before = process.memoryUsage().rss;
    const r = await exporter.probe({ module: 'huge', target: device.address, debug: 'true' });
    expect(r.text).toMatch(/response exceeds the limit of 16777216 bytes/);
    expect(parseSeries(r.text.slice(r.text.indexOf('Metrics'))).get('probe_success')).toBe(0);
    expect(process.memoryUsage().rss - before).toBeLessThan(80 * 1024 * 1024);
  });
});

describe('coalescing and caching', () => {
  it('makes one upstream request for two identical probes at the same moment', async (ctx) => {
    openssl.skipIfMissing(ctx);
    hits.slow = 0;
    const [a, b] = await Promise.all([1, 2].map(() => exporter.probe({ module: 'slow', target: device.address })));
    expect(hits.slow).toBe(1);
    expect(parseSeries(a!.text).get('dev_n')).toBe(1);
    expect(parseSeries(b!.text).get('dev_n')).toBe(1);
    expect(parseSeries(await (await fetch(`${exporter.url}/metrics`)).text()).get('apiprobe_upstream_coalesced_total')).toBeGreaterThanOrEqual(1);
  });
  it('asks a hanging device again on every scrape: a later probe does not join an old request', async (ctx) => {
    openssl.skipIfMissing(ctx);
    hits.hang = 0;
    // Each probe may take 2 s; the next one starts 1.3 s later, while the previous one still
    // waits. The pause is the scenario, not a wait for something: past upstream.ts's
    // coalescing window (1 s) a probe asks the device itself.
    const probes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 3; i++) {
      probes.push(exporter.probe({ module: 'hang', target: device.address }, { 'X-Prometheus-Scrape-Timeout-Seconds': '2.5' }));
      await new Promise((r) => setTimeout(r, 1300));
    }
    await Promise.all(probes);
    expect(hits.hang).toBe(3);
  });

  it('serves a cache_ttl request from the cache and says so', async (ctx) => {
    openssl.skipIfMissing(ctx);
    hits.slow = 0;
    const first = parseSeries((await exporter.probe({ module: 'cached', target: device.address })).text);
    const second = parseSeries((await exporter.probe({ module: 'cached', target: device.address })).text);
    expect(hits.slow).toBe(1);
    expect(first.get('probe_request_cached_fetches{request="s"}')).toBe(0);
    expect(second.get('probe_request_cached_fetches{request="s"}')).toBe(1);
    expect(second.get('dev_n')).toBe(1);
    expect(parseSeries(await (await fetch(`${exporter.url}/metrics`)).text()).get('apiprobe_cache_hits_total')).toBeGreaterThanOrEqual(1);
  });
});

describe('transport', () => {
  it('goes through the configured proxy', async (ctx) => {
    openssl.skipIfMissing(ctx);
    proxied.length = 0;
    const s = parseSeries((await exporter.probe({ module: 'proxied', target: device.address })).text);
    expect(s.get('probe_success')).toBe(1);
    expect(proxied).toEqual([device.address]);
  });
  it('fills path, query and body templates from declared probe parameters only', async (ctx) => {
    openssl.skipIfMissing(ctx);
    hits.posts = [];
    const r = await exporter.probe({ module: 'fgt', target: device.address, scope: 'global', vdom: 'dmz', other: 'x' });
    expect(parseSeries(r.text).get('dev_ok{vdom="dmz"}')).toBe(1);
    expect(hits.posts).toEqual(['POST /api?vdom=dmz {"scope":"global"}']);
    const missing = await exporter.probe({ module: 'fgt', target: device.address });
    expect(missing.status).toBe(400);
    expect(missing.text).toBe('parameter "scope" is required by module fgt\n');
  });
});
