// The fault suite (issue 7): simulated upstreams on loopback misbehaving in every way
// a device can, probed through the real exporter running as a child process (so a
// crash is seen as an exit, and its memory is its own: VmRSS / VmHWM from /proc).
//
// For each fault: the probe answers on time (the scrape timeout header says 3 s, so the
// deadline is 2.5 s) with HTTP 200, probe_success 0 and a reason in the debug output that
// names the fault; probes of a healthy device made during the same moment all succeed;
// the exporter's RSS stays under 300 MB; it never crashes. Then: an error while reading a
// fan-out's links counts its one fetch once; a 1,000,000-element array is not mapped past
// the series limit (CPU); all faults at once; the peak RSS over the whole suite.
//
// A failing test here is an engine bug to fix in src/, not in this file.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, ROOT, writeTempFiles } from '../helpers/exporter.js';
import { eventually } from '../helpers/wait.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRAPE_TIMEOUT_S = 3;
const DEADLINE_MS = (SCRAPE_TIMEOUT_S - 0.5) * 1000;
const RSS_LIMIT = 300 * 1024 * 1024;
const MAX_RESPONSE_BYTES = 1024 * 1024;
const TEN_GIB = 10 * 1024 ** 3;
/** Where the exporter's upstream connection must have been closed by, after the probe answered. */
const CLOSE_GRACE_MS = 1000;

// ---------------------------------------------------------------------------------------
// The misbehaving upstreams.

interface Tracked {
  /** Upstream connections (or requests) opened for this fault, and when each was closed. */
  opened: number;
  closedAt: number[];
  bytesSent: number;
}
const track = new Map<string, Tracked>();
function tracked(name: string): Tracked {
  let t = track.get(name);
  if (!t) track.set(name, (t = { opened: 0, closedAt: [], bytesSent: 0 }));
  return t;
}
function watch(name: string, socket: net.Socket): void {
  const t = tracked(name);
  t.opened++;
  socket.once('close', () => t.closedAt.push(performance.now()));
}

const deepJson = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
// 60 levels: deep enough for json-p3's default recursion limit (50), shallow enough for any parser.
const deep60Json = Buffer.from(`${'{"a":'.repeat(60)}{"links":["/item"]}${'}'.repeat(60)}`);
const bigArray = Buffer.from(JSON.stringify(Array.from({ length: 1_000_000 }, (_, i) => i)));
const CHUNK = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace: valid so far, never ending

/** Writes CHUNK as fast as the socket drains until the client goes away. */
function flood(name: string, res: http.ServerResponse): void {
  const t = tracked(name);
  const pump = (): void => {
    while (!res.destroyed && !res.writableEnded) {
      t.bytesSent += CHUNK.length;
      if (!res.write(CHUNK)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  res.write('{"pad": "');
  pump();
}

const htmlPage = `<!DOCTYPE html>
<html><head><title>Session expired</title></head>
<body><h1>Your session has expired</h1><p>Please <a href="/login.html">log in</a> again.</p></body></html>
`;

const routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void> = {
  '/hang': (req) => watch('hang', req.socket),
  '/trickle': (req, res) => {
    watch('trickle', req.socket);
    res.writeHead(200, { 'content-type': 'application/json' });
    const body = `{"up": 1, "pad": "${'x'.repeat(1000)}"}`;
    let i = 0;
    const timer = setInterval(() => {
      if (i < body.length) res.write(body[i++]!);
      else res.end();
    }, 1000);
    res.on('close', () => clearInterval(timer));
  },
  '/reset': (req) => {
    watch('reset', req.socket);
    req.socket.resetAndDestroy();
  },
  '/endless': (req, res) => {
    watch('endless', req.socket);
    res.writeHead(200, { 'content-type': 'application/json' });
    flood('endless', res);
  },
  '/ten-gib': (req, res) => {
    watch('ten-gib', req.socket);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(TEN_GIB) });
    flood('ten-gib', res);
  },
  '/invalid-json': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"up": 1, "temperatures": [21.5, 22.0,');
  },
  '/deep': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': deepJson.length });
    res.end(deepJson);
  },
  '/deep60': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': deep60Json.length });
    res.end(deep60Json);
  },
  '/item': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"up": 1}');
  },
  '/big-array': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': bigArray.length });
    res.end(bigArray);
  },
  '/html': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(htmlPage);
  },
  '/loop': (_req, res) => {
    tracked('loop').opened++;
    res.writeHead(302, { location: '/loop', 'content-type': 'text/html' });
    res.end('<a href="/loop">moved</a>');
  },
};

