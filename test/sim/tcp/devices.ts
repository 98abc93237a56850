// Simulated status ports speaking the real protocols over real TCP on loopback: NUT's
// upsd, apcupsd's NIS, memcached, ZooKeeper's four-letter words and Redis, serving the
// captures in test/fixtures. Each can be made slow or hostile for tests.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/** What a misbehaving device does instead of answering properly. */
export type Hostile =
  /** Accepts, reads, never says anything. */
  | 'silent'
  /** Starts the answer and never ends it (no terminator, connection kept open). */
  | 'never-ends'
  /** Sends without end, as fast as it is read. */
  | 'endless'
  /** One line of this many bytes before the answer. */
  | { hugeLine: number }
  /** Closes the connection halfway through the answer. */
  | 'closes-early';

export interface SimOptions {
  /** Delay before each answer, in milliseconds. */
  latencyMs?: number;
  hostile?: Hostile;
  /** Split every write into chunks of this size (flushed one by one). */
  chunk?: number;
  /** Listen on this port (`npm run demo`); default: one from the system. */
  port?: number;
}

export interface SimDevice {
  port: number;
  /** Every line the device received, in order (passwords included: it is a test double). */
  received: string[];
  connections: number;
  close(): Promise<void>;
}

interface Conn {
  socket: net.Socket;
  send(data: string | Buffer): void;
  end(): void;
}

type Handler = (conn: Conn, line: string) => void | 'upgrade';

async function serve(opts: SimOptions, onLine: Handler, framing: 'lines' | 'length_prefix' | 'four_letter' = 'lines', onUpgrade?: (socket: net.Socket) => net.Socket): Promise<SimDevice> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const device: SimDevice = { port: 0, received: [], connections: 0, close: async () => {} };
  const server = net.createServer((raw) => {
    device.connections++;
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    let socket: net.Socket = raw;
    let buffered = Buffer.alloc(0);
    const later = (fn: () => void): void => {
      if (!opts.latencyMs) return fn();
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, opts.latencyMs);
      timers.add(t);
    };
    const conn: Conn = {
      get socket() {
        return socket;
      },
      send(data) {
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        if (socket.destroyed) return;
        if (!opts.chunk) {
          socket.write(bytes);
          return;
        }
        for (let i = 0; i < bytes.length; i += opts.chunk) socket.write(bytes.subarray(i, i + opts.chunk));
      },
      end() {
        socket.end();
      },
    };
    const hostile = opts.hostile;
    const handle = (line: string): void => {
      device.received.push(line);
      if (hostile === 'silent') return;
      if (hostile === 'endless') {
        const block = Buffer.alloc(16384, 0x61);
        const pump = (): void => {
          while (!socket.destroyed && socket.write(block));
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
        return;
      }
      later(() => {
        if (typeof hostile === 'object') conn.send(`${'x'.repeat(hostile.hugeLine)}\n`);
        if (onLine(conn, line) === 'upgrade' && onUpgrade) {
          socket.removeAllListeners('data');
          socket = onUpgrade(socket);
          socket.on('error', () => {});
          socket.on('data', read);
        }
      });
    };
    const read = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (framing === 'length_prefix') {
          if (buffered.length < 2) return;
          const n = buffered.readUInt16BE(0);
          if (buffered.length < 2 + n) return;
          const line = buffered.subarray(2, 2 + n).toString('utf8');
          buffered = buffered.subarray(2 + n);
          handle(line);
          continue;
        }
        if (framing === 'four_letter') {
          // ZooKeeper reads exactly four bytes, whatever follows.
          if (buffered.length < 4) return;
          const word = buffered.subarray(0, 4).toString('latin1');
          buffered = Buffer.alloc(0);
          handle(word);
          return;
        }
        const nl = buffered.indexOf(0x0a);
        if (nl < 0) return;
        let line = buffered.subarray(0, nl).toString('utf8');
        if (line.endsWith('\r')) line = line.slice(0, -1);
        buffered = buffered.subarray(nl + 1);
        handle(line);
        // After an upgrade the rest is read through the TLS socket.
        if (socket !== raw) return;
      }
    };
    raw.on('data', read);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  device.port = (server.address() as net.AddressInfo).port;
  device.close = async () => {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return device;
}

/** Cuts an answer in half and closes, for the 'closes-early' behaviour. */
function answer(conn: Conn, text: string | Buffer, opts: SimOptions): void {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  if (opts.hostile === 'closes-early') {
    conn.send(bytes.subarray(0, Math.floor(bytes.length / 2)));
    conn.socket.destroy();
    return;
  }
  if (opts.hostile === 'never-ends') {
    conn.send(bytes.subarray(0, Math.floor(bytes.length / 2)));
    return;
  }
  conn.send(bytes);
}

