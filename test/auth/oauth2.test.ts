// OAuth 2.0 client credentials end to end: a real token endpoint and a real device on
// loopback, probed through the exporter. The device accepts only tokens the endpoint
// issued, until they expire or are revoked. The client secret and every token issued
// are checked, at the end, to appear nowhere in what the exporter logged or served.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuth2Auth } from '../../src/auth/oauth2.js';
import { Secret } from '../../src/auth/secret.js';
import { AuthError, type Answer, type Outgoing } from '../../src/fetch/credentials.js';
import { ConfigError, formatProblem } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { compileTransport } from '../../src/fetch/transport.js';
import { parseSeries, startExporter, writeTempFiles, type TestExporter } from '../helpers/exporter.js';
import { checkMetrics, promtool } from '../helpers/promtool.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/proxy.js';
import { eventually } from '../helpers/wait.js';

// Characters that the Basic header must carry form-encoded (RFC 6749 §2.3.1).
const SECRET = `cs-${randomBytes(8).toString('hex')}/+=`;
const ROTATED = `rotated-${randomBytes(8).toString('hex')}`;
const CLIENT_ID = 'probe client';
const formEncoded = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');

interface TokenRequest {
  path: string;
  query: string;
  at: number;
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
  /** The client credentials, from the Basic header or the form. */
  client: { id: string; secret: string; in: 'header' | 'body' } | undefined;
  /** The token issued, if one was. */
  token?: string;
}

const issued = new Map<string, { expires: number | undefined; auth: string }>();
const tokenRequests: TokenRequest[] = [];
const deviceSeen: Array<{ path: string; authorization: string | undefined; status: number }> = [];
const served: string[] = [];

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function clientOf(req: http.IncomingMessage, form: URLSearchParams): TokenRequest['client'] {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id = '', secret = ''] = Buffer.from(basic[1]!, 'base64').toString().split(':');
    const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: decode(id), secret: decode(secret), in: 'header' };
  }
  if (form.has('client_id')) return { id: form.get('client_id')!, secret: form.get('client_secret') ?? '', in: 'body' };
  return undefined;
}

let currentSecret = SECRET;