const servers: Array<net.Server> = [];
async function listen<S extends net.Server>(server: S): Promise<S & { port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return Object.assign(server, { port: (server.address() as net.AddressInfo).port });
}

// ---------------------------------------------------------------------------------------
// The exporter under test, as a child process.

interface Exporter {
  child: ChildProcess;
  url: string;
  stderr: string[];
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

async function startExporterChild(configFile: string): Promise<Exporter> {
  const child = spawn(
    process.execPath,
    // The young generation as Node 20 sizes it by default (deploy/kubernetes passes the same):
    // Node 22 and later size it up to several times larger, ~80 MiB more RSS under these
    // faults, which the 300 MB bound was not set for.
    ['--max-semi-space-size=16', '--import', 'tsx', '--import', path.join(HERE, 'dns-guard.ts'), path.join(ROOT, 'src/cli.ts'),
      '--config.file', configFile, '--web.listen-address', '127.0.0.1:0', '--log.level', 'info'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exporter: Exporter = { child, url: '', stderr: [], exit: undefined };
  child.on('exit', (code, signal) => (exporter.exit = { code, signal }));
  let buffered = '';
  const onData = (chunk: Buffer): void => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    exporter.stderr.push(...lines);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  await eventually(() => `the exporter to start:\n${exporter.stderr.join('\n')}`, () => exporter.exit !== undefined || exporter.stderr.some((l) => l.includes('msg=listening')), { timeout: 20_000 });
  if (exporter.exit) throw new Error(`exporter exited at start: ${JSON.stringify(exporter.exit)}\n${exporter.stderr.join('\n')}`);
  exporter.url = `http://${/address=(\S+)/.exec(exporter.stderr.find((l) => l.includes('msg=listening'))!)![1]}`;
  return exporter;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU time (user + system) the process has used, in ms; USER_HZ is 100 on Linux. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// ---------------------------------------------------------------------------------------
// Probing.

interface ProbeAnswer {
  status: number;
  ms: number;
  text: string;
  series: Map<string, number>;
  /** The debug log's error lines, the first being the probe's reason. */
  errors: string[];
}

async function probe(exporter: Exporter, module: string, target: string, debug: boolean): Promise<ProbeAnswer> {
  const t0 = performance.now();
  const query = new URLSearchParams({ module, target, ...(debug ? { debug: 'true' } : {}) });
  const res = await fetch(`${exporter.url}/probe?${query.toString()}`, {
    headers: { 'X-Prometheus-Scrape-Timeout-Seconds': String(SCRAPE_TIMEOUT_S) },
    // Far beyond the deadline: a probe that hangs fails its assertions instead of the test timing out.
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  const marker = 'Metrics that would have been returned:';
  const at = text.indexOf(marker);
  const metrics = debug && at >= 0 ? text.slice(at + marker.length) : text;
  const logs = debug && at >= 0 ? text.slice(0, at) : '';
  const errors = logs.split('\n').filter((l) => /^\s*[\d.]+s error /.test(l)).map((l) => l.replace(/^\s*[\d.]+s error\s+/, ''));
  return { status: res.status, ms, text, series: parseSeries(metrics), errors };
}

/** Probes the healthy device: 4 at once, then one every `everyMs` until `until` settles. */
async function healthyProbesDuring(exporter: Exporter, until: Promise<unknown>, everyMs = 100): Promise<ProbeAnswer[]> {
  let done = false;
  void until.finally(() => (done = true)).catch(() => undefined);
  const answers: Array<Promise<ProbeAnswer>> = [1, 2, 3].map(() => probe(exporter, 'healthy', healthy.address, false));
  do {
    answers.push(probe(exporter, 'healthy', healthy.address, false));
    await new Promise((r) => setTimeout(r, everyMs));
  } while (!done);
  return Promise.all(answers);
}

// ---------------------------------------------------------------------------------------

let exporter: Exporter;
let healthy: RunningDevice;
let httpFaults: net.Server & { port: number };
let silent: net.Server & { port: number };
let garbage: net.Server & { port: number };
let selfSigned: https.Server & { port: number };

interface Fault {
  name: string;
  module: string;
  target: () => string;
  /** What the reason must say. */
  reason: RegExp;
  /** The answer must come well before the deadline (the fault is detected, not waited out). */
  fast?: boolean;
  /** The exporter must close its upstream connection(s) by CLOSE_GRACE_MS after answering. */
  closes?: boolean;
}

const http_ = (): string => `127.0.0.1:${httpFaults.port}`;
const FAULTS: Fault[] = [
  { name: 'never answers', module: 'hang', target: http_, reason: /GET \/hang: deadline (of 2\.5s )?exceeded/, closes: true },
  { name: 'accepts TCP, never sends headers', module: 'silent', target: () => `127.0.0.1:${silent.port}`, reason: /GET \/status: deadline (of 2\.5s )?exceeded/, closes: true },
  { name: 'trickles one byte a second', module: 'trickle', target: http_, reason: /GET \/trickle: deadline (of 2\.5s )?exceeded/, closes: true },
  { name: 'resets the connection', module: 'reset', target: http_, reason: /GET \/reset: .*(ECONNRESET|reset|other side closed|socket hang up)/i, fast: true },
  { name: 'endless stream without length', module: 'endless', target: http_, reason: /GET \/endless: response exceeds the limit of 1048576 bytes/, fast: true, closes: true },
  { name: '10 GiB declared stream', module: 'ten_gib', target: http_, reason: /GET \/ten-gib: response of 10737418240 bytes exceeds the limit of 1048576 bytes/, fast: true, closes: true },
  { name: 'invalid JSON', module: 'invalid_json', target: http_, reason: /GET \/invalid-json: invalid JSON: /, fast: true },
  { name: 'JSON nested 100,000 deep', module: 'deep', target: http_, reason: /nest|deep|depth|recursion/i, fast: true },
  { name: 'JSON nested 100,000 deep, read by a fan-out', module: 'deep_follow', target: http_, reason: /nest|deep|depth|recursion/i, fast: true },
  { name: '1,000,000-element array', module: 'big_array', target: http_, reason: /series limit of 20000 per probe reached/ },
  { name: 'HTML page to a JSON module', module: 'html', target: http_, reason: /GET \/html: invalid JSON: .*(text\/html|<!DOCTYPE|<html)/i, fast: true },
  { name: 'TLS to a plain TCP server sending garbage', module: 'tls_garbage', target: () => `127.0.0.1:${garbage.port}`, reason: /GET \/status: .*(SSL|TLS|wrong version|packet length)/i, fast: true },
  { name: 'TLS with a self-signed certificate to a verifying module', module: 'tls_verify', target: () => `127.0.0.1:${selfSigned.port}`, reason: /GET \/status: .*(self[- ]signed|SELF_SIGNED|certificate)/i, fast: true },
  { name: 'redirect loop', module: 'redirect', target: http_, reason: /GET \/loop: unexpected HTTP status 302/, fast: true },
  { name: 'DNS name that does not resolve', module: 'healthy', target: () => 'apiprobe-fault-suite.invalid:80', reason: /GET \/status: (?=.*apiprobe-fault-suite\.invalid)(?=.*(ENOTFOUND|resolve))/, fast: true },
];

const CONFIG = (maxBytes: number): string => `
modules:
  healthy:
    requests: { status: { path: /status } }
    metrics: [ { name: dev_up, from: status, value: '$.up', on_missing: error } ]
  hang:
    requests: { status: { path: /hang } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  silent:
    requests: { status: { path: /status } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  trickle:
    requests: { status: { path: /trickle } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  reset:
    requests: { status: { path: /reset } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  endless:
    max_response_bytes: ${maxBytes}
    requests: { status: { path: /endless } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  ten_gib:
    max_response_bytes: ${maxBytes}
    requests: { status: { path: /ten-gib } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  invalid_json:
    requests: { status: { path: /invalid-json } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  deep:
    requests: { status: { path: /deep } }
    # JSON.parse (iterative in V8) and the plain-path walker take any depth; a descendant
    # query is what recurses into the document.
    metrics:
      - { name: dev_temperature_celsius, from: status, each: '$..sensors[*]', labels: { sensor: '$.name' }, value: '$.celsius' }
  deep_follow:
    requests:
      index: { path: /deep }
      item: { follow: { from: index, path: '$..links[*]' } }
    metrics: []
  deep60_follow:
    requests:
      index: { path: /deep60 }
      item: { follow: { from: index, path: '$..links[*]' } }
    metrics: [ { name: dev_up, from: item, value: '$.up' } ]
  big_array:
    max_parse_values: 2000000   # past the default budget (1,000,000): this fault is about the series limit
    requests: { status: { path: /big-array } }
    metrics:
      - { name: dev_item, from: status, each: '$[*]', labels: { index: '{key}' }, value: '$' }
  html:
    requests: { status: { path: /html } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  tls_garbage:
    target: { scheme: https }
    requests: { status: { path: /status } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  tls_verify:
    target: { scheme: https }
    requests: { status: { path: /status } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
  redirect:
    requests: { status: { path: /loop } }
    metrics: [ { name: dev_up, from: status, value: '$.up' } ]
`;

const results: Array<{ fault: string; ms: number; success: number | undefined; reason: string; healthy: string; rssMiB: number; peakMiB: number }> = [];

beforeAll(async () => {
  healthy = await startDevice({
    name: 'healthy',
    routes: {
      '/status': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"up": 1}');
      },
    },
  });
  httpFaults = await listen(http.createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) return route(req, res);
    res.writeHead(404);
    res.end();
  }));
  silent = await listen(net.createServer((socket) => {
    watch('silent', socket);
    socket.resume(); // read the request, answer nothing
  }));
  garbage = await listen(net.createServer((socket) => {
    watch('tls-garbage', socket);
    socket.on('error', () => undefined);
    socket.write('this is not TLS\r\n'.repeat(64));
    socket.resume();
  }));
  const [key, cert] = await Promise.all([readFile(path.join(HERE, 'self-signed.key')), readFile(path.join(HERE, 'self-signed.crt'))]);
  selfSigned = await listen(https.createServer({ key, cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"up": 1}');
  }));
  const dir = await writeTempFiles({ 'apiprobe.yml': CONFIG(MAX_RESPONSE_BYTES) });
  exporter = await startExporterChild(path.join(dir, 'apiprobe.yml'));
});

