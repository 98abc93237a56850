// Credentials end to end: simulated devices on loopback that demand each kind of
// credentials, probed through the exporter. Every secret used here is checked, at
// the end, to appear nowhere in what the exporter logged or served.
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, ROOT, startExporter, writeTempFiles, type TestExporter } from '../helpers/exporter.js';

const SECRETS = {
  basic: `basic-${randomBytes(6).toString('hex')}`,
  basicRotated: `rotated-${randomBytes(6).toString('hex')}`,
  bearer: `bearer-${randomBytes(6).toString('hex')}`,
  apiKey: `key-${randomBytes(6).toString('hex')}`,
  digest: `digest-${randomBytes(6).toString('hex')}`,
  session: `session-${randomBytes(6).toString('hex')}`,
};
const served: string[] = [];

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

// --- a device per kind of credentials -------------------------------------------

let basicPassword = SECRETS.basic;
const basicDevice = (): Promise<RunningDevice> =>
  startDevice({
    name: 'basic',
    routes: {
      '/status': (req, res) => {
        const expected = `Basic ${Buffer.from(`monitor:${basicPassword}`).toString('base64')}`;
        if (req.headers.authorization !== expected) return json(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Basic realm="dev"' });
        json(res, 200, { up: 1 });
      },
    },
  });

const bearerDevice = (): Promise<RunningDevice> =>
  startDevice({
    name: 'bearer',
    routes: {
      '/status': (req, res) => (req.headers.authorization === `Bearer ${SECRETS.bearer}` ? json(res, 200, { up: 1 }) : json(res, 401, {})),
    },
  });

const apiKeyDevice = (): Promise<RunningDevice> =>
  startDevice({
    name: 'apikey',
    routes: {
      '/header': (req, res) => (req.headers['x-api-key'] === SECRETS.apiKey ? json(res, 200, { up: 1 }) : json(res, 403, {})),
      '/query': (req, res) => {
        const key = new URL(req.url!, 'http://x').searchParams.get('access_token');
        if (key === SECRETS.apiKey) json(res, 200, { up: 1 });
        else json(res, 403, {});
      },
    },
  });

// RFC 7616 verified independently of the exporter's implementation.
function digestDevice(algorithm: 'MD5' | 'SHA-256'): Promise<RunningDevice> {
  const h = (s: string): string => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(s).digest('hex');
  const realm = 'pdu@example';
  let nonce = randomBytes(8).toString('hex');
  const challenge = (stale = false): string => `Digest realm="${realm}", qop="auth", algorithm=${algorithm}, nonce="${nonce}", opaque="op42"${stale ? ', stale=true' : ''}`;
  return startDevice({
    name: `digest-${algorithm}`,
    routes: {
      '/status': (req, res) => {
        const auth = req.headers.authorization ?? '';
        const p: Record<string, string> = {};
        for (const m of auth.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) p[m[1]!] = m[2] ?? m[3]!;
        if (!auth.startsWith('Digest ') || p['username'] !== 'admin' || p['nonce'] !== nonce || p['opaque'] !== 'op42') {
          res.writeHead(401, { 'www-authenticate': challenge() });
          return res.end();
        }
        const ha1 = h(`admin:${realm}:${SECRETS.digest}`);
        const ha2 = h(`GET:${p['uri']}`);
        const expected = h(`${ha1}:${nonce}:${p['nc']}:${p['cnonce']}:auth:${ha2}`);
        if (p['response'] !== expected || p['uri'] !== req.url) {
          res.writeHead(401, { 'www-authenticate': challenge() });
          return res.end();
        }
        // Rotate the nonce now and then: the client must follow a stale challenge.
        if (Number.parseInt(p['nc']!, 16) >= 3) {
          nonce = randomBytes(8).toString('hex');
          res.writeHead(401, { 'www-authenticate': challenge(true) });
          return res.end();
        }
        json(res, 200, { up: 1 });
      },
    },
  });
}

interface RedfishSessions {
  device: RunningDevice;
  logins: number;
  logouts: number;
  active: Set<string>;
  expire(): void;
}

// Redfish SessionService: POST credentials, token in X-Auth-Token, session in Location.
// Refuses more than `limit` sessions at once, like iDRAC.
async function redfishSessionDevice(limit = 2): Promise<RedfishSessions> {
  const state = { logins: 0, logouts: 0, active: new Set<string>() } as Omit<RedfishSessions, 'device' | 'expire'>;
  const device = await startDevice({
    name: 'redfish-sessions',
    // DELETE /redfish/v1/SessionService/Sessions/<token> logs a session out.
    fallback: (req, res) => {
      const m = /^\/redfish\/v1\/SessionService\/Sessions\/(\w+)$/.exec(req.url ?? '');
      if (req.method !== 'DELETE' || !m || req.headers['x-auth-token'] !== m[1]) return json(res, 404, {});
      state.logouts++;
      state.active.delete(m[1]!);
      json(res, 204, {});
    },
    routes: {
      // The service root answers without credentials (DSP0266), and links what is behind them.
      '/redfish/v1': (_req, res) => json(res, 200, { '@odata.id': '/redfish/v1/', Systems: { '@odata.id': '/redfish/v1/Systems' }, Chassis: { '@odata.id': '/redfish/v1/Chassis' } }),
      '/redfish/v1/SessionService/Sessions': (req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const creds = JSON.parse(body) as { UserName: string; Password: string };
          if (creds.UserName !== 'monitor' || creds.Password !== SECRETS.session) return json(res, 401, {});
          if (state.active.size >= limit) return json(res, 503, { error: 'session limit reached' });
          state.logins++;
          const token = randomBytes(8).toString('hex');
          state.active.add(token);
          json(res, 201, { Id: token }, { 'x-auth-token': token, location: `/redfish/v1/SessionService/Sessions/${token}` });
        });
      },
      '/redfish/v1/Systems': (req, res) => {
        const token = req.headers['x-auth-token'];
        if (typeof token !== 'string' || !state.active.has(token)) return json(res, 401, {});
        setTimeout(() => json(res, 200, { Members: [], 'Members@odata.count': 3 }), 20);
      },
      // One chassis with nothing to read in it, behind the same session.
      '/redfish/v1/Chassis': (req, res) => {
        if (!state.active.has(String(req.headers['x-auth-token']))) return json(res, 401, {});
        json(res, 200, { Members: [{ '@odata.id': '/redfish/v1/Chassis/1' }] });
      },
      '/redfish/v1/Chassis/1': (req, res) => {
        if (!state.active.has(String(req.headers['x-auth-token']))) return json(res, 401, {});
        json(res, 200, { Id: '1', Status: { Health: 'OK' } });
      },
    },
  });
  return {
    device,
    get logins() {
      return state.logins;
    },
    get logouts() {
      return state.logouts;
    },
    active: state.active,
    expire() {
      state.active.clear();
    },
  };
}

