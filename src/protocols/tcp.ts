// The TCP line/record client: connect (optionally TLS from the first byte, or after
// upsd's STARTTLS), log in with lines each answered `OK`, send the request lines, read
// the answer until its terminator, say goodbye. Status ports that predate HTTP APIs
// speak this way: NUT's upsd, apcupsd's NIS, memcached, ZooKeeper's four-letter words,
// Redis INFO.
//
// Everything the device sends counts against one byte cap, checked as each chunk
// arrives, so a hostile device can never make it hold more than the cap. Lines are
// found by scanning each received byte once (no regular expression ever sees device
// input here), so the work is linear in what arrives however it is chunked.
//
// The address is not looked up here: the caller's `vet` (the exporter's target guard)
// resolves and vets the host, and the connection goes to the very address it vetted,
// as the HTTP side does (src/fetch/connections.ts).
import net from 'node:net';
import tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { TcpTerminator } from '../module/plan.js';

export type { TcpTerminator };

export type TcpTlsMode = 'none' | 'tls' | 'starttls';

export interface TcpTlsOptions {
  rejectUnauthorized?: boolean;
  ca?: string | Buffer | Array<string | Buffer>;
  /** SNI and the name the certificate is checked against; default: the host when it is a name. */
  servername?: string;
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * Called once the handshake is done, before anything is written on the connection
   * (pins, first use): a reason refuses the peer and the connection is cut.
   */
  verifyPeer?: (socket: tls.TLSSocket) => string | undefined;
}

export interface TcpSpec {
  host: string;
  port: number;
  tls: TcpTlsMode;
  tlsOptions?: TcpTlsOptions;
  /** Lines sent first, each of which must be answered by one line: `OK`, `OK …` or `+OK` (RESP). */
  login?: readonly string[];
  /** The request lines. */
  send: readonly string[];
  until: TcpTerminator;
  /** Sent after the answer (upsd `LOGOUT`, memcached `quit`); its answer is not awaited. */
  quit?: string;
  /** What ends each line sent: `\n` (default), `\r\n` or '' (ZooKeeper reads exactly four bytes). */
  eol?: '\n' | '\r\n' | '';
  /** First-line prefixes that mean the device refused the request (`ERR `, `SERVER_ERROR`, …). */
  errors?: readonly string[];
  /** The most the device may send on this connection, login replies included. */
  maxBytes: number;
  /** The probe's deadline. */
  signal?: AbortSignal;
}

export interface TcpDeps {
  /** Resolves and vets the host (the exporter's TargetGuard.vet); throws to refuse it. */
  vet: (host: string) => Promise<{ address: string; family: number }>;
  /** Opens the TCP connection to a vetted address; net.connect by default. */
  connect?: (opts: { host: string; port: number; family: number }) => net.Socket;
  now?: () => number;
}

export type TcpPhase = 'connect' | 'tls' | 'starttls' | 'login' | 'send' | 'read';

export type TcpResult =
  | { ok: true; body: Buffer; bytes: number; seconds: number; peer?: X509Certificate; tlsVersion?: string }
  | { ok: false; error: string; phase: TcpPhase; bytes: number; seconds: number; peer?: X509Certificate; tlsVersion?: string };

class TcpFailure extends Error {}