afterAll(async () => {
  if (exporter && !exporter.exit) {
    const exited = new Promise((r) => exporter.child.once('exit', r));
    exporter.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (!exporter.exit) exporter.child.kill('SIGKILL');
  }
  await healthy?.close();
  for (const s of servers) {
    (s as http.Server).closeAllConnections?.();
    s.close();
  }
  if (results.length) {
    const rows = results.map((r) => `  ${r.fault.padEnd(58)} ${`${r.ms.toFixed(0)} ms`.padStart(8)}  success=${r.success}  rss=${r.rssMiB} MiB (peak so far ${r.peakMiB})  healthy: ${r.healthy}\n      reason: ${r.reason}`);
    console.log(`fault suite results (deadline ${DEADLINE_MS} ms):\n${rows.join('\n')}`);
  }
});

function expectAlive(): void {
  expect(exporter.exit, `the exporter exited; its last log lines:\n${exporter.stderr.slice(-20).join('\n')}`).toBeUndefined();
}

describe('each fault: answered on time, probe_success 0, the reason named, healthy probes unharmed, memory bounded', () => {
  it.each(FAULTS.map((f) => [f.name, f] as const))('%s', async (_name, fault) => {
    expectAlive();
    const answer = probe(exporter, fault.module, fault.target(), true);
    const healthyAnswers = await healthyProbesDuring(exporter, answer);
    const a = await answer;
    const answeredAt = performance.now();
    const rss = procStatus(exporter.child.pid!, 'VmRSS');
    const healthyOk = healthyAnswers.filter((h) => h.status === 200 && h.series.get('probe_success') === 1).length;
    const healthyMax = Math.max(...healthyAnswers.map((h) => h.ms));
    results.push({
      fault: fault.name,
      ms: a.ms,
      success: a.series.get('probe_success'),
      reason: a.errors[0] ?? `(none; HTTP ${a.status}: ${a.text.slice(0, 200).replace(/\n/g, ' | ')})`,
      healthy: `${healthyOk}/${healthyAnswers.length} ok, slowest ${healthyMax.toFixed(0)} ms`,
      rssMiB: Math.round(rss / 1048576),
      peakMiB: Math.round(procStatus(exporter.child.pid!, 'VmHWM') / 1048576),
    });

    expectAlive();
    expect(a.status, `${a.text.slice(0, 500)}\nexporter log:\n${exporter.stderr.filter((l) => l.includes('level=error')).slice(-3).join('\n')}`).toBe(200);
    expect(a.series.get('probe_success'), a.text.slice(0, 2000)).toBe(0);
    expect(a.ms).toBeLessThan(SCRAPE_TIMEOUT_S * 1000);
    if (fault.fast) expect(a.ms, 'a fault that can be detected must not wait for the deadline').toBeLessThan(DEADLINE_MS - 500);
    expect(a.errors[0] ?? '', `debug output:\n${a.text.slice(0, 3000)}`).toMatch(fault.reason);
    expect(healthyAnswers.length).toBeGreaterThan(0);
    for (const h of healthyAnswers) {
      expect(h.status).toBe(200);
      expect(h.series.get('probe_success'), h.text.slice(0, 1000)).toBe(1);
      expect(h.ms).toBeLessThan(SCRAPE_TIMEOUT_S * 1000);
    }
    expect(rss).toBeLessThan(RSS_LIMIT);

    const key = { hang: 'hang', silent: 'silent', trickle: 'trickle', endless: 'endless', ten_gib: 'ten-gib' }[fault.module as 'hang'];
    if (fault.closes && key) {
      const conn = tracked(key);
      // Until every connection is closed or the grace is over; the assertions below say which.
      await eventually('the upstream connections to close', () => conn.opened > 0 && conn.closedAt.length === conn.opened, { timeout: CLOSE_GRACE_MS }).catch(() => undefined);
      expect(conn.opened, 'the upstream saw the connection').toBeGreaterThan(0);
      expect(conn.closedAt.length, `upstream connections of ${key} still open ${CLOSE_GRACE_MS} ms after the answer`).toBe(conn.opened);
      for (const at of conn.closedAt) expect(at - answeredAt).toBeLessThan(CLOSE_GRACE_MS);
    }
    if (fault.module === 'endless' || fault.module === 'ten_gib') {
      // Cut at the limit, not drained: the upstream wrote at most the limit plus what
      // socket buffers hold.
      expect(tracked(key).bytesSent).toBeLessThan(64 * 1024 * 1024);
    }
    if (fault.module === 'redirect') expect(tracked('loop').opened, 'a redirect is not followed').toBe(1);
    if (fault.module === 'deep_follow') expect(a.series.get('probe_request_fetches{request="index"}'), 'one fetch, counted once').toBe(1);
  });
});

