// Answers are shared only between probes that asked the same thing: requests that
// differ in their body do not share a fetch or a cached answer, and each probe holds a
// shared answer to its own limits (max_response_bytes).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Auth } from '../../src/fetch/credentials.js';
import { requestKey, type FetchSpec } from '../../src/fetch/upstream.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';

let exporter: TestExporter;
let device: http.Server;
let target: string;
/** Requests the device received, as `path body`. */
const received: string[] = [];
/** Answers held back until the test lets them go (so that probes overlap for sure). */
let held: Array<() => void> = [];
let holding = false;

const BIG = JSON.stringify({ n: 7, pad: 'x'.repeat(100 * 1024) });

beforeAll(async () => {
  device = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(`${req.url} ${body}`);
      const answer = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (req.url === '/big') res.end(BIG);
        // The answer depends on the query in the body, as Elasticsearch's does.
        else res.end(JSON.stringify({ n: (JSON.parse(body || '{}') as { n?: number }).n ?? 0 }));
      };
      if (holding) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => device.listen(0, '127.0.0.1', r));
  target = `127.0.0.1:${(device.address() as AddressInfo).port}`;
  const search = (n: number, ttl: string): string =>
    `{ requests: { s: { path: /search, body: '{"n":${n}}', headers: { content-type: application/json }${ttl ? `, cache_ttl: ${ttl}` : ''} } }, metrics: [{ name: dev_n, from: s, value: '$.n' }] }`;
  exporter = await startExporter({
    configYaml: `
modules:
  query_one: ${search(1, '')}
  query_two: ${search(2, '')}
  cached_one: ${search(1, '1m')}
  cached_two: ${search(2, '1m')}
  small: { max_response_bytes: 100, requests: { s: { path: /big } }, metrics: [{ name: dev_n, from: s, value: '$.n' }] }
  large: { requests: { s: { path: /big } }, metrics: [{ name: dev_n, from: s, value: '$.n' }] }
  small_cached: { max_response_bytes: 100, requests: { s: { path: /big, cache_ttl: 1m } }, metrics: [{ name: dev_n, from: s, value: '$.n' }] }
  large_cached: { requests: { s: { path: /big, cache_ttl: 1m } }, metrics: [{ name: dev_n, from: s, value: '$.n' }] }
`,
  });
});

afterAll(async () => {
  await exporter.close();
  device.closeAllConnections();
  await new Promise<void>((r) => device.close(() => r()));
});

async function coalesced(): Promise<number> {
  return parseSeries(await (await fetch(`${exporter.url}/metrics`)).text()).get('apiprobe_upstream_coalesced_total') ?? 0;
}

/**
 * Runs `first`, and `second` once the device holds the first's request: the second
 * either joins the first (the coalesced count grows) or asks the device itself. Then
 * the device answers both.
 */
async function overlapping(first: Record<string, string>, second: Record<string, string>): Promise<[string, string]> {
  received.length = 0;
  held = [];
  holding = true;
  const before = await coalesced();
  const a = exporter.probe(first);
  await vi.waitFor(() => expect(received.length).toBe(1), { timeout: 5000 });
  const b = exporter.probe(second);
  await vi.waitFor(async () => expect(received.length === 2 || (await coalesced()) > before).toBe(true), { timeout: 5000 });
  holding = false;
  for (const answer of held) answer();
  const [ra, rb] = await Promise.all([a, b]);
  return [ra.text, rb.text];
}

describe('requests that differ in their body', () => {
  it('do not share a fetch in flight: each probe gets the answer to its own body', async () => {
    const [one, two] = await overlapping({ module: 'query_one', target }, { module: 'query_two', target });
    expect(parseSeries(one).get('dev_n')).toBe(1);
    expect(parseSeries(two).get('dev_n')).toBe(2);
    expect(received.sort()).toEqual(['/search {"n":1}', '/search {"n":2}']);
  });

  it('do not share a cached answer', async () => {
    received.length = 0;
    const one = parseSeries((await exporter.probe({ module: 'cached_one', target })).text);
    const two = parseSeries((await exporter.probe({ module: 'cached_two', target })).text);
    expect(one.get('dev_n')).toBe(1);
    expect(two.get('dev_n')).toBe(2);
    expect(two.get('probe_request_cached_fetches{request="s"}')).toBe(0);
    // The same body again is served from the cache.
    const again = parseSeries((await exporter.probe({ module: 'cached_two', target })).text);
    expect(again.get('dev_n')).toBe(2);
    expect(again.get('probe_request_cached_fetches{request="s"}')).toBe(1);
    expect(received).toEqual(['/search {"n":1}', '/search {"n":2}']);
  });

  it('still share a fetch when everything is the same', async () => {
    const before = await coalesced();
    const [a, b] = await overlapping({ module: 'query_one', target }, { module: 'query_one', target });
    expect(parseSeries(a).get('dev_n')).toBe(1);
    expect(parseSeries(b).get('dev_n')).toBe(1);
    expect(received).toHaveLength(1);
    expect(await coalesced()).toBe(before + 1);
  });
});

