// Configuration generations: the one new probes start with, and the ones replaced by
// a reload while probes still run on them. Each probe holds its generation until it
// is over; a replaced generation is closed (sessions logged out, connections closed)
// when its last probe lets go of it, not on a timer, and not before.
import type { Config } from '../probe/generation.js';

export interface Lease {
  readonly config: Config;
  release(): void;
}

export class Generations {
  private live: Config;
  /** Probes in flight, per generation that has any. */
  private readonly holders = new Map<Config, number>();
  /** Replaced generations that still have probes. */
  private readonly retired = new Set<Config>();
  private readonly closing = new Set<Promise<void>>();

  constructor(first: Config, private readonly onCloseError: (err: Error) => void = () => {}) {
    this.live = first;
  }

  get current(): Config {
    return this.live;
  }

  /** Generations replaced by a reload whose probes are not over yet. */
  get retiring(): number {
    return this.retired.size;
  }

  /** The current generation, kept open until `release()`. */
  acquire(): Lease {
    const config = this.live;
    this.holders.set(config, (this.holders.get(config) ?? 0) + 1);
    let released = false;
    return {
      config,
      release: () => {
        if (released) return;
        released = true;
        const left = this.holders.get(config)! - 1;
        if (left > 0) {
          this.holders.set(config, left);
          return;
        }
        this.holders.delete(config);
        if (this.retired.delete(config)) this.shut(config);
      },
    };
  }

  /** Makes `next` the generation new probes start with; the previous one closes once its probes are over. */
  replace(next: Config): void {
    const previous = this.live;
    if (previous === next) return;
    this.live = next;
    if (this.holders.has(previous)) this.retired.add(previous);
    else this.shut(previous);
  }

  /** Closes every generation (on shutdown, once the server stopped taking probes). */
  async close(): Promise<void> {
    const all = [this.live, ...this.retired];
    this.retired.clear();
    for (const c of all) this.shut(c);
    await Promise.all([...this.closing]);
  }

  private shut(config: Config): void {
    const p = config.close().catch((err: Error) => this.onCloseError(err));
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }
}
