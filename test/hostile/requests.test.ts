// Requests stay where the module put them, whatever the caller of /probe sends: a
// parameter value is data in the place it lands (a path segment, a query value, a JSON
// string), never structure (another host, another segment, another JSON field), and a
// constrained parameter outside its rule is a 400 before anything is sent. Real servers
// on loopback; a second server and an address the rules deny stand for "elsewhere".
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startExporter, type TestExporter } from '../helpers/exporter.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/proxy.js';

interface Seen {
  method: string;
  url: string;
  body: string;
}

let device: http.Server;
let devicePort = 0;
let seen: Seen[] = [];
let other: http.Server;
let otherPort = 0;
let otherHits = 0;
let denied: net.Server;
let deniedPort = 0;
let deniedConnections = 0;
let proxy: ConnectProxy;
let exporter: TestExporter;

async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((r) => server.listen(0, host, r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  device = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  devicePort = await listen(device);
  other = http.createServer((_req, res) => {
    otherHits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"quietingDown":false,"jobs":[]}');
  });
  otherPort = await listen(other);
  denied = net.createServer((s) => {
    deniedConnections++;
    s.destroy();
  });
  deniedPort = await listen(denied, '127.0.0.2');
  proxy = await startConnectProxy();
  exporter = await startExporter({
    configYaml: `
include: ['${path.join(ROOT, 'modules/jenkins.yml')}']
targets: { deny: [127.0.0.2/32] }
modules:
  prefixed_proxy:
    proxy_url: '${proxy.url}'
    params: { prefix: '' }
    requests: { s: { path: '/{prefix}api/json' } }
  search:
    params: { q: null }
    requests: { s: { path: /search, method: POST, headers: { content-type: application/json }, body: '{"q":"{q}","size":1}' } }
  site:
    params: { site: null }
    requests: { s: { path: '/api/s/{site}/stat' } }
  finder:
    params: { q: null }
    requests: { s: { path: '/find?name={q}&x=1' } }
  constrained:
    params:
      mode: { enum: [fast, full], default: fast }
      site: { pattern: '[a-z0-9-]{1,32}' }
    requests: { s: { path: '/c/{site}/{mode}' } }
`,
  });
});

