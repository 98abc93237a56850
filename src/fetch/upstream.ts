// Every upstream request goes through here: the response cache, coalescing of
// identical requests in flight, credentials (with one retry when a device asks for
// them anew), three limiters (probe, target host, global), undici with keep-alive per
// origin over connections to vetted addresses only, and a byte cap enforced while
// streaming. The probe's deadline is an abort signal covering queueing and transfer.
import type { IncomingHttpHeaders } from 'node:http';

import pLimit, { type LimitFunction } from 'p-limit';
import { Agent, buildConnector, ProxyAgent, request, type Client, type Dispatcher } from 'undici';
import { AuthError, type Answer, type Auth, type Credentials, type Outgoing, type Send } from '../auth/types.js';
import { Deadline } from './deadline.js';
import { OriginPool } from './origin-pool.js';
import type { TargetGuard } from './guard.js';
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
  guard: TargetGuard;
}

interface Shared {
  promise: Promise<FetchResult>;
  started: number;
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
/** Longer than any scrape timeout in practice (Prometheus's default is 10 s). */
const CONNECT_TIMEOUT_MS = 10_000;
const CACHE_MAX_ENTRIES = 10_000;
const CACHE_MAX_BYTES = 64 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

export class Upstream implements Fetcher {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly global: LimitFunction;
  private readonly targets = new Map<string, LimitFunction>();
  private readonly inflight = new Map<string, Shared>();
  private readonly cache = new Map<string, { result: FetchResult; expires: number }>();
  private cacheBytes = 0;
  private readonly userAgent: string;
  /** Replaced as a whole when the configuration changes. */
  guard: TargetGuard;
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
    this.guard = opts.guard;
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
        return { ...hit.result, seconds: 0, cached: true };
      }
      if (hit) this.evict(key);
    }
    let shared = this.inflight.get(key);
    if (shared && performance.now() - shared.started < COALESCE_WINDOW_MS) {
      this.coalesced++;
      return this.join(shared, spec.signal);
    }
    const created: Shared = { started: performance.now(), promise: this.authenticated(spec, spec.signal) };
    shared = created;
    this.inflight.set(key, created);
    void created.promise.then((result) => {
      if (this.inflight.get(key) === created) this.inflight.delete(key);
      if (spec.cacheSeconds > 0 && result.ok && result.status >= 200 && result.status < 300) this.store(key, result, spec.cacheSeconds);
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
    if (result.bytes > CACHE_MAX_BYTES / 4) return;
    this.cache.set(key, { result, expires: Date.now() + seconds * 1000 });
    this.cacheBytes += result.bytes;
    for (const [k] of this.cache) {
      if (this.cache.size <= CACHE_MAX_ENTRIES && this.cacheBytes <= CACHE_MAX_BYTES) break;
      this.evict(k);
    }
  }

  private evict(key: string): void {
    const entry = this.cache.get(key);
    if (!entry) return;
    this.cacheBytes -= entry.result.bytes;
    this.cache.delete(key);
  }

  /** The request with its credentials; sent once more if the device renews them (digest, expired session). */
  private async authenticated(spec: FetchSpec, signal: Deadline): Promise<FetchResult> {
    const started = performance.now();
    if (!spec.auth) return this.limited(spec, spec.url, spec.headers, signal);
    const send: Send = async (req: Outgoing, opts) =>
      answerOf(await this.limited({ ...spec, body: req.body, method: req.method }, req.url, req.headers, opts?.detached ? Deadline.after(DETACHED_SECONDS * 1000) : signal));
    const outgoing: Outgoing = { method: spec.method, url: spec.url, headers: spec.headers, body: spec.body };
    try {
      let creds: Credentials = await spec.auth.apply(outgoing, send, signal);
      let res = await this.limited(spec, creds.url, { ...spec.headers, ...creds.headers }, signal);
      if (res.ok && (await creds.renew(answerOf(res)))) {
        creds = await spec.auth.apply(outgoing, send, signal);
        res = await this.limited(spec, creds.url, { ...spec.headers, ...creds.headers }, signal);
      }
      return res;
    } catch (err) {
      if (err instanceof AuthError) return failed(0, `auth ${spec.auth.name}: ${err.message}`, started);
      throw err;
    }
  }

  /** Sends a request once its turn comes under the probe, target and global limits. */
  private async limited(spec: FetchSpec, url: URL, headers: Record<string, string>, signal: Deadline): Promise<FetchResult> {
    const started = performance.now();
    const limiter = this.targetLimiter(spec.targetKey, spec.targetConcurrency);
    this.queued++;
    let dequeued = false;
    const run = async (): Promise<FetchResult> => {
      this.queued--;
      dequeued = true;
      if (signal.aborted) return failed(0, 'deadline exceeded while queued behind the concurrency limits', started);
      this.inFlight++;
      try {
        return await this.transfer(spec, url, headers, signal, started);
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

  private dispatcher(transport: Transport): Dispatcher {
    let d = this.dispatchers.get(transport.key);
    if (d) return d;
    const common = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 };
    if (transport.proxyUrl !== undefined) {
      // Through a proxy the proxy connects; the target was vetted by name and address
      // when the probe was resolved.
      d = new ProxyAgent({ uri: transport.proxyUrl, requestTls: transport.tls, ...common });
    } else {
      // The probe's deadline cannot end a request while its connection is being opened
      // (undici looks at the signal once the request is written), so the connect timeout
      // bounds how long an unreachable device holds its limiter slots.
      const connector = buildConnector({ ...transport.tls, timeout: CONNECT_TIMEOUT_MS });
      d = new Agent({
        ...common,
        factory: (origin, opts) => new OriginPool(origin, opts as Client.Options),
        connect: (opts, callback) => {
          this.guard.vet(opts.hostname).then(
            (vetted) => connector({ ...opts, hostname: vetted.address }, callback),
            (err: Error) => callback(err, null),
          );
        },
      });
    }
    this.dispatchers.set(transport.key, d);
    return d;
  }

  private async transfer(spec: FetchSpec, url: URL, headers: Record<string, string>, signal: Deadline, started: number): Promise<FetchResult> {
    let res: Dispatcher.ResponseData;
    let current = url;
    let method = spec.method;
    let payload = spec.body;
    let sent = headers;
    for (let hops = 0; ; hops++) {
      try {
        res = await request(current, {
          dispatcher: this.dispatcher(spec.transport),
          method: method as Dispatcher.HttpMethod,
          headers: { 'user-agent': this.userAgent, ...sent },
          body: payload,
          signal,
        });
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
        // Another host is held to the target rules (through a proxy too) and gets no credentials.
        try {
          await this.guard.vet(next.hostname);
        } catch (err) {
          return failed(res.statusCode, `redirect to ${next.origin} refused: ${(err as Error).message}`, started, 0, res.headers);
        }
        sent = Object.fromEntries(Object.entries(sent).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())));
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
    try {
      // Leaving the loop early ends the body stream (the connection is not reused).
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length;
        if (bytes > spec.maxBytes) return failed(status, `response exceeds the limit of ${spec.maxBytes} bytes`, started, bytes, res.headers);
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      return failed(status, describeError(err, signal), started, bytes, res.headers);
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
    return { ok: true, status, bytes, body, contentType, headers: res.headers, error: undefined, seconds: (performance.now() - started) / 1000, cached: false };
  }

  async close(): Promise<void> {
    await Promise.all([...this.dispatchers.values()].map((d) => d.close()));
    this.dispatchers.clear();
  }
}

// A request's headers are one object compiled at config load, shared by every fetch
// of that request: their part of the key is computed once per object.
const headerKeys = new WeakMap<Record<string, string>, string>();

function requestKey(spec: FetchSpec): string {
  let h = headerKeys.get(spec.headers);
  if (h === undefined) {
    h = '';
    for (const k of Object.keys(spec.headers).sort()) h += `${k}:${spec.headers[k]}\n`;
    headerKeys.set(spec.headers, h);
  }
  return `${spec.method} ${spec.url.href}\n${spec.auth?.name ?? ''}\n${spec.transport.key}\n${h}`;
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

function describeError(err: unknown, signal: Deadline): string {
  if (signal.aborted) return 'deadline exceeded';
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const inner = e.cause ?? e;
  const code = inner.code ?? e.code;
  const msg = inner.message || e.message || String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

