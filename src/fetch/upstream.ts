// Every upstream request goes through here: the response cache, coalescing of
// identical requests in flight, credentials (with one retry when a device asks for
// them anew), three limiters (probe, target host, global), undici over the
// configuration generation's connections (keep-alive per origin, vetted addresses
// only), and a byte cap enforced while streaming. The probe's deadline is an abort
// signal covering queueing and transfer.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import pLimit, { type LimitFunction } from 'p-limit';
import { request, type Dispatcher } from 'undici';
import { AuthError, type Answer, type Auth, type Credentials, type Outgoing, type Send } from './credentials.js';
import type { Connections } from './connections.js';
import { stripBrackets } from './guard.js';
import { Deadline } from './deadline.js';
import type { Transport } from './transport.js';

/** What runs a probe's requests: the network (Upstream) or saved answers (OfflineFetcher). */
export interface Fetcher {
  fetch(spec: FetchSpec): Promise<FetchResult>;
}

export interface FetchSpec {
  /** The module request this fetch is for (for offline answers and logs). */
  request: string;
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  transport: Transport;
  /**
   * The transport without the auth's client certificate (the module's own): what a
   * redirect to another origin continues with. Undefined: `transport` has none.
   */
  redirectTransport?: Transport | undefined;
  /** The configuration generation's connections (and its target guard). */
  connections: Connections;
  auth: Auth | undefined;
  maxBytes: number;
  /** Limiter key for the device: host and port. */
  targetKey: string;
  targetConcurrency: number;
  /** The probe's own limit (p-limit), or a pass-through when the probe cannot exceed it. */
  probeLimit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The probe's deadline. */
  signal: Deadline;
  /** Seconds a successful answer may be served from the cache; 0: never cached. */
  cacheSeconds: number;
  /**
   * The probe's byte budget: takes each chunk as it arrives (0 before sending), and
   * says why the fetch must stop when the probe has no more to give.
   */
  take?: ((bytes: number) => string | undefined) | undefined;
  /**
   * A protocol other than HTTP (src/protocols/): what is sent once the request's turn
   * comes, in place of the HTTP transfer; the cache, coalescing, limiters and deadline
   * are the same. It settles with a failed result rather than throwing.
   */
  exchange?: ((signal: Deadline) => Promise<FetchResult>) | undefined;
}

export interface FetchResult {
  /** Transport-level success: an answer arrived whole. The status is judged by the caller. */
  ok: boolean;
  status: number;
  bytes: number;
  body: Buffer | undefined;
  contentType: string | undefined;
  headers: IncomingHttpHeaders;
  error: string | undefined;
  seconds: number;
  /** Served from the cache, without asking the device. */
  cached: boolean;
}

export interface UpstreamOptions {
  maxConcurrency: number;
  userAgent: string;
}

interface Shared {
  promise: Promise<FetchResult>;
  started: number;
  /** The byte limit it was sent with: a probe allowed more cannot take its failure at that limit. */
  maxBytes: number;
}

/**
 * Only requests that start together share a fetch (HA Prometheus pairs scrape within
 * moments of each other). A fetch ends at the deadline of the probe that sent it; a
 * probe that comes later sends its own, so a device is asked again on every scrape
 * even while an earlier request of it hangs.
 */
const COALESCE_WINDOW_MS = 1000;

/** Time allowed to a request that outlives its probe (a logout). */
const DETACHED_SECONDS = 10;
const CACHE_MAX_ENTRIES = 10_000;
/** Bodies announced larger than this are read into one buffer as they arrive. */
const LARGE_BODY = 256 * 1024;
const CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Longer keys (a long URL, a large body) are kept as their digest. */
const KEY_MAX_CHARS = 512;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
/**
 * Headers never sent to another origin after a redirect, whoever set them: the standard
 * credential headers, and any whose name says it holds a secret (a module's own
 * `X-Api-Key`). Headers an auth or a session added are dropped too, whatever their name.
 */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const SECRET_NAME = /token|key|secret|pass|auth|session|cookie|credential/i;

/**
 * What in a request is a credential, for redirects: the headers an auth added, or
 * `everything` for an auth's own requests (a login carries the password in its body,
 * a logout the session token), which never follow a redirect to another origin.
 */
type Secrets = ReadonlySet<string> | 'everything';
const NO_SECRETS: Secrets = new Set();

