// What the exporter keeps between probes stays bounded whatever devices answer and
// however many there are: the landing page's history, and per-origin auth state.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { digestAuth } from '../../src/auth/digest.js';
import { OriginState } from '../../src/auth/origin-state.js';
import { Secret } from '../../src/auth/secret.js';
import { SESSION_LIMITS, SessionAuth } from '../../src/auth/session.js';
import type { Answer, Outgoing, Send } from '../../src/fetch/credentials.js';
import type { SessionSpec } from '../../src/spec/schema.js';
import { Connections } from '../../src/fetch/connections.js';
import { Deadline } from '../../src/fetch/deadline.js';
import { TargetGuard } from '../../src/fetch/guard.js';
import { compileTransport } from '../../src/fetch/transport.js';
import { Upstream } from '../../src/fetch/upstream.js';
import type { ProbeObserver } from '../../src/probe/pipeline.js';
import { ProbeLog } from '../../src/probe/log.js';
import { History, logChars, MAX_REASON_CHARS } from '../../src/server/history.js';
import { ExporterMetrics } from '../../src/server/exporter-metrics.js';
import { recordIn } from '../../src/server/observers.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

type Probe = Parameters<ProbeObserver>[0];
type Result = Parameters<ProbeObserver>[1];

/** A failed probe's log as a hostile device makes it: long messages, and values cut from a large document. */
function hostileLog(n: number): ProbeLog {
  // Flat strings of their own, as a parser's or a URL's are (not the cons trees of
  // repeat()): a slice of the document refers to the whole of it.
  const flat = (length: number, fill: string): string => Buffer.alloc(length, fill).toString('latin1');
  const document = flat(1_000_000, `${n}<x>`);
  const log = new ProbeLog();
  log.fail(flat(200_000, `/off-origin/${n}`));
  for (let i = 0; i < 999; i++) log.add('debug', i % 2 ? flat(2_400, `link${n}-${i}/`) : document.slice(i * 3, i * 3 + 40));
  return log;
}

describe('the landing page history', () => {
  it('keeps a bounded copy of each probe: 60 failed probes with huge logs add a few MB, not hundreds', () => {
    const history = new History(50);
    const record = recordIn(history);
    const before = heapUsed();
    for (let n = 0; n < 60; n++) {
      const probe = { runs: [{ module: { name: 'hostile' }, auth: undefined }], target: `127.0.0.1:${n}` } as unknown as Probe;
      const log = hostileLog(n);
      record(probe, { success: false, durationSeconds: 1, log } as unknown as Result);
    }
    const grown = heapUsed() - before;
    // 50 entries of at most logChars(50) = 64 Ki characters of log and a 2 Ki reason:
    // under 10 MB even as two-byte strings. The whole logs were ~2.4 MB each (150 MB).
    expect(grown).toBeLessThan(16 * 1024 * 1024);
    const entries = history.entries();
    expect(entries).toHaveLength(50);
    for (const e of entries) {
      expect(e.log.length).toBeLessThanOrEqual(logChars(50) + 64);
      expect(e.reason!.length).toBeLessThanOrEqual(MAX_REASON_CHARS + 64);
    }
    expect(entries[0]!.log).toMatch(/more entries not shown|log cut at/);
  });

  it('gives each entry a smaller share as the limit grows: the logs together stay bounded', () => {
    for (const limit of [1, 50, 500, 5000]) expect(2 * limit * logChars(limit)).toBeLessThanOrEqual(Math.max(8 * 1024 * 1024, 2 * limit * 4096));
  });
});

