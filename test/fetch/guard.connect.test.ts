// The guard where connections are made: a target or a redirect naming an unspecified
// address is refused before anything connects (on Linux 0.0.0.0 reaches the local host).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connections } from '../../src/fetch/connections.js';
import { Deadline } from '../../src/fetch/deadline.js';
import { TargetGuard } from '../../src/fetch/guard.js';
import type { Transport } from '../../src/fetch/transport.js';
import { Upstream, type FetchSpec } from '../../src/fetch/upstream.js';

const transport: Transport = { key: 'guard-connect', tls: { rejectUnauthorized: true }, proxyUrl: undefined, followRedirects: true, verify: { chain: 'unless_pinned', pins: [], firstUse: false } };

function spec(url: string, connections: Connections): FetchSpec {
  const u = new URL(url);
  return {
    request: 'r',
    url: u,
    method: 'GET',
    headers: {},
    body: undefined,
    transport,
    connections,
    auth: undefined,
    maxBytes: 1 << 20,
    targetKey: u.host,
    targetConcurrency: 4,
    probeLimit: (fn) => fn(),
    signal: Deadline.after(5000),
    cacheSeconds: 0,
  };
}

let local: http.Server;
let localPort = 0;
let connections = 0;
let redirector: http.Server;
let redirectorPort = 0;
let upstream: Upstream;
let denyLoopback: Connections;

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  // The "local service" the unspecified address would reach: it counts connections.
  local = http.createServer((_req, res) => res.end('{"secret":true}'));
  local.on('connection', () => connections++);
  localPort = await listen(local);
  redirector = http.createServer((req, res) => {
    res.writeHead(302, { location: `http://${req.url!.slice(1)}:${localPort}/` }).end();
  });
  redirectorPort = await listen(redirector);
  upstream = new Upstream({ maxConcurrency: 8, userAgent: 'test' });
  denyLoopback = new Connections(new TargetGuard({ allow: [], deny: ['127.0.0.0/8', '::1/128'] }));
});

afterAll(async () => {
  await denyLoopback.close();
  await Promise.all([local, redirector].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe('unspecified addresses at connect time', () => {
  it('connects to no unspecified address given as the target, however it is written', async () => {
    for (const host of ['0.0.0.0', '0', '[::ffff:0.0.0.0]', '[::]']) {
      const before = connections;
      const res = await upstream.fetch(spec(`http://${host}:${localPort}/`, denyLoopback));
      expect(res.ok, host).toBe(false);
      expect(res.error, host).toMatch(/refused by targets\.deny\[[01]\] \(.*\): .* means this host/);
      expect(connections - before, host).toBe(0);
    }
  });

  it('follows no redirect to http://0.0.0.0:PORT (nor its other spellings)', async () => {
    // The default rules: the redirector on 127.0.0.1 may be reached, 0.0.0.0/8 may not.
    const defaults = new Connections(new TargetGuard({ allow: [], deny: [] }));
    try {
      for (const to of ['0.0.0.0', '0', '0x0.0', '[::ffff:0:0]']) {
        const before = connections;
        const res = await upstream.fetch(spec(`http://127.0.0.1:${redirectorPort}/${to}`, defaults));
        expect(res.ok, to).toBe(false);
        expect(res.status, to).toBe(302);
        expect(res.error, to).toMatch(new RegExp(`^redirect to http://(0\\.0\\.0\\.0|\\[::ffff:0:0\\]):${localPort} refused: target .* refused by default deny 0\\.0\\.0\\.0/8 \\(this host`));
        expect(connections - before, to).toBe(0);
      }
    } finally {
      await defaults.close();
    }
  });
});