export class Upstream implements Fetcher {
  private readonly global: LimitFunction;
  private readonly targets = new Map<string, LimitFunction>();
  private readonly inflight = new Map<string, Shared>();
  private readonly cache = new Map<string, { result: FetchResult; expires: number; size: number }>();
  private cacheBytes = 0;
  private readonly userAgent: string;
  /** Requests waiting for a limiter slot. */
  queued = 0;
  /** Requests being transferred. */
  inFlight = 0;
  /** Requests that joined an identical one already in flight instead of asking the device. */
  coalesced = 0;
  cacheHits = 0;

  constructor(opts: UpstreamOptions) {
    this.global = pLimit(opts.maxConcurrency);
    this.userAgent = opts.userAgent;
  }

  /** Number of per-target limiters alive: bounded by the targets being probed right now. */
  get targetLimiters(): number {
    return this.targets.size;
  }

  async fetch(spec: FetchSpec): Promise<FetchResult> {
    const idempotent = spec.method === 'GET' || spec.method === 'HEAD';
    if (!idempotent) return this.authenticated(spec, spec.signal);
    const key = requestKey(spec);
    if (spec.cacheSeconds > 0) {
      const hit = this.cache.get(key);
      if (hit && hit.expires > Date.now()) {
        this.cacheHits++;
        return withinLimit({ ...hit.result, seconds: 0, cached: true }, spec.maxBytes);
      }
      if (hit) this.evict(key);
    }
    let shared = this.inflight.get(key);
    if (shared && performance.now() - shared.started < COALESCE_WINDOW_MS && shared.maxBytes >= spec.maxBytes) {
      this.coalesced++;
      // The answer was read under the sender's limit, which may be larger than this probe's.
      return this.join(shared, spec.signal).then((r) => withinLimit(r, spec.maxBytes));
    }
    const created: Shared = { started: performance.now(), maxBytes: spec.maxBytes, promise: this.authenticated(spec, spec.signal) };
    shared = created;
    this.inflight.set(key, created);
    void created.promise.then((result) => {
      if (this.inflight.get(key) === created) this.inflight.delete(key);
      // Another protocol's answer has no status: ok is its whole verdict.
      if (spec.cacheSeconds > 0 && result.ok && (spec.exchange !== undefined || (result.status >= 200 && result.status < 300))) this.store(key, result, spec.cacheSeconds);
    });
    return created.promise;
  }

  // A probe that joined waits for the shared fetch or for its own deadline, whichever
  // comes first; the fetch itself belongs to the probe that sent it.
  private join(shared: Shared, signal: Deadline): Promise<FetchResult> {
    const started = performance.now();
    if (signal.aborted) return Promise.resolve(failed(0, 'deadline exceeded', started));
    let onAbort!: () => void;
    const aborted = new Promise<FetchResult>((resolve) => {
      onAbort = () => resolve(failed(0, 'deadline exceeded', started));
      signal.once('abort', onAbort);
    });
    return Promise.race([shared.promise, aborted]).finally(() => signal.removeListener('abort', onAbort));
  }

  private store(key: string, result: FetchResult, seconds: number): void {
    this.evict(key);
    // The device's headers are kept with the body (up to undici's 16 KiB each): counted too.
    const size = result.bytes + key.length + headersSize(result.headers);
    if (size > CACHE_MAX_BYTES / 4) return;
    this.cache.set(key, { result, expires: Date.now() + seconds * 1000, size });
    this.cacheBytes += size;
    for (const [k] of this.cache) {
      if (this.cache.size <= CACHE_MAX_ENTRIES && this.cacheBytes <= CACHE_MAX_BYTES) break;
      this.evict(k);
    }
  }

  private evict(key: string): void {
    const entry = this.cache.get(key);
    if (!entry) return;
    this.cacheBytes -= entry.size;
    this.cache.delete(key);
  }