afterAll(async () => {
  await exporter.close();
  await Promise.all([device, other, denied, proxy.server].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

const target = (): string => `127.0.0.1:${devicePort}`;

async function sent(module: string, query: Record<string, string>): Promise<{ status: number; text: string; requests: Seen[] }> {
  seen = [];
  const r = await exporter.probe({ module, target: target(), ...query });
  return { status: r.status, text: r.text, requests: seen };
}

describe('the shipped jenkins module', () => {
  it('does not follow a prefix to another host', async () => {
    otherHits = 0;
    const r = await sent('jenkins', { prefix: `/127.0.0.1:${otherPort}/` });
    expect(otherHits).toBe(0);
    expect(r.requests).toEqual([]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(`parameter "prefix" of module jenkins: "/127.0.0.1:${otherPort}/" does not match the pattern ([A-Za-z0-9._~-]+/)*\n`);
  });

  it.each(['../', 'a/../', '%2e%2e/', 'a//'])('refuses a prefix %j that would leave the path, sending nothing', async (prefix) => {
    const r = await sent('jenkins', { prefix });
    expect(r.requests).toEqual([]);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^parameter "prefix" of module jenkins: .* (would make a "\.\." path segment|does not match the pattern)/);
  });

  it('still takes a context path as its prefix', async () => {
    const r = await sent('jenkins', { prefix: 'ci/jenkins/' });
    expect(r.requests.map((s) => s.url).sort()).toEqual(['/ci/jenkins/api/json', '/ci/jenkins/computer/api/json', '/ci/jenkins/queue/api/json']);
  });
});

describe('a parameter in a path', () => {
  it.each(['../', '../../admin', '%2F', '%2e%2e', '?', '#', '\\', 'a/b', 'ünï cødé ☃', 'a\r\nb', 'x:y@z', '//evil.example'])('%j is one path segment', async (value) => {
    const r = await sent('site', { site: value });
    expect(r.requests).toHaveLength(1);
    const url = r.requests[0]!.url;
    const segments = url.split('/');
    expect(segments).toHaveLength(5);
    expect([segments[0], segments[1], segments[2], segments[4]]).toEqual(['', 'api', 's', 'stat']);
    expect(decodeURIComponent(segments[3]!)).toBe(value);
    expect(new URL(url, 'http://device').search).toBe('');
  });

  it.each(['..', '.'])('%j, a segment that moves up the path, is a 400 and nothing is sent', async (value) => {
    const r = await sent('site', { site: value });
    expect(r.requests).toEqual([]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(`parameter "site" of module site: "${value}" would make a "${value}" path segment (up the path); not sent\n`);
  });

  it('after the "?" of a path is one query value', async () => {
    const r = await sent('finder', { q: 'a&x=2#f ü+' });
    const url = new URL(r.requests[0]!.url, 'http://device');
    expect(url.searchParams.get('name')).toBe('a&x=2#f ü+');
    expect(url.searchParams.getAll('x')).toEqual(['1']);
  });

  it('through a proxy_url never reaches a denied address', async () => {
    proxy.connects.length = 0;
    deniedConnections = 0;
    const r = await sent('prefixed_proxy', { prefix: `/127.0.0.2:${deniedPort}/` });
    expect(deniedConnections).toBe(0);
    expect(proxy.connects).toEqual([target()]);
    expect(r.requests.map((s) => s.url)).toEqual([`/%2F127.0.0.2%3A${deniedPort}%2Fapi/json`]);
  });
});

describe('a parameter in a JSON body', () => {
  it('stays inside its string', async () => {
    const r = await sent('search', { q: 'x","q":"injected' });
    expect(r.requests).toHaveLength(1);
    expect(JSON.parse(r.requests[0]!.body)).toEqual({ q: 'x","q":"injected', size: 1 });
  });
});

describe('constrained parameters', () => {
  it('pass when they follow their rule', async () => {
    const r = await sent('constrained', { site: 'hq-1', mode: 'full' });
    expect(r.requests.map((s) => s.url)).toEqual(['/c/hq-1/full']);
  });

  it.each([
    [{ site: 'hq', mode: 'slow' }, 'parameter "mode" of module constrained: "slow" is not one of: "fast", "full"'],
    [{ site: '../x' }, 'parameter "site" of module constrained: "../x" does not match the pattern [a-z0-9-]{1,32}'],
    [{ site: 'a'.repeat(33) }, `parameter "site" of module constrained: "${'a'.repeat(33)}" does not match the pattern [a-z0-9-]{1,32}`],
    [{ site: 'hq\nx' }, 'parameter "site" of module constrained: "hq\\nx" does not match the pattern [a-z0-9-]{1,32}'],
  ])('%j is a 400 naming the parameter and the rule, and nothing is sent', async (query, message) => {
    const r = await sent('constrained', query);
    expect(r.requests).toEqual([]);
    expect(r.status).toBe(400);
    expect(r.text).toBe(`${message}\n`);
  });

  it('a required one without a default is still required', async () => {
    const r = await sent('constrained', {});
    expect(r.status).toBe(400);
    expect(r.text).toBe('parameter "site" is required by module constrained\n');
  });
});

describe('any parameter value (property)', () => {
  it('keeps the fetched URL on the target, as one path segment, and a JSON body parses with the value in its string', async () => {
    // Strings of every kind: ASCII with URL and JSON syntax, and any Unicode (not lone surrogates).
    const syntax = fc.constantFrom('/', '\\', '?', '#', '%', '.', '..', '"', "'", ':', '@', '&', '=', '+', ' ', '\r', '\n', '\t', '\0', '{', '}', '%2F', '%2e');
    const value = fc.array(fc.oneof(syntax, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), { maxLength: 6 }).map((parts) => parts.join(''))
      .filter((v) => v !== '.' && v !== '..' && !/\p{Cs}/u.test(v));
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const r = await sent('site', { site: v });
        expect(r.requests).toHaveLength(1);
        const segments = r.requests[0]!.url.split('/');
        expect(segments.length).toBe(5);
        expect(decodeURIComponent(segments[3]!)).toBe(v);
        const b = await sent('search', { q: v });
        expect(JSON.parse(b.requests[0]!.body)).toEqual({ q: v, size: 1 });
      }),
      { numRuns: 60 },
    );
  });
});
