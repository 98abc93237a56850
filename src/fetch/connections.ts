// The connections of one configuration generation: one undici dispatcher per
// transport (TLS and proxy settings), each connecting only to addresses the
// generation's target guard vetted. Built from the generation's own transports, so a
// certificate rotated in place and a reload give new connections with the new files;
// closed as a whole once the generation's last probe is over.
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { NO_TRUST, PeerLog, verifyingConnector, type Trust } from '../tls/verify.js';
import type { TargetGuard } from './guard.js';
import { OriginPool } from './origin-pool.js';
import type { Transport } from './transport.js';

/** Longer than any scrape timeout in practice (Prometheus's default is 10 s). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long closing waits for requests still running before it cuts them. */
const CLOSE_GRACE_MS = 1000;

let generations = 0;

/** What a request refused before it was dispatched reports its error with: nothing to control. */
const REFUSED: Dispatcher.DispatchController = { aborted: true, paused: false, reason: null, abort: () => {}, pause: () => {}, resume: () => {} };

export class Connections {
  /** Distinguishes generations: answers fetched over another generation's connections are never shared with this one. */
  readonly id = ++generations;
  // By the transport's key: modules with the same settings share connections to a device.
  private readonly dispatchers = new Map<string, Dispatcher>();
  private closed = false;
  /** The certificates verified lately, for the probes' probe_tls_* metrics. */
  readonly peers = new PeerLog();

  constructor(readonly guard: TargetGuard, readonly trust: Trust = NO_TRUST) {}

  /** How many dispatchers this generation holds (one per transport in use). */
  get size(): number {
    return this.dispatchers.size;
  }

  dispatcher(transport: Transport): Dispatcher {
    let d = this.dispatchers.get(transport.key);
    if (d) return d;
    if (this.closed) throw new Error('the configuration these connections belong to was replaced');
    const common = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 };
    if (transport.proxyUrl !== undefined) {
      // An auth's pins over a module's proxy_url (config load refuses them in one tls:):
      // they cannot be checked through the tunnel, so nothing is sent.
      if (transport.verify.pins.length || transport.verify.firstUse) throw new Error('pins and trust: first_use are not checked through proxy_url: nothing sent');
      // Through a proxy the proxy connects, so the socket cannot be checked: each request
      // is vetted before it is dispatched, that is before the proxy is asked to CONNECT.
      const guard = this.guard;
      d = new ProxyAgent({ uri: transport.proxyUrl, requestTls: transport.tls, ...common }).compose((dispatch) => (opts, handler) => {
        const origin = typeof opts.origin === 'string' ? new URL(opts.origin) : opts.origin;
        const refuse = (err: Error): void => {
          if (handler.onResponseError) handler.onResponseError(REFUSED, err);
          else handler.onError?.(err);
        };
        // A dispatch can throw too (the connections were closed meanwhile): the request's error, never an unhandled rejection.
        guard.vetForProxy(origin?.hostname ?? '').then(() => dispatch(opts, handler)).catch((err: unknown) => {
          try {
            refuse(err instanceof Error ? err : new Error(String(err)));
          } catch {
            // A handler that takes no error has nobody to tell.
          }
        });
        return true;
      });
    } else {
      // The probe's deadline cannot end a request while its connection is being opened
      // (undici looks at the signal once the request is written), so the connect timeout
      // bounds how long an unreachable device holds its limiter slots.
      const connector = verifyingConnector(transport.key, transport.tls, transport.verify, this.trust, this.peers, CONNECT_TIMEOUT_MS);
      const guard = this.guard;
      d = new Agent({
        ...common,
        factory: (origin, opts) => new OriginPool(origin, opts),
        connect: (opts, callback) => {
          guard.vet(opts.hostname).then(
            (vetted) => connector({ ...opts, hostname: vetted.address }, callback, opts.hostname),
            (err: Error) => callback(err, null),
          );
        },
      });
    }
    this.dispatchers.set(transport.key, d);
    return d;
  }

  /**
   * Closes every connection. The generation's probes are over by now: what may still
   * run is a connect attempt a deadline gave up on (bounded only by the connect
   * timeout) or a logout; they get a moment to end, then the connections are destroyed.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.closed = true;
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map(async (d) => {
      let timer: NodeJS.Timeout | undefined;
      const closed = d.close().then(() => true);
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
      const inTime = await Promise.race([closed, late]);
      clearTimeout(timer);
      if (!inTime) await d.destroy();
    }));
  }
}