  /** The request with its credentials; sent once more if the device renews them (digest, expired session). */
  private async authenticated(spec: FetchSpec, signal: Deadline): Promise<FetchResult> {
    const started = performance.now();
    if (!spec.auth) return this.limited(spec, spec.url, spec.headers, signal, NO_SECRETS);
    const send: Send = async (req: Outgoing, opts) =>
      answerOf(await this.limited({ ...spec, body: req.body, method: req.method }, req.url, req.headers, opts?.detached ? Deadline.after(DETACHED_SECONDS * 1000) : signal, 'everything'));
    const outgoing: Outgoing = { method: spec.method, url: spec.url, headers: spec.headers, body: spec.body };
    // Checked when the probe was resolved, and again here, as the name may resolve
    // elsewhere by now (the guard keeps an answer 10 s): credentials go only where the
    // auth's targets allow, at the address the connection is made to.
    const refused = await this.authRefusal(spec);
    if (refused) return failed(0, refused, started);
    const withCredentials = (creds: Credentials): Promise<FetchResult> =>
      this.limited(spec, creds.url, { ...spec.headers, ...creds.headers }, signal, new Set(Object.keys(creds.headers).map((k) => k.toLowerCase())));
    try {
      let creds: Credentials = await spec.auth.apply(outgoing, send, signal);
      let res = await withCredentials(creds);
      if (res.ok && (await creds.renew(answerOf(res)))) {
        creds = await spec.auth.apply(outgoing, send, signal);
        res = await withCredentials(creds);
      }
      return res;
    } catch (err) {
      if (err instanceof AuthError) return failed(0, `auth ${spec.auth.name}: ${err.message}`, started);
      throw err;
    }
  }

  /** Why the auth's credentials may not go to the request's host, if they may not. */
  private async authRefusal(spec: FetchSpec): Promise<string | undefined> {
    const auth = spec.auth!;
    if (!auth.targets) return undefined;
    let address = '';
    try {
      address = (await spec.connections.guard.vet(spec.url.hostname)).address;
    } catch {
      // Refused or not resolvable: the connection fails with the guard's own reason.
      return undefined;
    }
    if (auth.targets.match(stripBrackets(spec.url.hostname), address)) return undefined;
    return `auth ${auth.name} may not be sent to ${spec.url.host}${address && address !== stripBrackets(spec.url.hostname) ? ` (${address})` : ''} (not in auths.${auth.name}.targets)`;
  }

  /** Sends a request once its turn comes under the probe, target and global limits. */
  private async limited(spec: FetchSpec, url: URL, headers: Record<string, string>, signal: Deadline, secrets: Secrets): Promise<FetchResult> {
    const started = performance.now();
    const limiter = this.targetLimiter(spec.targetKey, spec.targetConcurrency);
    this.queued++;
    let dequeued = false;
    const run = async (): Promise<FetchResult> => {
      this.queued--;
      dequeued = true;
      if (signal.aborted) return failed(0, 'deadline exceeded while queued behind the concurrency limits', started);
      const spent = spec.take?.(0);
      if (spent) return failed(0, spent, started);
      this.inFlight++;
      try {
        return await untilDeadline(spec.exchange ? spec.exchange(signal) : this.transfer(spec, url, headers, signal, started, secrets), signal, started);
      } finally {
        this.inFlight--;
      }
    };
    try {
      return await spec.probeLimit(() => limiter(() => this.global(run)));
    } finally {
      if (!dequeued) this.queued--;
      // p-limit releases the slot a few ticks after the task settles: look once it has.
      setImmediate(() => this.evictIfIdle(spec.targetKey, limiter));
    }
  }

  private targetLimiter(key: string, concurrency: number): LimitFunction {
    let limiter = this.targets.get(key);
    if (!limiter) {
      limiter = pLimit(concurrency);
      this.targets.set(key, limiter);
    } else if (limiter.concurrency !== concurrency && limiter.activeCount === 0) {
      limiter.concurrency = concurrency;
    }
    return limiter;
  }

  // Idle per-target limiters are dropped at once, so their number stays bounded by
  // the targets being probed at this moment, however many targets there are.
  private evictIfIdle(key: string, limiter: LimitFunction): void {
    if (limiter.activeCount === 0 && limiter.pendingCount === 0 && this.targets.get(key) === limiter) this.targets.delete(key);
  }