let exporter: TestExporter;
let dir: string;
const devices: RunningDevice[] = [];
let basic: RunningDevice, bearer: RunningDevice, apikey: RunningDevice, digestMd5: RunningDevice, digestSha: RunningDevice;
let sessions: RedfishSessions;

beforeAll(async () => {
  basic = await basicDevice();
  bearer = await bearerDevice();
  apikey = await apiKeyDevice();
  digestMd5 = await digestDevice('MD5');
  digestSha = await digestDevice('SHA-256');
  sessions = await redfishSessionDevice(2);
  devices.push(basic, bearer, apikey, digestMd5, digestSha, sessions.device);
  dir = await writeTempFiles({ 'basic.pass': `${SECRETS.basic}\n` });
  process.env['APIPROBE_TEST_BEARER'] = SECRETS.bearer;
  exporter = await startExporter({
    configYaml: `
include: [${path.join(ROOT, 'modules/redfish.yml')}]
auths:
  basic: { basic: { username: monitor, password_file: ${path.join(dir, 'basic.pass')} } }
  bearer: { bearer: { token: '\${APIPROBE_TEST_BEARER}' } }
  key_header: { api_key: { header: X-Api-Key, value: ${SECRETS.apiKey} } }
  key_query: { api_key: { query: access_token, value: ${SECRETS.apiKey} } }
  digest: { digest: { username: admin, password: ${SECRETS.digest} } }
  elsewhere: { basic: { username: monitor, password: ${SECRETS.basic} }, targets: [10.0.0.0/8, '*.bmc.example'] }
  redfish:
    session:
      username: monitor
      password: ${SECRETS.session}
      login: { path: /redfish/v1/SessionService/Sessions, json: { UserName: '{username}', Password: '{password}' } }
      token: { header: X-Auth-Token }
      use: { header: X-Auth-Token }
      logout: { location: true }
      ttl: 10m
modules:
  basic: { auth: basic, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  plain: { requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  inline: { headers: { Authorization: 'Bearer ${SECRETS.bearer}' }, requests: { s: { path: /status } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  header: { auth: key_header, requests: { s: { path: /header } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  query: { auth: key_query, requests: { s: { path: /query } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }
  systems:
    auth: redfish
    requests: { systems: { path: /redfish/v1/Systems } }
    metrics: [{ name: redfish_systems, from: systems, value: '$["Members@odata.count"]' }]
`,
  });
});

