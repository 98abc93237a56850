// A probe's deadline as the fetch path sees it: has it passed, and tell me when it does.
//
// Not an AbortController: one per module run was ~4% of the exporter's CPU on a small
// probe (an EventTarget, an AbortSignal object, and a DOMException with a stack trace
// on abort). undici takes an EventEmitter as a request's signal just as well, and that
// costs little more than an object.
import { EventEmitter } from 'node:events';

/** Node's timers overflow past 2^31−1 ms, and then fire at once: never ask for more. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds for setTimeout: `seconds` clamped to what a timer can wait. */
export function timerMs(seconds: number): number {
  return Number.isNaN(seconds) ? 0 : Math.min(Math.max(0, seconds * 1000), MAX_TIMER_MS);
}

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
    setTimeout(() => d.abort(), Math.min(Math.max(0, ms), MAX_TIMER_MS)).unref();
    return d;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DeadlineExceeded('deadline exceeded');
    this.emit('abort');
  }
}