  private async transfer(spec: FetchSpec, url: URL, headers: Record<string, string>, signal: Deadline, started: number, secrets: Secrets): Promise<FetchResult> {
    let res: Dispatcher.ResponseData;
    let current = url;
    let method = spec.method;
    let payload = spec.body;
    let sent = headers;
    let transport = spec.transport;
    for (let hops = 0; ; hops++) {
      const send = (): Promise<Dispatcher.ResponseData> =>
        request(current, {
          dispatcher: spec.connections.dispatcher(transport),
          method,
          headers: { 'user-agent': this.userAgent, ...sent },
          body: payload,
          signal,
        });
      try {
        try {
          res = await send();
        } catch (err) {
          // A device may close a kept-alive connection just as a request goes out on it:
          // the request never reached it. A GET or HEAD is sent once more, on a fresh
          // connection (the closed one is gone from the pool); anything else could have
          // had an effect, and fails.
          if ((method !== 'GET' && method !== 'HEAD') || signal.aborted || !closedUnderneath(err)) throw err;
          res = await send();
        }
      } catch (err) {
        return failed(0, describeError(err, signal), started);
      }
      const location = headerValue(res.headers['location']);
      if (!spec.transport.followRedirects || !REDIRECTS.has(res.statusCode) || location === undefined) break;
      await res.body.dump().catch(() => undefined);
      if (hops === MAX_REDIRECTS) return failed(res.statusCode, `stopped after ${MAX_REDIRECTS} redirects`, started, 0, res.headers);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return failed(res.statusCode, `redirect to ${JSON.stringify(location)}, not a valid URL`, started, 0, res.headers);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        return failed(res.statusCode, `redirect to ${next.protocol} URL refused`, started, 0, res.headers);
      }
      if (next.origin !== current.origin) {
        // Another origin is held to the target rules (through a proxy too) and gets no
        // credentials: not the auth's headers, not a secret-looking header of the module,
        // and an auth's own request (a login with the password in its body) not at all.
        if (secrets === 'everything') {
          return failed(res.statusCode, `redirect to ${next.origin} refused: a request of auth ${spec.auth?.name ?? ''} carries credentials and stays on ${current.origin}`, started, 0, res.headers);
        }
        try {
          await spec.connections.guard.vet(next.hostname);
        } catch (err) {
          return failed(res.statusCode, `redirect to ${next.origin} refused: ${(err as Error).message}`, started, 0, res.headers);
        }
        sent = withoutCredentials(sent, secrets);
        secrets = NO_SECRETS;
        // Nor the auth's client certificate.
        transport = spec.redirectTransport ?? transport;
      }
      // As browsers and Go's client do: 303, and 301/302 after a POST, continue as a GET without the body.
      if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        payload = undefined;
      }
      current = next;
    }
    const status = res.statusCode;
    const contentType = headerValue(res.headers['content-type']);
    const declared = Number(headerValue(res.headers['content-length']));
    if (declared > spec.maxBytes) {
      // destroy() makes undici's body emit an AbortError: expected here, not a fault.
      res.body.on('error', () => {});
      res.body.destroy();
      return failed(status, `response of ${declared} bytes exceeds the limit of ${spec.maxBytes} bytes`, started, 0, res.headers);
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    // A large body of announced length is copied into place chunk by chunk: joining the
    // chunks at the end is one copy of the whole body (~5 ms for 16 MiB, with nothing
    // else running) while holding it twice.
    const whole = declared > LARGE_BODY && Number.isSafeInteger(declared) ? Buffer.allocUnsafe(declared) : undefined;
    try {
      // Leaving the loop early ends the body stream (the connection is not reused).
      for await (const chunk of res.body) {
        const c = chunk as Buffer;
        bytes += c.length;
        if (bytes > spec.maxBytes) return failed(status, `response exceeds the limit of ${spec.maxBytes} bytes`, started, bytes, res.headers);
        const spent = spec.take?.(c.length);
        if (spent) return failed(status, spent, started, bytes, res.headers);
        // Never past the announced length (undici delimits the body by it; kept apart if not).
        if (whole && chunks.length === 0 && bytes <= whole.length) c.copy(whole, bytes - c.length);
        else chunks.push(c);
      }
    } catch (err) {
      return failed(status, describeError(err, signal), started, bytes, res.headers);
    }
    const copied = whole ? bytes - chunks.reduce((n, c) => n + c.length, 0) : 0;
    const parts = copied > 0 ? [whole!.subarray(0, copied), ...chunks] : chunks;
    const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes);
    return { ok: true, status, bytes, body, contentType, headers: res.headers, error: undefined, seconds: (performance.now() - started) / 1000, cached: false };
  }
}

// A request's headers are one object compiled at config load, shared by every fetch
// of that request: their part of the key is computed once per object.
const headerKeys = new WeakMap<Record<string, string>, string>();
// Credentials by identity, not by name: two auths of one name (before and after a
// reload) are different credentials.
const authIds = new WeakMap<Auth, number>();
let authCount = 0;