let closed = false;
afterAll(async () => {
  if (!closed) await exporter.close();
  await Promise.all(devices.map((d) => d.close()));
});

async function probe(query: Record<string, string>): Promise<{ status: number; series: Map<string, number>; text: string }> {
  const res = await exporter.probe(query);
  served.push(res.text);
  const debug = await exporter.probe({ ...query, debug: 'true' });
  served.push(debug.text);
  return { status: res.status, series: parseSeries(res.text), text: debug.text };
}

describe('basic, bearer and API keys', () => {
  it('sends basic credentials from a password file, and re-reads the file when it changes', async () => {
    expect((await probe({ module: 'basic', target: basic.address })).series.get('dev_up')).toBe(1);
    basicPassword = SECRETS.basicRotated;
    const stale = await probe({ module: 'basic', target: basic.address });
    expect(stale.series.get('probe_success')).toBe(0);
    expect(stale.series.get('probe_http_status_code{request="s"}')).toBe(401);
    await writeFile(path.join(dir, 'basic.pass'), `${SECRETS.basicRotated}\n`);
    expect((await probe({ module: 'basic', target: basic.address })).series.get('dev_up')).toBe(1);
  });

  it('lets &auth= pick other credentials for the same module', async () => {
    expect((await probe({ module: 'plain', target: bearer.address })).series.get('probe_success')).toBe(0);
    expect((await probe({ module: 'plain', target: bearer.address, auth: 'bearer' })).series.get('dev_up')).toBe(1);
  });

  it('shows the module configuration and the auth by name in debug output, masking secret-looking headers', async () => {
    const r = await probe({ module: 'basic', target: basic.address });
    expect(r.text).toMatch(/Module configuration \(.*apiprobe\.yml\):\nbasic:\n/);
    expect(r.text).toContain('Auth: basic (basic)');
    // A token written into a module's headers (not where it belongs) is still masked.
    const inline = await probe({ module: 'inline', target: bearer.address });
    expect(inline.series.get('dev_up')).toBe(1);
    expect(inline.text).toContain('Authorization: <secret>');
  });

  it('puts an API key in a header or in the query, and never shows the query key', async () => {
    expect((await probe({ module: 'header', target: apikey.address })).series.get('dev_up')).toBe(1);
    const q = await probe({ module: 'query', target: apikey.address });
    expect(q.series.get('dev_up')).toBe(1);
    expect(q.text).toMatch(/s: GET http:\/\/127\.0\.0\.1:\d+\/query\n/);
  });

  it('refuses a target outside the auth\'s allowed targets before sending anything', async () => {
    const before = basic.hits.length;
    const res = await exporter.probe({ module: 'plain', target: basic.address, auth: 'elsewhere' });
    expect(res.status).toBe(400);
    expect(res.text).toBe('auth elsewhere may not be sent to 127.0.0.1 (not in auths.elsewhere.targets)\n');
    expect(basic.hits.length).toBe(before);
  });

  it('answers 400 for an unknown auth', async () => {
    const res = await exporter.probe({ module: 'plain', target: basic.address, auth: 'nosuch' });
    expect(res.status).toBe(400);
    expect(res.text).toBe('unknown auth "nosuch"\n');
  });
});

