// Every upstream request goes through here: three limiters (probe, target host,
// global), undici with keep-alive per origin, a byte cap enforced while streaming,
// and the probe's deadline as an abort signal covering queueing and transfer alike.
import pLimit, { type LimitFunction } from 'p-limit';
import { Agent, request, type Dispatcher } from 'undici';

export interface FetchSpec {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  insecureTls: boolean;
  maxBytes: number;
  /** Limiter key for the device: host and port. */
  targetKey: string;
  targetConcurrency: number;
  probeLimit: LimitFunction;
  signal: AbortSignal;
}

export interface FetchResult {
  /** Transport-level success: an answer arrived whole. The status is judged by the caller. */
  ok: boolean;
  status: number;
  bytes: number;
  body: Buffer | undefined;
  contentType: string | undefined;
  error: string | undefined;
  seconds: number;
}

export interface UpstreamOptions {
  maxConcurrency: number;
  userAgent: string;
}

export class Upstream {
  private readonly agent: Agent;
  private readonly insecureAgent: Agent;
  private readonly global: LimitFunction;
  private readonly targets = new Map<string, LimitFunction>();
  private readonly userAgent: string;
  /** Requests waiting for a limiter slot. */
  queued = 0;
  /** Requests being transferred. */
  inFlight = 0;

  constructor(opts: UpstreamOptions) {
    const common = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connect: { timeout: 30_000 } };
    this.agent = new Agent(common);
    this.insecureAgent = new Agent({ ...common, connect: { ...common.connect, rejectUnauthorized: false } });
    this.global = pLimit(opts.maxConcurrency);
    this.userAgent = opts.userAgent;
  }

  /** Number of per-target limiters alive: bounded by the targets being probed right now. */
  get targetLimiters(): number {
    return this.targets.size;
  }

  async fetch(spec: FetchSpec): Promise<FetchResult> {
    const started = performance.now();
    const limiter = this.targetLimiter(spec.targetKey, spec.targetConcurrency);
    this.queued++;
    let dequeued = false;
    const run = async (): Promise<FetchResult> => {
      this.queued--;
      dequeued = true;
      if (spec.signal.aborted) return failed(0, 'deadline exceeded while queued behind the concurrency limits', started);
      this.inFlight++;
      try {
        return await this.transfer(spec, started);
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

  // Idle per-target limiters are dropped at once, so their number stays bounded by
  // the targets being probed at this moment, however many targets there are.
  private evictIfIdle(key: string, limiter: LimitFunction): void {
    if (limiter.activeCount === 0 && limiter.pendingCount === 0 && this.targets.get(key) === limiter) this.targets.delete(key);
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

  private async transfer(spec: FetchSpec, started: number): Promise<FetchResult> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(spec.url, {
        dispatcher: spec.insecureTls ? this.insecureAgent : this.agent,
        method: spec.method as Dispatcher.HttpMethod,
        headers: { 'user-agent': this.userAgent, ...spec.headers },
        body: spec.body,
        signal: spec.signal,
      });
    } catch (err) {
      return failed(0, describeError(err, spec.signal), started);
    }
    const status = res.statusCode;
    const contentType = headerValue(res.headers['content-type']);
    const declared = Number(headerValue(res.headers['content-length']));
    if (declared > spec.maxBytes) {
      res.body.destroy();
      return failed(status, `response of ${declared} bytes exceeds the limit of ${spec.maxBytes} bytes`, started);
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length;
        if (bytes > spec.maxBytes) {
          res.body.destroy();
          return failed(status, `response exceeds the limit of ${spec.maxBytes} bytes`, started, bytes);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      return failed(status, describeError(err, spec.signal), started, bytes);
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
    return { ok: true, status, bytes, body, contentType, error: undefined, seconds: (performance.now() - started) / 1000 };
  }

  async close(): Promise<void> {
    await Promise.all([this.agent.close(), this.insecureAgent.close()]);
  }
}

function failed(status: number, error: string, started: number, bytes = 0): FetchResult {
  return { ok: false, status, bytes, body: undefined, contentType: undefined, error, seconds: (performance.now() - started) / 1000 };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function describeError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'deadline exceeded';
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const inner = e.cause ?? e;
  const code = inner.code ?? e.code;
  const msg = inner.message || e.message || String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
