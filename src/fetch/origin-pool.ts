// The connections to one device: what undici's Agent keeps per origin, in place of its
// default Pool.
//
// A Pool holds a request queue that starts as a 2,048-slot array: 16 KiB per origin
// before the first request, most of what a kept-alive device costs (27 KiB of heap
// measured per origin with 1,000 devices). apiprobe never queues there: the target and
// global limiters (upstream.ts) bound the requests in flight to a device, and a request
// that finds every connection busy gets a new one, as a Pool without a connection limit
// does. So this keeps only the connections: one undici Client each (HTTP/1.1, one
// request at a time), and a Client dropped once its connection closes while idle.
// A connection is reused as soon as its answer has arrived: a Pool waits for the Client's
// 'drain' event, which comes a tick after the body, so back-to-back requests (a probe
// that follows links) opened a second connection to the device. Events are passed on as a Pool passes them, so the Agent closes the
// whole set when its last connection goes.
import { Client, Dispatcher, errors } from 'undici';

export class OriginPool extends Dispatcher {
  private readonly clients: Client[] = [];
  closed = false;
  destroyed = false;

  constructor(
    private readonly origin: string | URL,
    private readonly options: Client.Options,
  ) {
    super();
  }

  /** Connections open or opening: for tests and the exporter's own metrics. */
  get size(): number {
    return this.clients.length;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.closed) {
      // The Agent forgets a set before closing it, so only a direct caller gets here.
      handler.onError?.(this.destroyed ? new errors.ClientDestroyedError() : new errors.ClientClosedError());
      return false;
    }
    let client: Client | undefined;
    for (const c of this.clients) {
      if (idle(c)) {
        client = c;
        break;
      }
    }
    client ??= this.add();
    client.dispatch(opts, handler);
    // Never asks the caller to wait: the limiters above have already.
    return true;
  }

  private add(): Client {
    const client = new Client(this.origin, this.options);
    client
      // Once closed, the Agent has already replaced this set by a new one for the origin, and
      // its listeners find their bookkeeping by origin: the events of Clients still finishing
      // here would count against the new set (a stale 'disconnect' made the Agent close it
      // with a live connection). Pool passes them on regardless; this set does not.
      .on('connect', (origin: URL, targets: readonly Dispatcher[]) => {
        if (!this.closed) this.emit('connect', origin, [this, ...targets]);
      })
      .on('disconnect', (origin: URL, targets: readonly Dispatcher[], err: errors.UndiciError) => {
        // An idle Client without a connection is only memory: the next request makes a new one.
        if (idle(client)) this.drop(client, true);
        if (!this.closed) this.emit('disconnect', origin, [this, ...targets], err);
      })
      .on('connectionError', (origin: URL, targets: readonly Dispatcher[], err: errors.UndiciError) => {
        // As Pool does: a Client whose connection failed is not used again (it is closing itself).
        this.drop(client, false);
        if (!this.closed) this.emit('connectionError', origin, [this, ...targets], err);
      });
    this.clients.push(client);
    return client;
  }

  private drop(client: Client, close: boolean): void {
    const i = this.clients.indexOf(client);
    if (i < 0) return;
    this.clients.splice(i, 1);
    if (close) client.close().catch(() => undefined);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.closed = true;
    const done = Promise.all(this.clients.map((c) => c.close())).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
    const cb = typeof errOrCallback === 'function' ? errOrCallback : callback;
    this.closed = true;
    this.destroyed = true;
    const done = Promise.all(this.clients.map((c) => c.destroy(err))).then(() => undefined);
    if (!cb) return done;
    void done.then(cb, cb);
  }
}

/** No request queued or running on the Client. */
function idle(client: Client): boolean {
  return client.stats.size === 0;
}