describe('a shared answer is held to each probe\'s own limits', () => {
  it('a module with max_response_bytes 100 fails on a 100 KB answer fetched for another module', async () => {
    const [large, small] = await overlapping({ module: 'large', target, debug: 'true' }, { module: 'small', target, debug: 'true' });
    expect(large).toMatch(/^probe_success 1$/m);
    expect(small).toMatch(/^probe_success 0$/m);
    expect(small).toMatch(/exceeds the limit of 100 bytes/);
  });

  it('a module with a larger limit does not take the failure of one with a smaller limit', async () => {
    const [small, large] = await overlapping({ module: 'small', target, debug: 'true' }, { module: 'large', target, debug: 'true' });
    expect(small).toMatch(/^probe_success 0$/m);
    expect(large).toMatch(/^probe_success 1$/m);
    expect(parseSeries(large).get('dev_n')).toBe(7);
  });

  it('a cached answer larger than the probe\'s limit fails that probe', async () => {
    received.length = 0;
    const large = await exporter.probe({ module: 'large_cached', target });
    expect(parseSeries(large.text).get('probe_success')).toBe(1);
    const small = await exporter.probe({ module: 'small_cached', target, debug: 'true' });
    expect(small.text).toMatch(/^probe_success 0$/m);
    expect(small.text).toMatch(/exceeds the limit of 100 bytes/);
    expect(received).toHaveLength(1);
  });
});

describe('the request key', () => {
  const auth = { name: 'a' } as Auth;
  const base = (): FetchSpec => ({
    request: 's', url: new URL('http://127.0.0.1:1/search'), method: 'GET', headers: { accept: 'application/json' }, body: '{"n":1}',
    transport: { key: 't1' }, redirectTransport: undefined, connections: { id: 1 }, auth: undefined, maxBytes: 100, cacheSeconds: 0,
  } as unknown as FetchSpec);
  const variants: Record<string, (s: FetchSpec) => void> = {
    method: (s) => (s.method = 'HEAD'),
    url: (s) => (s.url = new URL('http://127.0.0.1:1/search?x')),
    headers: (s) => (s.headers = { accept: 'text/plain' }),
    body: (s) => (s.body = '{"n":2}'),
    'no body': (s) => (s.body = undefined),
    auth: (s) => (s.auth = auth),
    'another auth of the same name': (s) => (s.auth = { name: 'a' } as Auth),
    transport: (s) => (s.transport = { ...s.transport, key: 't2' }),
    'redirect transport': (s) => (s.redirectTransport = { ...s.transport, key: 't3' }),
    generation: (s) => (s.connections = { id: 2 } as FetchSpec['connections']),
  };

  it('differs when any part of the request differs, and only then', () => {
    const keys = new Map<string, string>([['base', requestKey(base())]]);
    for (const [name, change] of Object.entries(variants)) {
      const s = base();
      change(s);
      keys.set(name, requestKey(s));
    }
    expect(new Set(keys.values()).size).toBe(keys.size);
    const same = base();
    same.maxBytes = 5;
    same.headers = { accept: 'application/json' };
    expect(requestKey(same)).toBe(keys.get('base'));
  });

  it('keeps a large body as a digest, and still tells bodies apart', () => {
    fc.assert(fc.property(fc.string({ minLength: 600, maxLength: 5000 }), fc.string({ minLength: 1, maxLength: 3 }), (body, extra) => {
      const a = base();
      a.body = body;
      const b = base();
      b.body = body + extra;
      const ka = requestKey(a);
      expect(ka.length).toBeLessThanOrEqual(512);
      expect(requestKey(b)).not.toBe(ka);
    }), { numRuns: 50 });
  });
});