/** A device's words in a one-line message: control characters escaped, cut short. */
function shown(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A login line as it may be shown: its first word only (a password never appears). */
function command(line: string): string {
  const space = line.indexOf(' ');
  return shown(space < 0 ? line : line.slice(0, space), 40);
}

/**
 * What arrived and is not consumed yet, as a list of chunks (concatenating each chunk
 * onto one buffer would be quadratic for a device sending a byte at a time). `total`
 * counts every byte received, and the cap is checked before a chunk is kept.
 */
class Incoming {
  /** Unread chunks are chunks[head…]; the array is compacted now and then rather than shifted (shift is linear). */
  private chunks: Buffer[] = [];
  private head = 0;
  private length = 0;
  /** Where the search for the next newline goes on (chunk index, offset, bytes before it): bytes before hold none. */
  private scanChunk = 0;
  private scanOffset = 0;
  private scanBefore = 0;
  private waiter: (() => void) | undefined;
  ended = false;
  failure: Error | undefined;
  total = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    if (this.failure) return;
    this.total += chunk.length;
    if (this.total > this.maxBytes) {
      this.fail(new TcpFailure(`answer larger than max_response_bytes (${this.maxBytes} bytes)`));
      return;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  get pending(): number {
    return this.length;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private more(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  /** Removes and returns the first n bytes (n ≤ length). */
  private take(n: number): Buffer {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const first = this.chunks[this.head]!;
      if (first.length <= left) {
        parts.push(first);
        this.head++;
        left -= first.length;
      } else {
        parts.push(first.subarray(0, left));
        this.chunks[this.head] = first.subarray(left);
        left = 0;
      }
    }
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.length -= n;
    this.scanChunk = this.head;
    this.scanOffset = 0;
    this.scanBefore = 0;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  /** The next line without its LF (and CR); undefined when the connection ended first. */
  async line(): Promise<Buffer | undefined> {
    for (;;) {
      this.check();
      if (this.scanChunk < this.head) {
        this.scanChunk = this.head;
        this.scanOffset = 0;
        this.scanBefore = 0;
      }
      while (this.scanChunk < this.chunks.length) {
        const chunk = this.chunks[this.scanChunk]!;
        const at = chunk.indexOf(0x0a, this.scanOffset);
        if (at >= 0) {
          const line = this.take(this.scanBefore + at + 1);
          const end = line.length >= 2 && line[line.length - 2] === 0x0d ? line.length - 2 : line.length - 1;
          return line.subarray(0, end);
        }
        this.scanBefore += chunk.length;
        this.scanChunk++;
        this.scanOffset = 0;
      }
      if (this.ended) return undefined;
      await this.more();
    }
  }

  /** Exactly n bytes; undefined when the connection ended first. */
  async bytes(n: number): Promise<Buffer | undefined> {
    for (;;) {
      this.check();
      if (this.length >= n) return this.take(n);
      if (this.ended) return undefined;
      await this.more();
    }
  }

  /** Everything until the device closes. */
  async rest(): Promise<Buffer> {
    for (;;) {
      this.check();
      if (this.ended) return this.take(this.length);
      await this.more();
    }
  }
}

function frame(line: string, eol: string, lengthPrefix: boolean): Buffer {
  if (!lengthPrefix) return Buffer.from(line + eol, 'utf8');
  const text = Buffer.from(line, 'utf8');
  if (text.length > 0xffff) throw new TcpFailure('a line sent is longer than a 2-byte length prefix allows');
  const out = Buffer.alloc(2 + text.length);
  out.writeUInt16BE(text.length, 0);
  text.copy(out, 2);
  return out;
}

function write(socket: net.Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

/** Connects, talks, and always answers: never throws, never leaves the socket open. */
export async function fetchTcp(spec: TcpSpec, deps: TcpDeps): Promise<TcpResult> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const incoming = new Incoming(spec.maxBytes);
  let phase: TcpPhase = 'connect';
  let socket: net.Socket | undefined;
  let peer: X509Certificate | undefined;
  let tlsVersion: string | undefined;
  let done = false;
  const signal = spec.signal;
  // Every listener this call puts on the probe's signal, which outlives it, is taken off in
  // `finally`. Not with addEventListener's `signal` option: on Node 20 the second listener
  // added that way to one target leaves the first one's removal only weakly held, and a
  // garbage collection in between leaves the first listener on the signal for good.
  const added: Array<() => void> = [];
  const onSignal = (fn: () => void): void => {
    signal?.addEventListener('abort', fn, { once: true });
    added.push(fn);
  };
  const extra = (): { peer?: X509Certificate; tlsVersion?: string } => ({ ...(peer && { peer }), ...(tlsVersion && { tlsVersion }) });
  const seconds = (): number => (now() - started) / 1000;

  const onAbort = (): void => {
    incoming.fail(new TcpFailure(`deadline exceeded while ${phaseText(phase)}`));
    socket?.destroy();
  };
  if (signal?.aborted) return { ok: false, error: `deadline exceeded before connecting`, phase, bytes: 0, seconds: seconds() };
  onSignal(onAbort);

  const attach = (s: net.Socket): void => {
    s.on('data', (chunk: Buffer) => {
      incoming.push(chunk);
      // Past the cap nothing more is read: the connection is cut at once.
      if (incoming.failure) s.destroy();
    });
    s.on('end', () => incoming.end());
    s.on('close', () => incoming.end());
    s.on('error', (err: NodeJS.ErrnoException) => incoming.fail(new TcpFailure(`${phaseText(phase)}: ${err.code ?? err.message}`)));
  };
  const detach = (s: net.Socket): void => {
    s.removeAllListeners('data');
    s.removeAllListeners('end');
    s.removeAllListeners('close');
    s.removeAllListeners('error');
    // The socket's later errors belong to the TLS socket wrapping it.
    s.on('error', () => {});
  };

  const handshake = async (raw: net.Socket): Promise<tls.TLSSocket> => {
    const o = spec.tlsOptions ?? {};
    const servername = o.servername ?? (net.isIP(spec.host) === 0 ? spec.host : undefined);
    const secure = tls.connect({
      socket: raw,
      host: spec.host,
      ...(servername !== undefined && { servername }),
      ...(o.rejectUnauthorized !== undefined && { rejectUnauthorized: o.rejectUnauthorized }),
      ...(o.ca !== undefined && { ca: o.ca }),
      ...(o.cert !== undefined && { cert: o.cert }),
      ...(o.key !== undefined && { key: o.key }),
    });
    socket = secure;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException): void => reject(new TcpFailure(`TLS handshake failed: ${err.code ?? err.message}`));
      secure.once('secureConnect', () => {
        secure.off('error', fail);
        resolve();
      });
      secure.once('error', fail);
      onSignal(() => reject(new TcpFailure('deadline exceeded during the TLS handshake')));
    });
    // Checked first: once getPeerX509Certificate() has been called, Node 20 answers every
    // later getPeerCertificate() with an empty object (Node 24 does not).
    const refused = o.verifyPeer?.(secure);
    peer = secure.getPeerX509Certificate();
    tlsVersion = secure.getProtocol() ?? undefined;
    if (refused !== undefined) throw new TcpFailure(refused);
    return secure;
  };

  try {
    let vetted: { address: string; family: number };
    try {
      vetted = await deps.vet(spec.host);
    } catch (err) {
      throw new TcpFailure((err as Error).message);
    }
    if (signal?.aborted) throw new TcpFailure('deadline exceeded while connecting');
    const raw = (deps.connect ?? ((o) => net.connect(o)))({ host: vetted.address, port: spec.port, family: vetted.family });
    socket = raw;
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', resolve);
      raw.once('error', (err: NodeJS.ErrnoException) => reject(new TcpFailure(`cannot connect to ${shown(spec.host)}:${spec.port}: ${err.code ?? err.message}`)));
      onSignal(() => reject(new TcpFailure('deadline exceeded while connecting')));
    });
    raw.removeAllListeners('error');
    // Errors after connecting are read through the listeners attach() adds; this one
    // only keeps an error in a gap between listeners from ending the process.
    raw.on('error', () => {});
    raw.setNoDelay(true);

    let conn: net.Socket = raw;
    if (spec.tls === 'tls') {
      phase = 'tls';
      conn = await handshake(raw);
    }
    attach(conn);
    const eol = spec.eol ?? '\n';
    const lengthPrefix = typeof spec.until === 'object' && 'length_prefix' in spec.until;
    const say = (line: string): Promise<void> => write(conn, frame(line, eol, lengthPrefix));

    if (spec.tls === 'starttls') {
      phase = 'starttls';
      await say('STARTTLS');
      const answer = await incoming.line();
      if (answer === undefined) throw new TcpFailure('the device closed the connection after STARTTLS');
      const text = answer.toString('latin1');
      if (text !== 'OK STARTTLS') throw new TcpFailure(`STARTTLS refused: ${shown(text)}`);
      // Bytes sent before the handshake would be taken as sent under TLS (the STARTTLS
      // injection of CVE-2011-0411): refuse them.
      if (incoming.pending > 0) throw new TcpFailure('the device sent data after OK STARTTLS, before the TLS handshake');
      detach(raw);
      phase = 'tls';
      conn = await handshake(raw);
      attach(conn);
    }

    phase = 'login';
    for (const line of spec.login ?? []) {
      await say(line);
      const answer = await incoming.line();
      if (answer === undefined) throw new TcpFailure(`the device closed the connection after ${command(line)}`);
      const text = answer.toString('latin1');
      // upsd and most line protocols say `OK`; RESP says `+OK`.
      if (text !== 'OK' && !text.startsWith('OK ') && text !== '+OK') throw new TcpFailure(`login refused at ${command(line)}: ${shown(text)}`);
    }

    phase = 'send';
    for (const line of spec.send) await say(line);

    phase = 'read';
    const body = await readAnswer(spec, incoming);

    if (spec.quit !== undefined) {
      // A goodbye the device may not read: its failure changes nothing.
      conn.write(frame(spec.quit, eol, lengthPrefix), () => {});
    }
    // A goodbye gets out before the socket is cut; a device that does not read it does not hold it for long.
    const closing = conn;
    closing.end(() => closing.destroy());
    setTimeout(() => closing.destroy(), 1000).unref();
    done = true;
    return { ok: true, body, bytes: incoming.total, seconds: seconds(), ...extra() };
  } catch (err) {
    const message = incoming.failure?.message ?? (err instanceof TcpFailure ? err.message : `${phaseText(phase)}: ${(err as Error).message}`);
    return { ok: false, error: message, phase, bytes: incoming.total, seconds: seconds(), ...extra() };
  } finally {
    for (const fn of added) signal?.removeEventListener('abort', fn);
    // On failure nothing more is said: the connection is cut.
    if (!done) socket?.destroy();
  }
}