// --- NUT upsd (docs/net-protocol.txt of Network UPS Tools) ---

/** A UPS's variables from a Home Assistant fixture (JSON var → value) or an upsc dump (`name: value` lines). */
export function nutVariables(file: string): Array<[string, string]> {
  const text = readFileSync(path.join(FIXTURES, file), 'utf8');
  if (file.endsWith('.json')) return Object.entries(JSON.parse(text) as Record<string, string>);
  const vars: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) vars.push([line.slice(0, at), line.slice(at + 2)]);
  }
  return vars;
}

/** A value as upsd quotes it: backslash before `"` and `\`. */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface UpsdOptions extends SimOptions {
  /** UPS name → its variables and description. */
  upses: Record<string, { vars: Array<[string, string]>; description?: string }>;
  /** When set, LIST and GET need USERNAME/PASSWORD of one of these users first (an upsd ACL). */
  users?: Record<string, string>;
  /** A certificate: STARTTLS is offered (else `ERR FEATURE-NOT-CONFIGURED`). */
  tls?: { cert: Buffer; key: Buffer };
}

export function upsd(opts: UpsdOptions): Promise<SimDevice> {
  const state = new WeakMap<net.Socket, { user?: string; password?: string; tls?: boolean }>();
  return serve(opts, (conn, line) => {
    let s = state.get(conn.socket);
    if (!s) state.set(conn.socket, (s = {}));
    const words = line.split(' ');
    const [verb, sub, name] = words;
    const authed = (): boolean => !opts.users || (s.user !== undefined && opts.users[s.user] === s.password);
    const ups = name === undefined ? undefined : opts.upses[name];
    switch (verb) {
      case 'STARTTLS':
        if (!opts.tls) return conn.send('ERR FEATURE-NOT-CONFIGURED\n');
        if (s.tls) return conn.send('ERR ALREADY-SSL-MODE\n');
        conn.send('OK STARTTLS\n');
        s.tls = true;
        return 'upgrade';
      case 'USERNAME':
        if (s.user !== undefined) return conn.send('ERR ALREADY-SET-USERNAME\n');
        s.user = words.slice(1).join(' ');
        return conn.send('OK\n');
      case 'PASSWORD':
        if (s.password !== undefined) return conn.send('ERR ALREADY-SET-PASSWORD\n');
        s.password = words.slice(1).join(' ');
        // upsd takes any password here and judges it on the first command needing it.
        return conn.send(opts.users && !authed() ? 'ERR ACCESS-DENIED\n' : 'OK\n');
      case 'LOGOUT':
        conn.send('OK Goodbye\n');
        return conn.end();
      case 'LIST':
        if (!authed()) return conn.send('ERR ACCESS-DENIED\n');
        if (sub === 'UPS' && words.length === 2) {
          const rows = Object.entries(opts.upses).map(([n, u]) => `UPS ${n} ${quote(u.description ?? 'Description unavailable')}\n`);
          return answer(conn, `BEGIN LIST UPS\n${rows.join('')}END LIST UPS\n`, opts);
        }
        if (sub === 'VAR' && words.length === 3) {
          if (!ups) return conn.send('ERR UNKNOWN-UPS\n');
          const rows = ups.vars.map(([k, v]) => `VAR ${name} ${k} ${quote(v)}\n`);
          return answer(conn, `BEGIN LIST VAR ${name}\n${rows.join('')}END LIST VAR ${name}\n`, opts);
        }
        return conn.send('ERR INVALID-ARGUMENT\n');
      case 'GET':
        if (!authed()) return conn.send('ERR ACCESS-DENIED\n');
        if (sub === 'VAR' && words.length === 4) {
          if (!ups) return conn.send('ERR UNKNOWN-UPS\n');
          const hit = ups.vars.find(([k]) => k === words[3]);
          return conn.send(hit ? `VAR ${name} ${hit[0]} ${quote(hit[1])}\n` : 'ERR VAR-NOT-SUPPORTED\n');
        }
        return conn.send('ERR INVALID-ARGUMENT\n');
      default:
        return conn.send('ERR UNKNOWN-COMMAND\n');
    }
  }, 'lines', (socket) => {
    if (!opts.tls) return socket;
    return new tls.TLSSocket(socket, { isServer: true, cert: opts.tls.cert, key: opts.tls.key });
  });
}

// --- apcupsd NIS (apcupsd's src/lib/apcnis / NETWORK INFORMATION SERVER) ---

export interface ApcupsdOptions extends SimOptions {
  /** One status line per record; default: the Telegraf capture. */
  lines?: string[];
}

