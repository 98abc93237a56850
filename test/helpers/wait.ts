// The suite's one way to wait for something that has no event of its own to await: poll
// a condition with a deadline (vitest's vi.waitFor). No test gates an assertion on a fixed
// sleep: on a loaded machine a sleep is too short, on an idle one too long.
import { vi } from 'vitest';

export interface WaitOptions {
  /** Milliseconds before giving up; generous, since a loaded machine is slow. */
  timeout?: number;
  /** Milliseconds between checks. */
  interval?: number;
}

/** Resolves once `cond` holds (checked now, then every `interval`); rejects naming `what` after `timeout`. */
export async function eventually(what: string | (() => string), cond: () => boolean | Promise<boolean>, opts: WaitOptions = {}): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await cond())) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    },
    { timeout: opts.timeout ?? 15_000, interval: opts.interval ?? 20 },
  );
}