describe('the history through the exporter', () => {
  let exporter: TestExporter;
  let device: http.Server;
  let port: number;

  beforeAll(async () => {
    device = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => device.listen(0, '127.0.0.1', r));
    port = (device.address() as AddressInfo).port;
    exporter = await startExporter({ configYaml: 'modules:\n  page: { target: { url: true }, requests: { s: {} }, metrics: [] }\n' });
  });

  afterAll(async () => {
    await exporter.close();
    await new Promise<void>((r) => device.close(() => r()));
  });

  it('serves a bounded /history/N page for a probe with a 12 KB target and reason', async () => {
    const target = `http://127.0.0.1:${port}/${'a'.repeat(12_000)}`;
    const r = await exporter.probe({ module: 'page', target });
    expect(r.text).toMatch(/^probe_success 0$/m);
    const landing = await (await fetch(`${exporter.url}/`)).text();
    const id = /href="\/history\/(\d+)"/.exec(landing)![1]!;
    const page = await (await fetch(`${exporter.url}/history/${id}`)).text();
    expect(page).toContain('unexpected HTTP status 500');
    expect(page).toContain('characters left out');
    // Target, reason and two log lines each held the whole 12 KB before.
    expect(page.length).toBeLessThan(8 * 1024);
    expect(landing.length).toBeLessThan(16 * 1024 + 8 * 1024);
  });
});

describe('per-origin state in a bounded, expiring cache', () => {
  it('keeps at most maxOrigins of 3,000 origins, counts the evictions and reports each one', () => {
    const left: string[] = [];
    const state = new OriginState<{ v: string }>({ maxOrigins: 100, maxChars: 1 << 20, ttlMs: 60_000 }, (x) => x.v.length, (_x, origin, why) => left.push(`${why} ${origin}`));
    for (let i = 0; i < 3000; i++) state.set(`http://10.0.${i >> 8}.${i & 255}:443`, { v: 'nonce' });
    expect(state.size).toBe(100);
    expect(state.evictions).toBe(2900);
    expect(left).toHaveLength(2900);
    expect(left[0]).toBe('evicted http://10.0.0.0:443');
    // The most recently used are the ones kept.
    expect(state.get('http://10.0.11.183:443')).toEqual({ v: 'nonce' });
  });

  it('keeps at most maxChars of what devices sent', () => {
    const state = new OriginState<{ v: string }>({ maxOrigins: 1000, maxChars: 100_000, ttlMs: 60_000 }, (x) => x.v.length);
    for (let i = 0; i < 300; i++) state.set(`http://h${i}`, { v: 'n'.repeat(10_000) });
    expect(state.size).toBeLessThanOrEqual(10);
    expect(state.evictions).toBeGreaterThanOrEqual(290);
  });

  it('lets entries go when their time is up, whether used again or not', async () => {
    const left: string[] = [];
    const state = new OriginState<{ v: string }>({ maxOrigins: 100, maxChars: 1 << 20, ttlMs: 50 }, (x) => x.v.length, (_x, origin, why) => left.push(`${why} ${origin}`));
    state.set('http://a', { v: 'x' });
    state.set('http://b', { v: 'y' });
    await vi.waitFor(() => expect(state.size).toBe(0), { timeout: 5000, interval: 20 });
    expect(left.sort()).toEqual(['expired http://a', 'expired http://b']);
    expect(state.evictions).toBe(0);
  });
});