export function apcupsdLines(file = 'apcupsd/telegraf-apcupsd-status.txt'): string[] {
  return readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').filter((l) => l !== '');
}

export function apcupsd(opts: ApcupsdOptions = {}): Promise<SimDevice> {
  const lines = opts.lines ?? apcupsdLines();
  return serve(opts, (conn, line) => {
    if (line !== 'status') {
      // apcupsd answers an unknown command with a record saying so, then the end.
      const msg = Buffer.from('Invalid command\n');
      const head = Buffer.alloc(2);
      head.writeUInt16BE(msg.length);
      return conn.send(Buffer.concat([head, msg, Buffer.from([0, 0])]));
    }
    const parts: Buffer[] = [];
    for (const l of lines) {
      // Each record is one status line with its newline, as apcupsd sends them.
      const rec = Buffer.from(`${l}\n`, 'utf8');
      const head = Buffer.alloc(2);
      head.writeUInt16BE(rec.length);
      parts.push(head, rec);
    }
    parts.push(Buffer.from([0, 0]));
    answer(conn, Buffer.concat(parts), opts);
  }, 'length_prefix');
}

// --- memcached (protocol.txt: "stats") ---

export function memcached(opts: SimOptions & { file?: string } = {}): Promise<SimDevice> {
  const capture = readFileSync(path.join(FIXTURES, opts.file ?? 'memcached/telegraf-memcached-stats.txt'), 'utf8');
  // The capture has LF line ends; memcached sends CRLF.
  const wire = capture.replace(/\n/g, '\r\n');
  return serve(opts, (conn, line) => {
    if (line === 'stats') return answer(conn, wire, opts);
    if (line === 'quit') return conn.end();
    conn.send('ERROR\r\n');
  });
}

// --- HAProxy stats socket ("show stat", one command per connection) ---

export function haproxySocket(opts: SimOptions & { file?: string } = {}): Promise<SimDevice> {
  const csv = readFileSync(path.join(FIXTURES, opts.file ?? 'haproxy/telegraf-sample_output.csv'), 'utf8');
  return serve(opts, (conn, line) => {
    // Outside interactive mode the CLI answers one command, its output then an empty
    // line, and closes the connection.
    if (line === 'show stat') answer(conn, `${csv}\n`, opts);
    else conn.send('Unknown command, but maybe one of the following ones is a better match:\n  show stat\n\n');
    if (opts.hostile !== 'never-ends') conn.end();
  });
}

// --- ZooKeeper four-letter words (mntr) ---

export function zookeeper(opts: SimOptions & { file?: string; whitelisted?: boolean } = {}): Promise<SimDevice> {
  const capture = readFileSync(path.join(FIXTURES, opts.file ?? 'zookeeper/zookeeper-contrib-monitoring-mntr.txt'), 'utf8');
  return serve(opts, (conn, word) => {
    if (word === 'mntr' && opts.whitelisted !== false) {
      answer(conn, capture, opts);
    } else {
      conn.send(`${word} is not executed because it is not in the whitelist.\n`);
    }
    // ZooKeeper closes after answering a four-letter word.
    if (opts.hostile !== 'never-ends') conn.end();
  }, 'four_letter');
}

// --- Redis / Valkey INFO (RESP) ---

/** The INFO text of the capture, without the redis-cli line that follows it there. */
export function redisInfo(file = 'redis/telegraf-redis-6.0.9-info.txt'): string {
  const text = readFileSync(path.join(FIXTURES, file), 'utf8');
  const cli = text.indexOf('\n\n(error)');
  return (cli < 0 ? text : text.slice(0, cli + 1)).replace(/\r?\n/g, '\r\n');
}

export function redis(opts: SimOptions & { password?: string } = {}): Promise<SimDevice> {
  const info = redisInfo();
  const authed = new WeakSet<net.Socket>();
  return serve(opts, (conn, line) => {
    const [cmd, ...args] = line.split(' ');
    switch (cmd?.toUpperCase()) {
      case 'AUTH':
        if (opts.password !== undefined && args[args.length - 1] === opts.password) {
          authed.add(conn.socket);
          return conn.send('+OK\r\n');
        }
        return conn.send('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
      case 'INFO':
        if (opts.password !== undefined && !authed.has(conn.socket)) return conn.send('-NOAUTH Authentication required.\r\n');
        return answer(conn, `$${Buffer.byteLength(info)}\r\n${info}\r\n`, opts);
      case 'QUIT':
        conn.send('+OK\r\n');
        return conn.end();
      default:
        conn.send(`-ERR unknown command '${cmd ?? ''}'\r\n`);
    }
  });
}