describe('an error while reading the links of a fan-out', () => {
  // Links 60 levels down, found by a descendant query: an engine may follow them or stop at
  // a depth limit with a reason; either way the one fetch is counted once.
  it('is reported once, for the one fetch made', async () => {
    expectAlive();
    const a = await probe(exporter, 'deep60_follow', http_(), true);
    expect(a.status).toBe(200);
    expect(a.series.get('probe_request_fetches{request="index"}'), a.text.slice(0, 3000)).toBe(1);
    if (a.series.get('probe_success') === 1) expect(a.series.get('dev_up')).toBe(1);
    else expect(a.errors[0] ?? '').toMatch(/recursion|depth|deep|nest/i);
  });
});

describe('work past a limit is not done', () => {
  // The series limit (20,000) is reached at the 20,000th element; the other 980,000 can
  // only be dropped. Parsing the 6.9 MB document takes ~70 ms of CPU; mapping every
  // element anyway takes ~0.8 s more, all of it blocking the event loop (and it is not
  // bounded by the deadline).
  it('a 1,000,000-element array costs the exporter under 550 ms of CPU', async () => {
    expectAlive();
    const before = cpuMs(exporter.child.pid!);
    const a = await probe(exporter, 'big_array', http_(), false);
    const spent = cpuMs(exporter.child.pid!) - before;
    console.log(`1,000,000-element array: ${spent} ms of exporter CPU, answered in ${a.ms.toFixed(0)} ms; peak RSS so far ${(procStatus(exporter.child.pid!, 'VmHWM') / 1048576).toFixed(0)} MiB`);
    expect(a.series.get('probe_success')).toBe(0);
    expect(spent).toBeLessThan(550);
  });
});

