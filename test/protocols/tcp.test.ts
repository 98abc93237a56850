// The TCP line/record client against simulated devices speaking the real protocols on
// loopback (test/sim/tcp/devices.ts): each terminator, login, TLS from the first byte and
// upsd's STARTTLS, and the limits a hostile device meets (byte cap, deadline, early close,
// a huge line, silence).
import { getEventListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TargetGuard } from '../../src/fetch/guard.js';
import { fetchTcp, type TcpDeps, type TcpResult, type TcpSpec } from '../../src/protocols/tcp.js';
import { selfSigned, type SelfSigned } from '../helpers/tls.js';
import { apcupsd, FIXTURES, memcached, nutVariables, redis, redisInfo, upsd, zookeeper, type SimDevice } from '../sim/tcp/devices.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const guard = new TargetGuard({ allow: [], deny: [] });
const deps: TcpDeps = { vet: (host) => guard.vet(host) };

let devices: SimDevice[] = [];
async function started(d: Promise<SimDevice>): Promise<SimDevice> {
  const device = await d;
  devices.push(device);
  return device;
}
afterEach(async () => {
  await Promise.all(devices.map((d) => d.close()));
  devices = [];
});

const fixture = (file: string): Buffer => readFileSync(path.join(FIXTURES, file));

const CP1500 = nutVariables('nut/homeassistant-CP1500PFCLCD.json');

function nutSpec(port: number, over: Partial<TcpSpec> = {}): TcpSpec {
  return { host: '127.0.0.1', port, tls: 'none', send: ['LIST VAR ups'], until: { line: 'END LIST VAR ups' }, quit: 'LOGOUT', errors: ['ERR '], maxBytes: 1 << 20, ...over };
}