describe('auth state of 3,000 distinct origins', () => {
  const answer = (status: number, headers: Answer['headers'] = {}): Answer => ({ ok: true, status, headers, body: Buffer.from('{}'), error: undefined });

  it('sessions: at most SESSION_LIMITS.maxOrigins held, the others logged out, evictions counted in /metrics', async () => {
    const spec = {
      login: { method: 'POST', path: '/login' },
      token: { header: 'x-auth-token' },
      use: { header: 'X-Auth-Token' },
      logout: { method: 'DELETE', path: '/logout' },
      ttl: 600,
    } as unknown as SessionSpec;
    const auth = new SessionAuth('fleet', undefined, undefined, spec, 'monitor', Secret.literal('pw'));
    const loggedOut: string[] = [];
    let tokens = 0;
    const send: Send = (req: Outgoing) => {
      if (req.method === 'DELETE') loggedOut.push(`${req.url.origin} ${req.headers['x-auth-token']}`);
      return Promise.resolve(answer(200, { 'x-auth-token': `t${++tokens}` }));
    };
    for (let i = 0; i < 3000; i++) await auth.apply({ method: 'GET', url: new URL(`http://10.1.${i >> 8}.${i & 255}/redfish/v1`), headers: {} }, send);
    const evicted = 3000 - SESSION_LIMITS.maxOrigins;
    expect(auth.active).toBe(SESSION_LIMITS.maxOrigins);
    await vi.waitFor(() => expect(loggedOut).toHaveLength(evicted), { timeout: 5000 });
    // The least recently used first, each with its own token.
    expect(loggedOut[0]).toBe('http://10.1.0.0 t1');
    const metrics = new ExporterMetrics(new Upstream({ maxConcurrency: 1, userAgent: 'test' }), () => [auth]);
    const series = parseSeries(await metrics.registry.metrics());
    expect(series.get('apiprobe_sessions_active')).toBe(SESSION_LIMITS.maxOrigins);
    expect(series.get('apiprobe_auth_state_evictions_total{kind="session"}')).toBe(evicted);
    await auth.close();
    expect(auth.active).toBe(0);
    expect(loggedOut).toHaveLength(3000);
  });

  it('digest: at most maxOrigins challenges kept, evictions counted in /metrics', async () => {
    const auth = { name: 'digest', kind: 'digest' as const, targets: undefined, transport: undefined, ...digestAuth('admin', Secret.literal('pw'), { maxOrigins: 200, maxChars: 1 << 20, ttlMs: 60_000 }) };
    const challenge = answer(401, { 'www-authenticate': `Digest realm="r", nonce="${'n'.repeat(64)}", qop="auth"` });
    const send: Send = () => Promise.resolve(answer(200));
    for (let i = 0; i < 3000; i++) {
      const creds = await auth.apply({ method: 'GET', url: new URL(`http://10.2.${i >> 8}.${i & 255}/`), headers: {} }, send);
      expect(await creds.renew(challenge)).toBe(true);
    }
    expect(auth.originState.size).toBe(200);
    const metrics = new ExporterMetrics(new Upstream({ maxConcurrency: 1, userAgent: 'test' }), () => [auth]);
    expect(parseSeries(await metrics.registry.metrics()).get('apiprobe_auth_state_evictions_total{kind="digest"}')).toBe(2800);
    // A device still kept is answered at once, without a 401 first.
    const kept = await auth.apply({ method: 'GET', url: new URL('http://10.2.11.183/'), headers: {} }, send);
    expect(kept.headers['authorization']).toMatch(/^Digest /);
  });
});

