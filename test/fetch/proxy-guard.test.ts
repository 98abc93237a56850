// Through a module's proxy_url the proxy makes the connection, so the guard cannot check
// the socket: every request is vetted before the CONNECT is sent instead. The proxy here
// records every CONNECT it is asked for; a refused request must leave it empty.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Connections } from '../../src/fetch/connections.js';
import { TargetGuard } from '../../src/fetch/guard.js';
import type { Transport } from '../../src/fetch/transport.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/proxy.js';
import { resolver } from '../helpers/resolver.js';

let proxy: ConnectProxy;
let device: http.Server;
let devicePort = 0;
let denied: net.Server;
let deniedPort = 0;
let deniedConnections = 0;
const open: Connections[] = [];

async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((r) => server.listen(0, host, r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  proxy = await startConnectProxy();
  device = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  devicePort = await listen(device);
  denied = net.createServer((s) => {
    deniedConnections++;
    s.destroy();
  });
  deniedPort = await listen(denied, '127.0.0.2');
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close(0)));
});

afterAll(async () => {
  await Promise.all([device, denied, proxy.server].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

function through(rules: { allow?: string[]; deny?: string[] }, answers: Record<string, string[]> = {}): (url: string) => Promise<number> {
  const connections = new Connections(new TargetGuard({ allow: rules.allow ?? [], deny: rules.deny ?? [] }, resolver(answers)));
  open.push(connections);
  const transport: Transport = { key: `proxied ${proxy.url}`, tls: { rejectUnauthorized: true }, proxyUrl: proxy.url, followRedirects: false, verify: { chain: 'unless_pinned', pins: [], firstUse: false } };
  return async (url) => {
    const res = await request(url, { dispatcher: connections.dispatcher(transport), signal: AbortSignal.timeout(5000) });
    await res.body.dump();
    return res.statusCode;
  };
}

describe('a request through proxy_url', () => {
  it('to an allowed device goes through the proxy', async () => {
    proxy.connects.length = 0;
    expect(await through({ deny: ['127.0.0.2/32'] })(`http://127.0.0.1:${devicePort}/`)).toBe(200);
    expect(proxy.connects).toEqual([`127.0.0.1:${devicePort}`]);
  });

  it.each([
    ['an address the rules deny', () => `http://127.0.0.2:${deniedPort}/`, /target 127\.0\.0\.2 refused by targets\.deny\[0\] \(127\.0\.0\.2\/32\)/],
    ['a cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', /refused by default deny 169\.254\.0\.0\/16/],
    ['the metadata address in an IPv6 spelling', () => 'http://[::ffff:169.254.169.254]/', /refused by default deny 169\.254\.0\.0\/16/],
    ['a name that resolves to a denied address', () => `http://rebound.example:${deniedPort}/`, /target rebound\.example \(127\.0\.0\.2\) refused by targets\.deny\[0\]/],
    ['a name the rules deny', () => 'http://metadata.google.internal/', /refused by default deny metadata\.google\.internal/],
  ])('to %s is refused before the proxy is asked', async (_what, url, message) => {
    proxy.connects.length = 0;
    deniedConnections = 0;
    await expect(through({ deny: ['127.0.0.2/32'] }, { 'rebound.example': ['127.0.0.2'] })(url())).rejects.toThrow(message);
    expect(proxy.connects).toEqual([]);
    expect(deniedConnections).toBe(0);
  });

  it('to a name the exporter cannot resolve goes to the proxy, which may resolve it', async () => {
    proxy.connects.length = 0;
    // The test's resolver knows no names; the proxy resolves localhost from /etc/hosts.
    expect(await through({})(`http://localhost:${devicePort}/`)).toBe(200);
    expect(proxy.connects).toEqual([`localhost:${devicePort}`]);
  });

  it('with targets.allow, a name it cannot resolve must match a host pattern there', async () => {
    proxy.connects.length = 0;
    const get = through({ allow: ['127.0.0.0/8', 'local*'] });
    await expect(get('http://unknown.example/')).rejects.toThrow(/target unknown\.example cannot be resolved here.*targets\.allow/);
    expect(proxy.connects).toEqual([]);
    expect(await get(`http://localhost:${devicePort}/`)).toBe(200);
    expect(proxy.connects).toEqual([`localhost:${devicePort}`]);
  });
});