function ok(r: TcpResult): Extract<TcpResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected success, got: ${r.error}`);
  return r;
}

describe('line terminator (NUT upsd)', () => {
  it('reads LIST VAR up to END LIST VAR, lines intact, and logs out', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } } }));
    const r = ok(await fetchTcp(nutSpec(d.port), deps));
    const lines = r.body.toString('utf8').split('\n');
    expect(lines[0]).toBe('BEGIN LIST VAR ups');
    expect(lines).toContain('VAR ups battery.charge "100"');
    expect(lines).toContain('VAR ups ups.status "OL"');
    expect(lines).toHaveLength(1 + CP1500.length + 1); // BEGIN, the variables, and the final newline's empty rest
    expect(r.bytes).toBe(Buffer.byteLength(`BEGIN LIST VAR ups\n${CP1500.map(([k, v]) => `VAR ups ${k} "${v}"\n`).join('')}END LIST VAR ups\n`));
    await vi.waitFor(() => expect(d.received).toEqual(['LIST VAR ups', 'LOGOUT']), { timeout: 2000 });
  });

  it('fails with upsd\'s own error word for an unknown UPS', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } } }));
    const r = await fetchTcp(nutSpec(d.port, { send: ['LIST VAR nope'], until: { line: 'END LIST VAR nope' } }), deps);
    expect(r).toMatchObject({ ok: false, phase: 'read', error: 'the device answered: ERR UNKNOWN-UPS' });
  });

  it('logs in with USERNAME and PASSWORD when each is answered OK', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } }, users: { monuser: 's3cret' } }));
    const r = await fetchTcp(nutSpec(d.port, { login: ['USERNAME monuser', 'PASSWORD s3cret'] }), deps);
    expect(ok(r).body.toString()).toContain('VAR ups battery.runtime "10530"');
    expect(d.received.slice(0, 3)).toEqual(['USERNAME monuser', 'PASSWORD s3cret', 'LIST VAR ups']);
  });

  it('fails a refused login with the device\'s message, never the password', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } }, users: { monuser: 's3cret' } }));
    const r = await fetchTcp(nutSpec(d.port, { login: ['USERNAME monuser', 'PASSWORD wrong-pass'] }), deps);
    expect(r).toMatchObject({ ok: false, phase: 'login', error: 'login refused at PASSWORD: ERR ACCESS-DENIED' });
    expect(JSON.stringify(r)).not.toContain('wrong-pass');
    // Nothing is sent after a refusal.
    expect(d.received).toEqual(['USERNAME monuser', 'PASSWORD wrong-pass']);
  });

  it('fails when the device closes before the terminator line', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } }, hostile: 'closes-early' }));
    const r = await fetchTcp(nutSpec(d.port), deps);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^the device closed the connection before "END LIST VAR ups" \(\d+ lines read\)$/);
  });
});

describe('STARTTLS (upsd) and TLS from the first byte', () => {
  let cert: SelfSigned;
  beforeAll(async () => {
    cert = await selfSigned();
  });

  it('upgrades after OK STARTTLS, then logs in and reads under TLS', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } }, users: { u: 'p' }, tls: { cert: cert.cert, key: cert.key } }));
    const r = await fetchTcp(nutSpec(d.port, { tls: 'starttls', tlsOptions: { ca: cert.cert }, login: ['USERNAME u', 'PASSWORD p'] }), deps);
    const good = ok(r);
    expect(good.body.toString()).toContain('VAR ups ups.status "OL"');
    expect(good.peer?.subject).toBe('CN=localhost');
    expect(good.tlsVersion).toMatch(/^TLSv1\.[23]$/);
    expect(d.received.slice(0, 4)).toEqual(['STARTTLS', 'USERNAME u', 'PASSWORD p', 'LIST VAR ups']);
  });

  it('refuses a certificate nothing vouches for, before any password is sent', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } }, tls: { cert: cert.cert, key: cert.key } }));
    const r = await fetchTcp(nutSpec(d.port, { tls: 'starttls', login: ['USERNAME u', 'PASSWORD p'] }), deps);
    expect(r).toMatchObject({ ok: false, phase: 'tls' });
    expect(!r.ok && r.error).toMatch(/^TLS handshake failed: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
    expect(d.received).toEqual(['STARTTLS']);
  });

  it('fails when upsd has no STARTTLS configured', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } } }));
    const r = await fetchTcp(nutSpec(d.port, { tls: 'starttls' }), deps);
    expect(r).toMatchObject({ ok: false, phase: 'starttls', error: 'STARTTLS refused: ERR FEATURE-NOT-CONFIGURED' });
  });

  it('refuses bytes sent between OK STARTTLS and the handshake (STARTTLS injection)', async () => {
    const received: string[] = [];
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.on('data', (b: Buffer) => {
        received.push(b.toString());
        // A man in the middle answering for the device, and a forged answer to come.
        s.write('OK STARTTLS\nBEGIN LIST VAR ups\nVAR ups ups.status "OB LB"\nEND LIST VAR ups\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const r = await fetchTcp(nutSpec(port, { tls: 'starttls', tlsOptions: { ca: cert.cert }, login: ['USERNAME u', 'PASSWORD p'] }), deps);
      expect(r).toMatchObject({ ok: false, phase: 'starttls', error: 'the device sent data after OK STARTTLS, before the TLS handshake' });
      expect(received.join('')).toBe('STARTTLS\n');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('speaks TLS from the first byte to a stunnel-style port', async () => {
    const inner = await started(memcached());
    // stunnel: TLS outside, the plain device inside.
    const server = tls.createServer({ cert: cert.cert, key: cert.key }, (s) => {
      const up = net.connect(inner.port, '127.0.0.1');
      s.pipe(up).pipe(s);
      up.on('error', () => s.destroy());
      s.on('error', () => up.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const r = await fetchTcp({ host: '127.0.0.1', port, tls: 'tls', tlsOptions: { ca: cert.cert }, send: ['stats'], eol: '\r\n', until: { line: 'END' }, quit: 'quit', maxBytes: 1 << 20 }, deps);
      expect(ok(r).body.toString()).toBe(fixture('memcached/telegraf-memcached-stats.txt').toString().replace('END\n', ''));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the other terminators', () => {
  it('length_prefix: apcupsd NIS records, lengths stripped, one record a line', async () => {
    const d = await started(apcupsd());
    const r = ok(await fetchTcp({ host: '127.0.0.1', port: d.port, tls: 'none', send: ['status'], until: { length_prefix: 2 }, maxBytes: 1 << 16 }, deps));
    expect(r.body.equals(fixture('apcupsd/telegraf-apcupsd-status.txt'))).toBe(true);
    // The command went framed too: apcupsd read "status".
    expect(d.received).toEqual(['status']);
  });

  it('close: a ZooKeeper four-letter word, read until ZooKeeper closes', async () => {
    const d = await started(zookeeper());
    const r = ok(await fetchTcp({ host: '127.0.0.1', port: d.port, tls: 'none', send: ['mntr'], eol: '', until: 'close', maxBytes: 1 << 16 }, deps));
    expect(r.body.equals(fixture('zookeeper/zookeeper-contrib-monitoring-mntr.txt'))).toBe(true);
  });

  it('close: a word off the whitelist is the device\'s refusal', async () => {
    const d = await started(zookeeper({ whitelisted: false }));
    const r = await fetchTcp({ host: '127.0.0.1', port: d.port, tls: 'none', send: ['mntr'], eol: '', until: 'close', errors: ['mntr is not executed'], maxBytes: 1 << 16 }, deps);
    expect(r).toMatchObject({ ok: false, error: 'the device answered: mntr is not executed because it is not in the whitelist.' });
  });

  it('resp: Redis INFO as one bulk string, AUTH as a login answered +OK', async () => {
    const d = await started(redis({ password: 'pw' }));
    const spec: TcpSpec = { host: '127.0.0.1', port: d.port, tls: 'none', login: ['AUTH pw'], send: ['INFO'], eol: '\r\n', until: 'resp', quit: 'QUIT', maxBytes: 1 << 16 };
    const r = ok(await fetchTcp(spec, deps));
    expect(r.body.toString()).toBe(redisInfo());
    await vi.waitFor(() => expect(d.received).toEqual(['AUTH pw', 'INFO', 'QUIT']), { timeout: 2000 });
    expect(await fetchTcp({ ...spec, login: [] }, deps)).toMatchObject({ ok: false, phase: 'read', error: 'the device answered: NOAUTH Authentication required.' });
    const refused = await fetchTcp({ ...spec, login: ['AUTH nope'] }, deps);
    expect(refused).toMatchObject({ ok: false, phase: 'login', error: 'login refused at AUTH: -WRONGPASS invalid username-password pair or user is disabled.' });
    expect(JSON.stringify(refused)).not.toContain('nope');
  });

  it('bytes: exactly N bytes, and a device that closes before N fails', async () => {
    const d = await started(memcached());
    const r = ok(await fetchTcp({ host: '127.0.0.1', port: d.port, tls: 'none', send: ['stats'], eol: '\r\n', until: { bytes: 15 }, maxBytes: 1 << 16 }, deps));
    expect(r.body.toString()).toBe('STAT pid 5619\r\n');
    const d2 = await started(zookeeper());
    const r2 = await fetchTcp({ host: '127.0.0.1', port: d2.port, tls: 'none', send: ['mntr'], eol: '', until: { bytes: 100_000 }, maxBytes: 1 << 20 }, deps);
    expect(r2).toMatchObject({ ok: false, phase: 'read', error: 'the device closed the connection after 350 of 100000 bytes', bytes: 350 });
  });
});

describe('limits a hostile device meets', () => {
  it('cuts an endless stream at the byte cap, naming the limit, holding no more than the cap', async () => {
    const d = await started(memcached({ hostile: 'endless' }));
    const r = await fetchTcp({ host: '127.0.0.1', port: d.port, tls: 'none', send: ['stats'], eol: '\r\n', until: { line: 'END' }, maxBytes: 100_000 }, deps);
    expect(r).toMatchObject({ ok: false, phase: 'read', error: 'answer larger than max_response_bytes (100000 bytes)' });
    // Counted up to the chunk that crossed the cap, which was not kept.
    expect(r.bytes).toBeGreaterThan(100_000);
    expect(r.bytes).toBeLessThanOrEqual(100_000 + 65_536);
  });

  it('cuts a huge line at the byte cap', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } }, hostile: { hugeLine: 3_000_000 } }));
    const r = await fetchTcp(nutSpec(d.port, { maxBytes: 1 << 20 }), deps);
    expect(r).toMatchObject({ ok: false, error: 'answer larger than max_response_bytes (1048576 bytes)' });
  });

  it('cuts a device that never ends its answer at the deadline, counting what arrived', async () => {
    const d = await started(upsd({ upses: { ups: { vars: CP1500 } }, hostile: 'never-ends' }));
    const whole = Buffer.byteLength(`BEGIN LIST VAR ups\n${CP1500.map(([k, v]) => `VAR ups ${k} "${v}"\n`).join('')}END LIST VAR ups\n`);
    const r = await fetchTcp(nutSpec(d.port, { signal: AbortSignal.timeout(300) }), deps);
    expect(r).toMatchObject({ ok: false, phase: 'read', error: 'deadline exceeded while reading the answer', bytes: Math.floor(whole / 2) });
    expect(r.seconds).toBeGreaterThanOrEqual(0.25);
    expect(r.seconds).toBeLessThan(2);
  });

  it('cuts a device that accepts and never answers at the deadline', async () => {
    const d = await started(memcached({ hostile: 'silent' }));
    const r = await fetchTcp({ host: '127.0.0.1', port: d.port, tls: 'none', send: ['stats'], until: { line: 'END' }, maxBytes: 1000, signal: AbortSignal.timeout(200) }, deps);
    expect(r).toMatchObject({ ok: false, phase: 'read', error: 'deadline exceeded while reading the answer', bytes: 0 });
    expect(d.received).toEqual(['stats']);
  });

  it('answers within the deadline when the device is slow but in time, leaving no listener on the probe\'s signal even when memory is collected mid-fetch', async () => {
    // Node 20 kept only the last removal of listeners added with addEventListener's
    // `signal` option strongly: a collection mid-fetch left the first listener behind.
    const d = await started(memcached({ latencyMs: 100 }));
    const deadline = new AbortController();
    const collecting = setTimeout(() => gc(), 40);
    const r = await fetchTcp({ host: '127.0.0.1', port: d.port, tls: 'none', send: ['stats'], eol: '\r\n', until: { line: 'END' }, maxBytes: 1 << 16, signal: deadline.signal }, deps);
    clearTimeout(collecting);
    gc();
    expect(ok(r).seconds).toBeGreaterThanOrEqual(0.09);
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(0);
  });

  it('connects only where the guard allows, to the address it vetted', async () => {
    const d = await started(memcached());
    const deny = new TargetGuard({ allow: [], deny: ['127.0.0.0/8'] });
    const r = await fetchTcp({ host: '127.0.0.1', port: d.port, tls: 'none', send: ['stats'], until: { line: 'END' }, maxBytes: 1000 }, { vet: (h) => deny.vet(h) });
    expect(r).toMatchObject({ ok: false, phase: 'connect', error: 'target 127.0.0.1 refused by targets.deny[0] (127.0.0.0/8)', bytes: 0 });
    expect(d.connections).toBe(0);
    // A name is connected to at the address the guard gave, not resolved again.
    const seen: string[] = [];
    const r2 = await fetchTcp({ host: 'ups.example', port: d.port, tls: 'none', send: ['stats'], eol: '\r\n', until: { line: 'END' }, maxBytes: 1 << 16 }, {
      vet: (h) => (seen.push(h), Promise.resolve({ address: '127.0.0.1', family: 4 })),
    });
    expect(ok(r2).body.length).toBeGreaterThan(0);
    expect(seen).toEqual(['ups.example']);
  });

  it('reports a refused connection as a connect failure', async () => {
    const d = await started(memcached());
    const port = d.port;
    await d.close();
    devices = [];
    const r = await fetchTcp({ host: '127.0.0.1', port, tls: 'none', send: ['stats'], until: { line: 'END' }, maxBytes: 1000 }, deps);
    expect(r).toMatchObject({ ok: false, phase: 'connect', error: `cannot connect to 127.0.0.1:${port}: ECONNREFUSED` });
  });
});

describe('chunking (property)', () => {
  // One server; each connection answers with the payload cut where the test says.
  let server: net.Server;
  let port: number;
  let current: { payload: Buffer; cuts: number[] } = { payload: Buffer.alloc(0), cuts: [] };
  beforeAll(async () => {
    server = net.createServer((s) => {
      s.setNoDelay(true);
      s.on('error', () => {});
      s.once('data', () => {
        const { payload, cuts } = current;
        let at = 0;
        const pieces: Buffer[] = [];
        for (const c of [...cuts].sort((a, b) => a - b)) {
          if (c > at && c < payload.length) {
            pieces.push(payload.subarray(at, c));
            at = c;
          }
        }
        pieces.push(payload.subarray(at));
        const next = (): void => {
          const p = pieces.shift();
          if (p === undefined) return void s.end();
          s.write(p, () => setImmediate(next));
        };
        next();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const line = fc.stringMatching(/^[ -~]{0,40}$/).filter((l) => l !== 'END');
  const answers = fc.oneof(
    fc.record({ kind: fc.constant('line' as const), lines: fc.array(line, { maxLength: 30 }) }),
    fc.record({ kind: fc.constant('length_prefix' as const), lines: fc.array(line.filter((l) => l !== ''), { maxLength: 30 }) }),
    fc.record({ kind: fc.constant('resp' as const), lines: fc.array(line, { maxLength: 30 }) }),
  );

  function wire(a: { kind: 'line' | 'length_prefix' | 'resp'; lines: string[] }): { payload: Buffer; until: TcpSpec['until']; body: string } {
    if (a.kind === 'line') return { payload: Buffer.from(a.lines.map((l) => `${l}\r\n`).join('') + 'END\r\n'), until: { line: 'END' }, body: a.lines.map((l) => `${l}\n`).join('') };
    if (a.kind === 'resp') {
      const text = a.lines.join('\r\n');
      return { payload: Buffer.from(`$${Buffer.byteLength(text)}\r\n${text}\r\n`), until: 'resp', body: text };
    }
    const parts = a.lines.map((l) => {
      const b = Buffer.from(l);
      const h = Buffer.alloc(2);
      h.writeUInt16BE(b.length);
      return Buffer.concat([h, b]);
    });
    return { payload: Buffer.concat([...parts, Buffer.from([0, 0])]), until: { length_prefix: 2 }, body: a.lines.map((l) => `${l}\n`).join('') };
  }

  it('cutting the answer anywhere gives the body of the answer in one piece', async () => {
    await fc.assert(fc.asyncProperty(answers, fc.array(fc.nat({ max: 2000 }), { maxLength: 12 }), async (a, cuts) => {
      const w = wire(a);
      current = { payload: w.payload, cuts: [] };
      const whole = await fetchTcp({ host: '127.0.0.1', port, tls: 'none', send: ['go'], until: w.until, maxBytes: 1 << 20 }, deps);
      current = { payload: w.payload, cuts };
      const cut = await fetchTcp({ host: '127.0.0.1', port, tls: 'none', send: ['go'], until: w.until, maxBytes: 1 << 20 }, deps);
      expect(ok(whole).body.toString()).toBe(w.body);
      expect(ok(cut).body.toString()).toBe(w.body);
      expect(cut.bytes).toBe(w.payload.length);
    }), { numRuns: 40 });
  });
});