describe('login sessions through the exporter', () => {
  const devices: http.Server[] = [];
  const logouts: string[] = [];
  let exporter: TestExporter;

  beforeAll(async () => {
    for (let i = 0; i < 20; i++) {
      const server = http.createServer((req, res) => {
        if (req.url === '/login') {
          res.writeHead(200, { 'x-auth-token': `token-${i}` });
          return res.end();
        }
        if (req.url === '/logout') {
          logouts.push(String(req.headers['x-auth-token']));
          res.writeHead(204);
          return res.end();
        }
        res.writeHead(req.headers['x-auth-token'] === `token-${i}` ? 200 : 401, { 'content-type': 'application/json' });
        res.end('{"up":1}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      devices.push(server);
    }
    exporter = await startExporter({
      configYaml: `
auths:
  fleet:
    session:
      username: monitor
      password: pw
      login: { path: /login }
      token: { header: X-Auth-Token }
      use: { header: X-Auth-Token }
      logout: { path: /logout }
      ttl: 1s
modules:
  up: { auth: fleet, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
`,
    });
  });

  afterAll(async () => {
    await exporter.close();
    await Promise.all(devices.map((d) => new Promise<void>((r) => d.close(() => r()))));
  });

  it('logs out sessions whose time is up without another probe, and apiprobe_sessions_active goes back down', async () => {
    const ports = devices.map((d) => (d.address() as AddressInfo).port);
    const results = await Promise.all(ports.map((p) => exporter.probe({ module: 'up', target: `127.0.0.1:${p}` })));
    for (const r of results) expect(parseSeries(r.text).get('dev_up')).toBe(1);
    const active = async (): Promise<number | undefined> => parseSeries(await (await fetch(`${exporter.url}/metrics`)).text()).get('apiprobe_sessions_active');
    expect(await active()).toBe(20);
    await vi.waitFor(async () => expect(await active()).toBe(0), { timeout: 10_000, interval: 100 });
    await vi.waitFor(() => expect(logouts.sort()).toEqual(ports.map((_p, i) => `token-${i}`).sort()), { timeout: 10_000 });
  });
});

describe('a login answered with an oversized token', () => {
  it('fails, and the session the device opened is logged out', async () => {
    const spec = { login: { method: 'POST', path: '/login' }, token: { header: 'x-auth-token' }, use: { header: 'X-Auth-Token' }, logout: { method: 'DELETE', path: '/logout' }, ttl: 600 } as unknown as SessionSpec;
    const auth = new SessionAuth('big', undefined, undefined, spec, 'monitor', Secret.literal('pw'));
    const sent: string[] = [];
    const send: Send = (req: Outgoing) => {
      sent.push(`${req.method} ${req.url.pathname}`);
      return Promise.resolve({ ok: true, status: 200, headers: { 'x-auth-token': 't'.repeat(100_000) }, body: undefined, error: undefined });
    };
    await expect(auth.apply({ method: 'GET', url: new URL('http://10.3.0.1/'), headers: {} }, send)).rejects.toThrow(/token of 100000 characters/);
    await vi.waitFor(() => expect(sent).toEqual(['POST /login', 'DELETE /logout']), { timeout: 5000 });
    expect(auth.active).toBe(0);
  });
});

describe('sessions pushed out of the bound, over the network', () => {
  it('12 devices through a bound of 5: the 7 least recently probed are logged out by their devices', async () => {
    const devices: http.Server[] = [];
    const logouts: number[] = [];
    for (let i = 0; i < 12; i++) {
      const server = http.createServer((req, res) => {
        if (req.url === '/login') res.writeHead(200, { 'x-auth-token': `token-${i}` });
        else if (req.url === '/logout' && req.headers['x-auth-token'] === `token-${i}`) {
          logouts.push(i);
          res.writeHead(204);
        } else res.writeHead(req.headers['x-auth-token'] === `token-${i}` ? 200 : 401);
        res.end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      devices.push(server);
    }
    const spec = { login: { method: 'POST', path: '/login' }, token: { header: 'x-auth-token' }, use: { header: 'X-Auth-Token' }, logout: { method: 'DELETE', path: '/logout' }, ttl: 600 } as unknown as SessionSpec;
    const auth = new SessionAuth('fleet', undefined, undefined, spec, 'monitor', Secret.literal('pw'), { maxOrigins: 5, maxChars: 1 << 20 });
    const upstream = new Upstream({ maxConcurrency: 16, userAgent: 'test' });
    const connections = new Connections(new TargetGuard({ allow: [], deny: [] }));
    const transport = compileTransport(undefined, undefined, (p) => p);
    try {
      for (const d of devices) {
        const url = new URL(`http://127.0.0.1:${(d.address() as AddressInfo).port}/status`);
        const res = await upstream.fetch({
          request: 'r', url, method: 'GET', headers: {}, body: undefined, transport, connections, auth,
          maxBytes: 1 << 20, targetKey: url.host, targetConcurrency: 4, probeLimit: (fn) => fn(), signal: Deadline.after(5000), cacheSeconds: 0,
        });
        expect(res.status).toBe(200);
      }
      expect(auth.active).toBe(5);
      await vi.waitFor(() => expect([...logouts].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]), { timeout: 5000 });
      const metrics = new ExporterMetrics(upstream, () => [auth]);
      expect(parseSeries(await metrics.registry.metrics()).get('apiprobe_auth_state_evictions_total{kind="session"}')).toBe(7);
      await auth.close();
      expect([...logouts].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    } finally {
      await connections.close();
      for (const d of devices) d.closeAllConnections();
      await Promise.all(devices.map((d) => new Promise<void>((r) => d.close(() => r()))));
    }
  });
});