function phaseText(phase: TcpPhase): string {
  switch (phase) {
    case 'connect': return 'connecting';
    case 'tls': return 'in the TLS handshake';
    case 'starttls': return 'asking for STARTTLS';
    case 'login': return 'logging in';
    case 'send': return 'sending the request';
    case 'read': return 'reading the answer';
  }
}

async function readAnswer(spec: TcpSpec, incoming: Incoming): Promise<Buffer> {
  const until = spec.until;
  const errors = spec.errors ?? [];
  const refused = (first: Buffer): void => {
    if (!errors.length) return;
    const text = first.toString('latin1');
    if (errors.some((e) => text.startsWith(e))) throw new TcpFailure(`the device answered: ${shown(text)}`);
  };
  if (until === 'close') {
    const all = await incoming.rest();
    if (errors.length) {
      const nl = all.indexOf(0x0a);
      refused(nl < 0 ? all : all.subarray(0, nl));
    }
    return all;
  }
  if (until === 'resp') return readResp(incoming);
  if ('bytes' in until) {
    const body = await incoming.bytes(until.bytes);
    if (body === undefined) throw new TcpFailure(`the device closed the connection after ${incoming.pending} of ${until.bytes} bytes`);
    const nl = body.indexOf(0x0a);
    refused(nl < 0 ? body : body.subarray(0, nl));
    return body;
  }
  if ('length_prefix' in until) {
    const records: Buffer[] = [];
    let size = 0;
    for (;;) {
      const head = await incoming.bytes(2);
      if (head === undefined) throw new TcpFailure(`the device closed the connection before the end of its records (${records.length} read)`);
      const n = head.readUInt16BE(0);
      if (n === 0) break;
      const record = await incoming.bytes(n);
      if (record === undefined) throw new TcpFailure(`the device closed the connection inside a record (${records.length} read)`);
      if (records.length === 0) refused(record);
      records.push(record);
      size += n + 1;
    }
    // One record per line (apcupsd's records end with a newline of their own; where one does not, it is added).
    const out = Buffer.alloc(size);
    let at = 0;
    for (const r of records) {
      at += r.copy(out, at);
      if (r[r.length - 1] !== 0x0a) out[at++] = 0x0a;
    }
    return out.subarray(0, at);
  }
  const end = Buffer.from(until.line, 'utf8');
  const lines: Buffer[] = [];
  let size = 0;
  for (;;) {
    const line = await incoming.line();
    if (line === undefined) throw new TcpFailure(`the device closed the connection before ${shown(JSON.stringify(until.line))} (${lines.length} lines read)`);
    if (lines.length === 0) refused(line);
    if (line.equals(end)) break;
    lines.push(line);
    size += line.length + 1;
  }
  const out = Buffer.alloc(size);
  let at = 0;
  for (const l of lines) {
    at += l.copy(out, at);
    out[at++] = 0x0a;
  }
  return out;
}

/** One RESP reply: a bulk string's bytes, a simple string's text; an error reply fails. */
async function readResp(incoming: Incoming): Promise<Buffer> {
  const head = await incoming.line();
  if (head === undefined) throw new TcpFailure('the device closed the connection before answering');
  const kind = head[0];
  const text = head.subarray(1).toString('latin1');
  if (kind === 0x2d /* - */) throw new TcpFailure(`the device answered: ${shown(text)}`);
  if (kind === 0x2b /* + */) return head.subarray(1);
  if (kind !== 0x24 /* $ */) throw new TcpFailure(`not a RESP bulk string: ${shown(head.toString('latin1'), 40)}`);
  if (!/^\d{1,10}$/.test(text)) throw new TcpFailure(`not a RESP bulk string length: ${shown(text, 40)}`);
  const n = Number(text);
  const body = await incoming.bytes(n + 2);
  if (body === undefined) throw new TcpFailure(`the device closed the connection inside a ${n}-byte bulk string`);
  return body.subarray(0, n);
}
