// Credentials never follow a redirect to another origin: whatever header an auth adds
// (an API key under any name, a bearer token, basic credentials), and whatever header of
// the module's own looks like a secret. Checked on real servers on loopback: the device
// redirects, another origin (another port, another loopback address) records every
// request it receives, and must never see a secret; the same origin must still get it.
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAuth } from '../../src/auth/registry.js';
import type { Auth } from '../../src/fetch/credentials.js';
import type { AuthSpec } from '../../src/spec/schema.js';
import { Connections } from '../../src/fetch/connections.js';
import { Deadline } from '../../src/fetch/deadline.js';
import { TargetGuard } from '../../src/fetch/guard.js';
import { compileTransport, mergeTransport } from '../../src/fetch/transport.js';
import { Upstream, type FetchResult } from '../../src/fetch/upstream.js';
import { requireProgram } from '../helpers/system.js';
import { selfSigned } from '../helpers/tls.js';

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Origin {
  server: http.Server;
  origin: string;
  seen: Seen[];
}

/** Redirects /hop?status=S&to=URL to URL with status S; answers anything else with JSON. */
async function origin(host: string): Promise<Origin> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body });
      const u = new URL(req.url!, 'http://x');
      if (u.pathname === '/hop') {
        res.writeHead(Number(u.searchParams.get('status')), { location: u.searchParams.get('to')! });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":1}');
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}`, seen };
}

const openssl = requireProgram('openssl', 'apt-get install -y openssl');

let a: Origin;
let otherPort: Origin;
let otherHost: Origin;
const upstream = new Upstream({ maxConcurrency: 16, userAgent: 'test' });
const connections = new Connections(new TargetGuard({ allow: [], deny: [] }));
const transport = compileTransport(undefined, undefined, (p) => p, true);

beforeAll(async () => {
  [a, otherPort, otherHost] = await Promise.all([origin('127.0.0.1'), origin('127.0.0.1'), origin('127.0.0.2')]);
});

afterAll(async () => {
  await connections.close();
  await Promise.all([a, otherPort, otherHost].map((o) => new Promise((r) => o.server.close(r))));
});

function authOf(spec: AuthSpec): Auth {
  const problems: string[] = [];
  const auth = compileAuth('device', spec, (p) => p, (_p, m) => problems.push(m));
  if (!auth) throw new Error(problems.join('; '));
  return auth;
}

async function fetchVia(url: string, auth: Auth | undefined, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<FetchResult> {
  const signal = Deadline.after(5000);
  return upstream.fetch({
    request: 'r',
    url: new URL(url),
    method,
    headers,
    body,
    transport,
    connections,
    auth,
    maxBytes: 1 << 20,
    targetKey: new URL(url).host,
    targetConcurrency: 4,
    probeLimit: (fn) => fn(),
    signal,
    cacheSeconds: 0,
  });
}

/** A chain of redirects through `hops` (origins), ending at /end on the last one; the URL to start at. */
function chain(hops: Array<{ at: Origin; status: number }>, end: Origin): string {
  let next = `${end.origin}/end`;
  for (let i = hops.length - 1; i >= 0; i--) {
    const h = hops[i]!;
    next = `${h.at.origin}/hop?status=${h.status}&to=${encodeURIComponent(next)}`;
  }
  return next;
}

const everything = (o: Origin): string => JSON.stringify(o.seen);

describe('credentials on redirects', () => {
  it('an API key header does not follow a redirect to another host, and stays on the same origin', async () => {
    const auth = authOf({ api_key: { header: 'X-Device-Key', value: 'key-3f9a2c71e0' }, targets: ['127.0.0.1'] });
    otherHost.seen.length = 0;
    a.seen.length = 0;
    const res = await fetchVia(chain([{ at: a, status: 302 }, { at: a, status: 307 }], otherHost), auth, { 'x-api-version': '2', 'x-auth-token': 'module-secret-81c2' });
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    // Both hops on the device's own origin carried the key.
    expect(a.seen.map((s) => s.headers['x-device-key'])).toEqual(['key-3f9a2c71e0', 'key-3f9a2c71e0']);
    expect(otherHost.seen).toHaveLength(1);
    expect(otherHost.seen[0]!.headers['x-device-key']).toBeUndefined();
    expect(otherHost.seen[0]!.headers['x-auth-token']).toBeUndefined();
    expect(otherHost.seen[0]!.headers['x-api-version']).toBe('2');
    expect(everything(otherHost)).not.toContain('key-3f9a2c71e0');
  });

  it('a login does not follow a redirect to another origin with the password in its body', async () => {
    const to = `${otherPort.origin}/steal`;
    const auth = authOf({
      session: {
        username: 'monitor',
        password: 'pw-77d1e5a0b9',
        login: { method: 'POST', path: `/hop?status=307&to=${encodeURIComponent(to)}`, json: { UserName: '{username}', Password: '{password}' } },
        token: { header: 'X-Auth-Token' },
        use: { header: 'X-Auth-Token' },
        ttl: 600,
      },
    });
    otherPort.seen.length = 0;
    const res = await fetchVia(`${a.origin}/status`, auth);
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/^auth device: login to \/hop failed: redirect to http:\/\/127\.0\.0\.1:\d+ refused: a request of auth device carries credentials and stays on http:\/\/127\.0\.0\.1:\d+$/);
    expect(otherPort.seen).toEqual([]);
    await auth.close();
  });

  it('property: no header an auth adds, and no secret-looking header, ever reaches another origin', async () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/).map((s) => `S3cr3t${s}`);
    const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/).filter((h) => !['host', 'connection', 'content-length', 'transfer-encoding', 'user-agent', 'accept', 'location', 'keep-alive', 'te', 'upgrade', 'expect'].includes(h.toLowerCase()));
    const authSpec = fc.oneof(
      fc.record({ name: headerName, value: secret }).map(({ name, value }) => ({ spec: { api_key: { header: name, value } }, value })),
      secret.map((value) => ({ spec: { bearer: { token: value } }, value })),
      fc.record({ user: fc.stringMatching(/^[a-z]{1,8}$/), value: secret }).map(({ user, value }) => ({ spec: { basic: { username: user, password: value } }, value: Buffer.from(`${user}:${value}`).toString('base64') })),
    );
    const moduleSecretHeader = fc.constantFrom('Authorization', 'Cookie', 'X-Auth-Token', 'X-API-Key', 'Proxy-Authorization', 'X-Session-Id', 'X-Secret', 'Api-Password');
    const status = fc.constantFrom(301, 302, 303, 307, 308);
    await fc.assert(
      fc.asyncProperty(authSpec, moduleSecretHeader, secret, fc.array(status, { minLength: 0, maxLength: 2 }), status, fc.constantFrom('otherPort', 'otherHost'), fc.constantFrom('GET', 'POST'),
        async (auth, moduleHeader, moduleSecret, sameOriginHops, crossStatus, where, method) => {
          const away = where === 'otherPort' ? otherPort : otherHost;
          for (const o of [a, away]) o.seen.length = 0;
          const hops = [...sameOriginHops.map((s) => ({ at: a, status: s })), { at: a, status: crossStatus }];
          const compiled = authOf(auth.spec);
          const res = await fetchVia(chain(hops, away), compiled, { [moduleHeader.toLowerCase()]: moduleSecret, 'x-plain': 'visible' }, method, method === 'POST' ? '{}' : undefined);
          expect(res.error).toBeUndefined();
          // The device's own origin got the credentials on every hop …
          expect(a.seen).toHaveLength(hops.length);
          for (const s of a.seen) expect(JSON.stringify(s.headers)).toContain(auth.value);
          // … the other origin never saw them, nor the module's secret-looking header.
          expect(away.seen).toHaveLength(1);
          expect(everything(away)).not.toContain(auth.value);
          expect(everything(away)).not.toContain(moduleSecret);
          expect(away.seen[0]!.headers['x-plain']).toBe('visible');
        }),
      { numRuns: 40 },
    );
  });
});

describe('credentials beyond headers', () => {
  it('are not sent at all where the auth\'s targets do not allow, checked at the fetch itself', async () => {
    const auth = authOf({ bearer: { token: 'tok-5be0c2' }, targets: ['127.0.0.2/32'] });
    a.seen.length = 0;
    const res = await fetchVia(`${a.origin}/status`, auth);
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/^auth device may not be sent to 127\.0\.0\.1:\d+ \(not in auths\.device\.targets\)$/);
    expect(a.seen).toEqual([]);
  });

  it('a client certificate is presented to the device, not to the origin it redirects to', async (ctx) => {
    openssl.skipIfMissing(ctx);
    const [serverCert, clientCert] = await Promise.all([selfSigned(), selfSigned('apiprobe-client')]);
    const peers: Record<string, string | undefined> = {};
    const tlsOrigin = async (name: string, handler: http.RequestListener): Promise<https.Server> => {
      const server = https.createServer({ cert: serverCert.cert, key: serverCert.key, requestCert: true, rejectUnauthorized: false }, (req, res) => {
        const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
        peers[name] = Array.isArray(cn) ? cn.join(',') : cn;
        handler(req, res);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return server;
    };
    const b = await tlsOrigin('b', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const bUrl = `https://127.0.0.1:${(b.address() as AddressInfo).port}/end`;
    const device = await tlsOrigin('device', (_req, res) => res.writeHead(302, { location: bUrl }).end());
    try {
      const auth = authOf({ tls: { cert_file: clientCert.certFile, key_file: clientCert.keyFile, insecure_skip_verify: false } });
      const moduleTransport = compileTransport({ insecure_skip_verify: true }, undefined, (p) => p, true);
      const withCert = mergeTransport(moduleTransport, auth.transport);
      const url = new URL(`https://127.0.0.1:${(device.address() as AddressInfo).port}/status`);
      const res = await upstream.fetch({
        request: 'r', url, method: 'GET', headers: {}, body: undefined, transport: withCert, redirectTransport: moduleTransport, connections, auth,
        maxBytes: 1 << 20, targetKey: url.host, targetConcurrency: 4, probeLimit: (fn) => fn(), signal: Deadline.after(5000), cacheSeconds: 0,
      });
      expect(res.error).toBeUndefined();
      expect(res.status).toBe(200);
      expect(peers).toEqual({ device: 'apiprobe-client', b: undefined });
    } finally {
      for (const s of [b, device]) s.closeAllConnections();
      await Promise.all([b, device].map((s) => new Promise((r) => s.close(r))));
    }
  });
});