describe('all faults at once', () => {
  it('answers every probe on time, healthy probes all succeed, memory stays bounded, no crash', async () => {
    expectAlive();
    const all = Promise.all(FAULTS.map((f) => probe(exporter, f.module, f.target(), false)));
    const healthyAnswers = await healthyProbesDuring(exporter, all, 50);
    const answers = await all;
    // Every problem listed, so one engine bug does not hide the others.
    const problems: string[] = [];
    if (exporter.exit) problems.push(`the exporter exited: ${JSON.stringify(exporter.exit)}`);
    for (const [i, a] of answers.entries()) {
      const fault = FAULTS[i]!;
      if (a.status !== 200) problems.push(`${fault.name}: HTTP ${a.status}`);
      else if (a.series.get('probe_success') !== 0) problems.push(`${fault.name}: probe_success ${a.series.get('probe_success')}`);
      if (a.ms >= SCRAPE_TIMEOUT_S * 1000) problems.push(`${fault.name}: answered after ${a.ms.toFixed(0)} ms`);
    }
    const slowest = Math.max(...healthyAnswers.map((h) => h.ms));
    const bad = healthyAnswers.filter((h) => h.status !== 200 || h.series.get('probe_success') !== 1 || h.ms >= SCRAPE_TIMEOUT_S * 1000);
    if (bad.length) problems.push(`${bad.length} of ${healthyAnswers.length} healthy probes failed or were late`);
    const rss = procStatus(exporter.child.pid!, 'VmRSS');
    if (!(rss < RSS_LIMIT)) problems.push(`RSS ${(rss / 1048576).toFixed(0)} MiB after the faults, over 300 MB`);
    console.log(`all faults at once: ${answers.length} fault probes, slowest ${Math.max(...answers.map((a) => a.ms)).toFixed(0)} ms; ${healthyAnswers.length} healthy probes, slowest ${slowest.toFixed(0)} ms; peak RSS so far ${(procStatus(exporter.child.pid!, 'VmHWM') / 1048576).toFixed(0)} MiB`);
    expect(problems).toEqual([]);
  });

  it('never went over 300 MB at any moment (VmHWM) and is still healthy', async () => {
    expectAlive();
    const hwm = procStatus(exporter.child.pid!, 'VmHWM');
    console.log(`exporter peak RSS over the fault suite: ${(hwm / 1048576).toFixed(0)} MiB`);
    expect((await fetch(`${exporter.url}/-/healthy`)).status).toBe(200);
    expect(hwm).toBeLessThan(RSS_LIMIT);
  });
});
