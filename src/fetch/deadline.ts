// A probe's deadline as the fetch path sees it: has it passed, and tell me when it does.
//
// Not an AbortController: one per module run was ~4% of the exporter's CPU on a small
// probe (an EventTarget, an AbortSignal object, and a DOMException with a stack trace
// on abort). undici takes an EventEmitter as a request's signal just as well, and that
// costs little more than an object.
import { EventEmitter } from 'node:events';

export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

export class Deadline extends EventEmitter {
  aborted = false;
  /** Why it ended: undici fails the request with this. */
  reason: Error | undefined;
  /**
   * When it is due to pass (performance.now() milliseconds), where known: what waits on
   * something else than the device (an OAuth 2.0 token) can give up just before, and say why.
   */
  due: number | undefined;

  constructor() {
    super();
    // One listener per upstream request in flight: a fan-out has dozens.
    this.setMaxListeners(0);
  }

  /** A deadline that passes by itself after `ms` (the timer does not keep the process alive). */
  static after(ms: number): Deadline {
    const d = new Deadline();
    d.due = performance.now() + ms;
    setTimeout(() => d.abort(), ms).unref();
    return d;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DeadlineExceeded('deadline exceeded');
    this.emit('abort');
  }
}