describe('digest (RFC 7616)', () => {
  it.each(['MD5', 'SHA-256'])('answers a %s challenge, then answers at once, following stale nonces', async (alg) => {
    const device = alg === 'MD5' ? digestMd5 : digestSha;
    for (let i = 0; i < 5; i++) {
      const r = await probe({ module: 'plain', target: device.address, auth: 'digest' });
      expect(r.series.get('dev_up')).toBe(1);
    }
    // 10 probes (5 plus their debug twins): one unauthenticated first request, one
    // stale-nonce retry after every third use; never one 401 per probe.
    expect(device.hits.length).toBeLessThanOrEqual(10 + 1 + 4);
  });
});

describe('login sessions (Redfish SessionService)', () => {
  it('logs in once and reuses the session across probes', async () => {
    for (let i = 0; i < 3; i++) expect((await probe({ module: 'systems', target: sessions.device.address })).series.get('redfish_systems')).toBe(3);
    expect(sessions.logins).toBe(1);
  });

  it('logs in again once when the session expires mid-way, within the same probe', async () => {
    sessions.expire();
    const r = await probe({ module: 'systems', target: sessions.device.address });
    expect(r.series.get('probe_success')).toBe(1);
    expect(sessions.logins).toBe(2);
  });

  it('serves the shipped redfish module with &auth=', async () => {
    const r = await probe({ module: 'redfish', target: sessions.device.url, auth: 'redfish' });
    expect(r.series.get('probe_request_success{request="systems"}')).toBe(1);
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.series.get('redfish_chassis_health{chassis="1",redfish_chassis_health="OK"}')).toBe(1);
    const plain = await exporter.probe({ module: 'redfish', target: sessions.device.url });
    expect(parseSeries(plain.text).get('probe_http_status_code{request="systems"}')).toBe(401);
  });

  it('never runs a device with a 2-session limit out of sessions under 20 concurrent probes', async () => {
    sessions.expire();
    const before = sessions.logins;
    const results = await Promise.all(Array.from({ length: 20 }, () => exporter.probe({ module: 'systems', target: sessions.device.address })));
    for (const r of results) {
      served.push(r.text);
      expect(parseSeries(r.text).get('probe_success')).toBe(1);
    }
    expect(sessions.logins - before).toBe(1);
    const metrics = await (await fetch(`${exporter.url}/metrics`)).text();
    served.push(metrics);
    expect(parseSeries(metrics).get('apiprobe_logins_total{auth="redfish",result="success"}')).toBe(sessions.logins);
    expect(parseSeries(metrics).get('apiprobe_sessions_active')).toBe(1);
  });
});

describe('secrets', () => {
  it('appear nowhere in what the exporter logged or served', async () => {
    const all = [...served, ...exporter.logs, await (await fetch(`${exporter.url}/`)).text(), await (await fetch(`${exporter.url}/metrics`)).text()].join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(all.includes(secret), `secret ${name} leaked`).toBe(false);
    }
  });
});

describe('logout', () => {
  it('logs the session out when the exporter shuts down', async () => {
    expect(sessions.active.size).toBe(1);
    const before = sessions.logouts;
    await exporter.close();
    closed = true;
    expect(sessions.logouts).toBe(before + 1);
    expect(sessions.active.size).toBe(0);
  });
});