// The token endpoint. The path picks its behaviour; the form's `lifetime` (an
// endpoint_param) its tokens' expires_in.
async function startTokenEndpoint(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://idp');
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const seen: TokenRequest = { path: url.pathname, query: url.search, at: Date.now(), headers: req.headers, form, client: clientOf(req, form) };
      tokenRequests.push(seen);
      const issue = (extra: Record<string, unknown> = {}): void => {
        const token = `tok-${randomBytes(12).toString('hex')}`;
        const lifetime = form.get('lifetime');
        issued.set(token, { expires: lifetime ? Date.now() + Number(lifetime) * 1000 : undefined, auth: form.get('auth') ?? '' });
        seen.token = token;
        json(res, 200, { access_token: token, token_type: 'bearer', ...(lifetime ? { expires_in: Number(lifetime) } : {}), ...extra });
      };
      const authorised = seen.client?.id === CLIENT_ID && seen.client.secret === currentSecret;
      switch (url.pathname) {
        case '/oauth/token':
          if (!authorised) return json(res, 401, { error: 'invalid_client', error_description: `client ${seen.client?.secret ?? ''} is unknown` });
          if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
          return setTimeout(() => issue(), Number(form.get('delay') ?? 0));
        case '/body-only/token':
          if (seen.client?.in !== 'body') return json(res, 401, { error: 'invalid_client' });
          return authorised ? issue() : json(res, 401, { error: 'invalid_client' });
        case '/fail/500':
          return json(res, 500, 'upstream database unavailable', { 'content-type': 'text/html' });
        case '/fail/not-json':
          return json(res, 200, '<html>login</html>', { 'content-type': 'text/html' });
        case '/fail/no-token':
          return json(res, 200, { token_type: 'bearer', expires_in: 60 });
        case '/fail/mac':
          return json(res, 200, { access_token: `tok-mac-${randomBytes(6).toString('hex')}`, token_type: 'mac', expires_in: 60 });
        case '/fail/huge': {
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(256 * 1024, 0x20);
          for (let i = 0; i < 8; i++) res.write(chunk);
          return res.end('{}');
        }
        case '/fail/hang':
          return; // never answers
        case '/fail/echo':
          return json(res, 400, { error: 'invalid_request', error_description: `bad secret ${seen.client?.secret ?? ''}` });
        default:
          return json(res, 404, { error: 'not_found' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let revokedBefore = 0;

// The device: accepts a token the endpoint issued, until it expires or is revoked.
async function startDevice(): Promise<{ server: http.Server; address: string }> {
  const server = http.createServer((req, res) => {
    const authorization = req.headers.authorization;
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    const t = token ? issued.get(token) : undefined;
    const path = new URL(req.url!, 'http://device').pathname;
    const valid = t !== undefined && (t.expires === undefined || Date.now() < t.expires) && !(revoked.has(token!));
    const status = path === '/refuses-all' ? 401 : valid ? 200 : 401;
    deviceSeen.push({ path, authorization, status });
    if (status === 401) return json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    setTimeout(() => json(res, 200, { up: 1 }), 10);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const revoked = new Set<string>();
function revokeAll(): void {
  for (const t of issued.keys()) revoked.add(t);
  revokedBefore = deviceSeen.length;
}

let idp: { server: http.Server; url: string };
let device: { server: http.Server; address: string };
let proxy: ConnectProxy;
let exporter: TestExporter;
let dir: string;

const requestsOf = (auth: string): TokenRequest[] => tokenRequests.filter((r) => r.form.get('auth') === auth);

beforeAll(async () => {
  idp = await startTokenEndpoint();
  device = await startDevice();
  proxy = await startConnectProxy();
  dir = await writeTempFiles({ 'client.secret': `${SECRET}\n` });
  const oauth2 = (auth: string, tokenPath: string, extra = ''): string =>
    `{ oauth2: { client_id: '${CLIENT_ID}', client_secret_file: ${path.join(dir, 'client.secret')}, token_url: '${idp.url}${tokenPath}', endpoint_params: { auth: ${auth}${extra} } } }`;
  exporter = await startExporter({
    configYaml: `
auths:
  idp:
    oauth2:
      client_id: '${CLIENT_ID}'
      client_secret_file: ${path.join(dir, 'client.secret')}
      token_url: '${idp.url}/oauth/token?tenant=t1'
      scopes: [metrics.read, devices.read]
      endpoint_params: { auth: idp, audience: 'https://devices.example' }
  shared: ${oauth2('shared', '/oauth/token', ', delay: "300"')}
  short: ${oauth2('short', '/oauth/token', ', lifetime: "4"')}
  revoked: ${oauth2('revoked', '/oauth/token')}
  body_only: ${oauth2('body_only', '/body-only/token')}
  fail_500: ${oauth2('fail_500', '/fail/500')}
  fail_not_json: ${oauth2('fail_not_json', '/fail/not-json')}
  fail_no_token: ${oauth2('fail_no_token', '/fail/no-token')}
  fail_mac: ${oauth2('fail_mac', '/fail/mac')}
  fail_huge: ${oauth2('fail_huge', '/fail/huge')}
  fail_hang: ${oauth2('fail_hang', '/fail/hang')}
  fail_echo: ${oauth2('fail_echo', '/fail/echo')}
  fail_refused: ${oauth2('fail_refused', '/oauth/token')}
  via_proxy:
    oauth2: { client_id: '${CLIENT_ID}', client_secret: '${SECRET}', token_url: '${idp.url}/oauth/token', endpoint_params: { auth: via_proxy }, proxy_url: '${proxy.url}' }
modules:
  status: { auth: idp, timeout: 1500ms, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  five:
    timeout: 3s
    params: { n: null }
    requests:
      a: { path: /a, query: { n: '{n}' } }
      b: { path: /b, query: { n: '{n}' } }
      c: { path: /c, query: { n: '{n}' } }
      d: { path: /d, query: { n: '{n}' } }
      e: { path: /e, query: { n: '{n}' } }
    metrics: [{ name: dev_up, from: a, value: '$.up' }]
  refuses_all: { requests: { s: { path: /refuses-all } }, metrics: [] }
`,
  });
});

let closed = false;
afterAll(async () => {
  if (!closed) await exporter.close();
  await Promise.all([idp, device, proxy].map(({ server }) => new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  })));
});

async function probe(query: Record<string, string>): Promise<{ series: Map<string, number>; debug: string }> {
  const res = await exporter.probe(query);
  served.push(res.text);
  const debug = await exporter.probe({ ...query, debug: 'true' });
  served.push(debug.text);
  return { series: parseSeries(res.text), debug: debug.text };
}

describe('oauth2 client credentials', () => {
  it('asks the token endpoint as Prometheus does and sends the token to the device as a Bearer token', async () => {
    const r = await exporter.probe({ module: 'status', target: device.address });
    served.push(r.text);
    expect(parseSeries(r.text).get('dev_up')).toBe(1);
    const reqs = requestsOf('idp');
    expect(reqs).toHaveLength(1);
    const [t] = reqs;
    expect(t!.path).toBe('/oauth/token');
    expect(t!.query).toBe('?tenant=t1');
    expect(t!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(t!.headers['accept']).toBe('application/json');
    // The client credentials in the Basic header, each form-encoded first; not in the form.
    expect(t!.headers.authorization).toBe(`Basic ${Buffer.from(`${formEncoded(CLIENT_ID)}:${formEncoded(SECRET)}`).toString('base64')}`);
    expect(t!.client).toEqual({ id: CLIENT_ID, secret: SECRET, in: 'header' });
    expect([...t!.form.keys()].sort()).toEqual(['audience', 'auth', 'grant_type', 'scope']);
    expect(t!.form.get('grant_type')).toBe('client_credentials');
    expect(t!.form.get('scope')).toBe('metrics.read devices.read');
    expect(t!.form.get('audience')).toBe('https://devices.example');
    expect(deviceSeen.at(-1)).toEqual({ path: '/status', authorization: `Bearer ${t!.token}`, status: 200 });
  });

  it('reuses the token across probes, and shows the auth by name and kind in debug output', async () => {
    const r = await probe({ module: 'status', target: device.address });
    expect(r.series.get('dev_up')).toBe(1);
    expect(r.debug).toContain('Auth: idp (oauth2)');
    expect(requestsOf('idp')).toHaveLength(1);
  });

  it('makes one token request for many concurrent probes and requests', async () => {
    // The endpoint takes 300 ms to answer: every probe asks for the token while it is being fetched.
    // Each probe's own n: no two requests are the same, so none joins another (coalescing).
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => exporter.probe({ module: 'five', target: device.address, auth: 'shared', n: String(n) })));
    for (const r of results) {
      served.push(r.text);
      expect(parseSeries(r.text).get('probe_success')).toBe(1);
    }
    expect(requestsOf('shared')).toHaveLength(1);
    const token = requestsOf('shared')[0]!.token;
    expect(deviceSeen.filter((s) => s.authorization === `Bearer ${token}`)).toHaveLength(100);
  });

  it('fetches a new token before the old one expires, and never sends an expired one', async () => {
    // Tokens of 4 s (renewed from 3.6 s, not sent from 3.8 s on); a probe every 150 ms for 4.6 s.
    const started = Date.now();
    const before = deviceSeen.length;
    let probes = 0;
    while (Date.now() - started < 4600) {
      const r = await exporter.probe({ module: 'status', target: device.address, auth: 'short' });
      served.push(r.text);
      expect(parseSeries(r.text).get('probe_success')).toBe(1);
      probes++;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(probes).toBeGreaterThan(12);
    const reqs = requestsOf('short');
    expect(reqs.length).toBeGreaterThanOrEqual(2);
    expect(reqs.length).toBeLessThanOrEqual(3);
    // The second token was asked for while the first was still valid.
    expect(reqs[1]!.at).toBeLessThan(issued.get(reqs[0]!.token!)!.expires!);
    // No request was refused: no expired token reached the device.
    expect(deviceSeen.slice(before).filter((s) => s.status !== 200)).toEqual([]);
  });

  it('fetches one new token when the device answers 401, and sends the request again', async () => {
    const warm = await exporter.probe({ module: 'status', target: device.address, auth: 'revoked' });
    expect(parseSeries(warm.text).get('dev_up')).toBe(1);
    expect(requestsOf('revoked')).toHaveLength(1);
    revokeAll();
    const r = await probe({ module: 'status', target: device.address, auth: 'revoked' });
    expect(r.series.get('dev_up')).toBe(1);
    expect(requestsOf('revoked')).toHaveLength(2);
    // The device saw the revoked token once, then the new one (and the debug twin used it at once).
    expect(deviceSeen.slice(revokedBefore).map((s) => s.status)).toEqual([401, 200, 200]);
    // Ten concurrent probes refused at once share one new token.
    revokeAll();
    const all = await Promise.all(Array.from({ length: 10 }, () => exporter.probe({ module: 'status', target: device.address, auth: 'revoked' })));
    for (const a of all) expect(parseSeries(a.text).get('dev_up')).toBe(1);
    expect(requestsOf('revoked')).toHaveLength(3);
  });

  it('a device refusing every token costs one token request per probe, never a loop', async () => {
    const before = requestsOf('revoked').length;
    for (let i = 0; i < 3; i++) {
      const r = await probe({ module: 'refuses_all', target: device.address, auth: 'revoked' });
      expect(r.series.get('probe_http_status_code{request="s"}')).toBe(401);
      expect(r.series.get('probe_success')).toBe(0);
    }
    // Three probes and their three debug twins: six refusals, six new tokens.
    expect(requestsOf('revoked').length - before).toBe(6);
  });

  it('sends the client credentials in the form when the endpoint refuses the Basic header, and keeps to that', async () => {
    const r = await probe({ module: 'status', target: device.address, auth: 'body_only' });
    expect(r.series.get('dev_up')).toBe(1);
    const reqs = requestsOf('body_only');
    expect(reqs.map((q) => q.client?.in)).toEqual(['header', 'body']);
    expect(reqs[1]!.headers.authorization).toBeUndefined();
    expect(reqs[1]!.form.get('client_secret')).toBe(SECRET);
    revokeAll();
    expect((await probe({ module: 'status', target: device.address, auth: 'body_only' })).series.get('dev_up')).toBe(1);
    expect(requestsOf('body_only').map((q) => q.client?.in)).toEqual(['header', 'body', 'body']);
  });

  it('asks the token endpoint through proxy_url, and the device directly', async () => {
    const r = await probe({ module: 'status', target: device.address, auth: 'via_proxy' });
    expect(r.series.get('dev_up')).toBe(1);
    expect(requestsOf('via_proxy')).toHaveLength(1);
    expect(proxy.connects).toEqual([new URL(idp.url).host]);
  });

  it('fetches a new token with the new secret when the secret file changes', async () => {
    const before = requestsOf('idp').length;
    currentSecret = ROTATED;
    await writeFile(path.join(dir, 'client.secret'), `${ROTATED}\n`);
    const r = await probe({ module: 'status', target: device.address });
    expect(r.series.get('dev_up')).toBe(1);
    const reqs = requestsOf('idp').slice(before);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.client?.secret).toBe(ROTATED);
    currentSecret = SECRET;
    await writeFile(path.join(dir, 'client.secret'), `${SECRET}\n`);
  });

  it.each([
    ['fail_500', /auth fail_500: token request to http:\/\/127\.0\.0\.1:\d+\/fail\/500 failed: HTTP status 500$/m],
    ['fail_not_json', /auth fail_not_json: the token endpoint http:\/\/127\.0\.0\.1:\d+\/fail\/not-json answered with a body that is not a JSON object \(HTTP status 200\)$/m],
    ['fail_no_token', /auth fail_no_token: the token endpoint http:\/\/127\.0\.0\.1:\d+\/fail\/no-token answered without an access_token$/m],
    ['fail_mac', /auth fail_mac: the token endpoint http:\/\/127\.0\.0\.1:\d+\/fail\/mac gave a token of type "mac"; only Bearer tokens are supported$/m],
    ['fail_huge', /auth fail_huge: the token endpoint http:\/\/127\.0\.0\.1:\d+\/fail\/huge answered more than 1048576 bytes \(HTTP status 200\)$/m],
    ['fail_hang', /auth fail_hang: no answer from the token endpoint http:\/\/127\.0\.0\.1:\d+\/fail\/hang before the probe's deadline$/m],
    ['fail_echo', /auth fail_echo: the token endpoint http:\/\/127\.0\.0\.1:\d+\/fail\/echo refused the request: invalid_request \("bad secret <secret>"\) \(HTTP status 400\)$/m],
  ])('%s: the probe fails with the reason, and the device is not asked', async (auth, reason) => {
    const before = deviceSeen.length;
    const started = Date.now();
    const r = await probe({ module: 'status', target: device.address, auth });
    expect(r.series.get('probe_success')).toBe(0);
    expect(r.debug).toMatch(reason);
    expect(deviceSeen.length).toBe(before);
    // Bounded by the probe's deadline (1.5 s, twice: the probe and its debug twin).
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a refused client is tried in the form too, then fails naming the OAuth error', async () => {
    currentSecret = 'not-what-apiprobe-has';
    const r = await probe({ module: 'status', target: device.address, auth: 'fail_refused' });
    currentSecret = SECRET;
    expect(r.series.get('probe_success')).toBe(0);
    expect(r.debug).toMatch(/auth fail_refused: the token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth\/token refused the request: invalid_client \("client <secret> is unknown"\) \(HTTP status 401\)$/m);
    // Header, then form, for the probe; the same for its debug twin (no way has worked yet).
    expect(requestsOf('fail_refused').map((q) => q.client?.in)).toEqual(['header', 'body', 'header', 'body']);
  });

  it('counts token requests in /metrics, promtool-clean', async () => {
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    served.push(text);
    const m = parseSeries(text);
    expect(m.get('apiprobe_oauth2_token_requests_total{auth="idp",result="success"}')).toBe(requestsOf('idp').length);
    expect(m.get('apiprobe_oauth2_token_requests_total{auth="shared",result="success"}')).toBe(1);
    expect(m.get('apiprobe_oauth2_token_requests_total{auth="fail_500",result="failure"}')).toBe(2);
    // Two requests each time (header, then form), counted as one fetch.
    expect(m.get('apiprobe_oauth2_token_requests_total{auth="body_only",result="success"}')).toBe(2);
    expect(m.get('apiprobe_oauth2_token_requests_total{auth="fail_refused",result="failure"}')).toBe(2);
    if (!promtool.skipReason) {
      const lint = await checkMetrics(text);
      expect(lint.lines).toEqual([]);
    }
  });

  it('the client secret and the tokens appear nowhere in what the exporter logged or served', async () => {
    const all = [...served, ...exporter.logs, await (await fetch(`${exporter.url}/`)).text()].join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(exporter.logs.some((l) => l.includes('probe failed') && l.includes('token'))).toBe(true);
    for (const secret of [SECRET, formEncoded(SECRET), ROTATED]) expect(all.includes(secret), `secret ${secret} leaked`).toBe(false);
    expect(issued.size).toBeGreaterThan(5);
    for (const token of issued.keys()) expect(all.includes(token), 'a token leaked').toBe(false);
    expect(all).not.toContain('tok-mac-');
  });

  it('refuses to fetch tokens once closed (a reload, a shutdown)', async () => {
    await exporter.close();
    closed = true;
    const auth = exporter.config.auths.get('idp') as OAuth2Auth;
    const err = await auth.apply({ method: 'GET', url: new URL(`http://${device.address}/status`), headers: {} }, () => Promise.resolve({} as Answer)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
  });
});

// The refresh policy with a clock of the test's own (the token endpoint is real).
describe('token lifetime', () => {
  const at = { now: 1_000_000 };
  const req: Outgoing = { method: 'GET', url: new URL('http://device.example/'), headers: {} };
  const send = (): Promise<Answer> => Promise.resolve({} as Answer);
  const make = (auth: string, tokenPath = '/oauth/token', extra: Record<string, string> = {}, timeoutMs?: number): OAuth2Auth =>
    new OAuth2Auth(auth, undefined, undefined, {
      clientId: CLIENT_ID,
      clientSecret: Secret.literal(SECRET),
      tokenUrl: new URL(`${idp.url}${tokenPath}`),
      scopes: [],
      endpointParams: { auth, ...extra },
      tokenTransport: compileTransport(undefined, undefined, (p) => p),
      now: () => at.now,
      timeoutMs,
    });
  const bearer = async (a: OAuth2Auth): Promise<string> => (await a.apply(req, send)).headers['authorization']!;
  /** Until `a` has finished `n` token fetches (a background one included). */
  const settle = (a: OAuth2Auth, n: number): Promise<void> =>
    eventually(`${n} token fetches`, () => a.counters.tokens.ok + a.counters.tokens.failed >= n, { interval: 10 });

  it('is reused until min(60 s, 10%) before its end, renewed in the background from then, and not sent in the last half of that', async () => {
    const a = make('clock', '/oauth/token', { lifetime: '100' });
    try {
      const t1 = await bearer(a);
      at.now += 89_000;
      expect(await bearer(a)).toBe(t1);
      expect(requestsOf('clock')).toHaveLength(1);
      // 10 s before the end: the old token still goes out while a new one is fetched.
      at.now += 2_000;
      expect(await bearer(a)).toBe(t1);
      await settle(a, 2);
      const t2 = await bearer(a);
      expect(t2).not.toBe(t1);
      expect(requestsOf('clock')).toHaveLength(2);
      // Within the last 5 s of t2 (fetched at 91 s, so from 186 s on): wait for a new one.
      at.now += 95_500;
      const t3 = await bearer(a);
      expect(t3).not.toBe(t2);
      expect(requestsOf('clock')).toHaveLength(3);
    } finally {
      await a.close();
    }
  });

  it('without expires_in, is kept until a device refuses it', async () => {
    const a = make('forever');
    try {
      const creds = await a.apply(req, send);
      at.now += 365 * 86_400_000;
      expect((await a.apply(req, send)).headers).toEqual(creds.headers);
      expect(requestsOf('forever')).toHaveLength(1);
      expect(await creds.renew({ ok: true, status: 403, headers: {}, body: undefined, error: undefined })).toBe(false);
      expect(await creds.renew({ ok: true, status: 401, headers: {}, body: undefined, error: undefined })).toBe(true);
      expect(requestsOf('forever')).toHaveLength(2);
      expect((await a.apply(req, send)).headers).not.toEqual(creds.headers);
    } finally {
      await a.close();
    }
  });

  it('a failed renewal keeps the old token and waits 5 s before trying again', async () => {
    // 200 s: renewed from 180 s, sent until 190 s.
    const a = make('flaky', '/oauth/token', { lifetime: '200' });
    try {
      const t1 = await bearer(a);
      currentSecret = 'the endpoint now refuses';
      at.now += 182_000;
      expect(await bearer(a)).toBe(t1);
      await settle(a, 2);
      expect(a.counters.tokens).toEqual({ ok: 1, failed: 1 });
      expect(await bearer(a)).toBe(t1);
      // A retry would have been started by that call: one more request to the endpoint,
      // start to end, and it would have arrived.
      await fetch(`${idp.url}/`).then((r) => r.arrayBuffer());
      expect(requestsOf('flaky')).toHaveLength(2);
      at.now += 5_000;
      currentSecret = SECRET;
      expect(await bearer(a)).toBe(t1);
      await settle(a, 3);
      expect(await bearer(a)).not.toBe(t1);
      expect(a.counters.tokens).toEqual({ ok: 2, failed: 1 });
    } finally {
      currentSecret = SECRET;
      await a.close();
    }
  });

  it('a token request is given up after its timeout', async () => {
    const a = make('slow', '/fail/hang', {}, 300);
    try {
      const started = Date.now();
      const err = await a.apply(req, send).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as Error).message).toMatch(/^no answer from the token endpoint http:\/\/127\.0\.0\.1:\d+\/fail\/hang within 0\.3 s$/);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(a.counters.tokens).toEqual({ ok: 0, failed: 1 });
    } finally {
      await a.close();
    }
  });
});

describe('oauth2 configuration problems', () => {
  it('are located at file:line', async () => {
    const d = await writeTempFiles({
      'apiprobe.yml': `auths:
  ftp:
    oauth2: { client_id: c, client_secret: s, token_url: 'ftp://idp.example/token' }
  userinfo:
    oauth2: { client_id: c, client_secret: s, token_url: 'https://c:s@idp.example/token' }
  not_a_url:
    oauth2: { client_id: c, client_secret: s, token_url: 'idp.example/token' }
  both:
    oauth2:
      client_id: c
      client_secret: s
      client_secret_file: secret.txt
      token_url: https://idp.example/token
  none:
    oauth2: { client_id: c, token_url: https://idp.example/token }
  scope_twice:
    oauth2:
      client_id: c
      client_secret: s
      token_url: https://idp.example/token
      scopes: [a]
      endpoint_params: { scope: b }
  two_kinds:
    basic: { username: u, password: p }
    oauth2: { client_id: c, client_secret: s, token_url: https://idp.example/token }
  bad_tls:
    oauth2:
      client_id: c
      client_secret: s
      token_url: https://idp.example/token
      tls: { ca: 'not PEM' }
`,
    });
    const err = await loadConfig(path.join(d, 'apiprobe.yml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map(formatProblem).map((l) => l.slice(d.length + 1))).toEqual([
      'apiprobe.yml:3:58 auths.ftp.oauth2.token_url: token_url must be an http:// or https:// URL, not ftp:',
      'apiprobe.yml:5:58 auths.userinfo.oauth2.token_url: token_url may not hold credentials: give client_id and client_secret',
      'apiprobe.yml:7:58 auths.not_a_url.oauth2.token_url: "idp.example/token" is not a URL',
      'apiprobe.yml:12:27 auths.both.oauth2.client_secret_file: give client_secret or client_secret_file, not both',
      'apiprobe.yml:15:13 auths.none.oauth2: client_secret or client_secret_file is required',
      'apiprobe.yml:22:33 auths.scope_twice.oauth2.endpoint_params.scope: give the scopes in scopes or in endpoint_params, not both',
      'apiprobe.yml:24:5 auths.two_kinds: one kind of credentials per auth, not basic and oauth2',
      'apiprobe.yml:31:18 auths.bad_tls.oauth2.tls.ca: ca is not PEM text: no -----BEGIN CERTIFICATE----- block',
    ]);
  });

  it('an unknown field is named, as for the other kinds', async () => {
    const d = await writeTempFiles({ 'apiprobe.yml': 'auths:\n  idp:\n    oauth2: { client_id: c, client_secret: s, token_url: https://idp.example/token, audience: x }\n' });
    const err = await loadConfig(path.join(d, 'apiprobe.yml')).catch((e: unknown) => e);
    expect((err as ConfigError).problems.map(formatProblem)).toEqual([`${d}/apiprobe.yml:3:85 auths.idp.oauth2.audience: unknown field "audience"`]);
  });
});