/**
 * What makes two requests the same request: only those share a fetch in flight or a
 * cached answer. Method, URL, headers, body, the credentials, the connections (the
 * configuration generation) and the transport (TLS settings, proxy, redirects, and the
 * transport a redirect continues with). Limits are not part of it: each probe holds a
 * shared answer to its own (see fetch).
 */
export function requestKey(spec: FetchSpec): string {
  let h = headerKeys.get(spec.headers);
  if (h === undefined) {
    h = '';
    for (const k of Object.keys(spec.headers).sort()) h += `${k}:${spec.headers[k]}\n`;
    headerKeys.set(spec.headers, h);
  }
  let auth = 0;
  if (spec.auth) {
    auth = authIds.get(spec.auth) ?? ++authCount;
    authIds.set(spec.auth, auth);
  }
  // The body last and with its length: whatever it holds cannot pass for another part.
  const body = spec.body === undefined ? '-' : `${spec.body.length}:${spec.body}`;
  const key = `${spec.method} ${spec.url.href}\n${auth}\n${spec.connections.id}:${spec.transport.key}\n${spec.redirectTransport?.key ?? ''}\n${h}${body}`;
  // A cached entry keeps its key as long as its answer: a long one is kept as a digest.
  return key.length > KEY_MAX_CHARS ? `#${createHash('sha256').update(key).digest('base64')}` : key;
}

function headersSize(headers: IncomingHttpHeaders): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) n += k.length + (Array.isArray(v) ? v.reduce((a, x) => a + x.length, 0) : (v?.length ?? 0));
  return n;
}

/** A shared answer (in flight or cached) as a probe with the limit `maxBytes` may take it. */
function withinLimit(r: FetchResult, maxBytes: number): FetchResult {
  if (r.bytes <= maxBytes) return r;
  // Past this probe's limit, whatever else happened to the fetch (it may have failed at
  // the sender's larger limit): the probe's own limit is the reason.
  return { ...r, ok: false, body: undefined, contentType: undefined, error: `response ${r.ok ? `of ${r.bytes} bytes ` : ''}exceeds the limit of ${maxBytes} bytes` };
}

function withoutCredentials(headers: Record<string, string>, added: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (!added.has(name) && !CREDENTIAL_HEADERS.has(name) && !SECRET_NAME.test(name)) out[k] = v;
  }
  return out;
}

/**
 * The transfer, or a failure at the deadline, whichever comes first. undici looks at a
 * request's signal only once a connection is there, so a device that does not answer
 * the connect would hold its limiter slots until the connect timeout, past the probe's
 * deadline, and the next probe of that device would wait behind it. At the deadline the
 * slot is given back; the connect attempt is aborted by undici as soon as it ends.
 */
function untilDeadline(transfer: Promise<FetchResult>, signal: Deadline, started: number): Promise<FetchResult> {
  if (signal.aborted) return transfer;
  let onAbort!: () => void;
  const ended = new Promise<FetchResult>((resolve) => {
    onAbort = () => resolve(failed(0, 'deadline exceeded', started));
    signal.once('abort', onAbort);
  });
  // A transfer that settles at the abort itself (the usual case) wins the race with
  // what it received: its status and bytes, not the bare failure.
  return Promise.race([transfer, ended.then(async (bare) => Promise.race([transfer, settleSoon(bare)]))]).finally(() => signal.removeListener('abort', onAbort));
}

/** Resolves with `value` after the transfer had a few turns of the event loop to settle on its own. */
function settleSoon(value: FetchResult): Promise<FetchResult> {
  return new Promise((resolve) => setTimeout(() => resolve(value), 20));
}

function answerOf(r: FetchResult): Answer {
  return { ok: r.ok, status: r.status, headers: r.headers, body: r.body, error: r.error };
}

function failed(status: number, error: string, started: number, bytes = 0, headers: IncomingHttpHeaders = {}): FetchResult {
  return { ok: false, status, bytes, body: undefined, contentType: undefined, headers, error, seconds: (performance.now() - started) / 1000, cached: false };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The connection closed before any answer came: the other side closed it, or reset it. */
function closedUnderneath(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

function describeError(err: unknown, signal: Deadline): string {
  if (signal.aborted) return 'deadline exceeded';
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const inner = e.cause ?? e;
  const code = inner.code ?? e.code;
  const msg = inner.message || e.message || String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

