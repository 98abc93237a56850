// What a probe may cost, and what all probes in flight may cost together.
//
// A probe's cost is what it holds in memory and spends parsing: the bytes its fetches
// receive (all of them together, whatever max_response_bytes allows each one) and the
// values its parsers build (a 16 MiB body of `[{},{},…]` is 5.6 million objects, ~370 MB of
// heap: bytes alone do not bound it). Each module run draws from its own ProbeBudget as
// bytes stream in and as parsers count values, before the values exist; the first draw
// past a limit fails the probe with a reason naming the limit, and every later draw of
// that probe is refused too, so its remaining fetches stop.
//
// The same draws are taken from the exporter's ProbePool, the bound on all probes in
// flight together (one probe within its budget is harmless; a dozen at once are not): a
// probe is refused with a 503 while the pool is nearly spent, and a probe whose draw
// does not fit fails as if its own budget were spent. Draws are given back when the
// probe ends.
import { getHeapStatistics } from 'node:v8';

/** Heap a parsed value costs, roughly: an empty object in an array takes ~67 bytes (measured, V8 12 / Node 20). */
export const VALUE_BYTES = 64;

export class ProbePool {
  used = 0;
  probes = 0;
  /** Draws refused because the pool was spent. */
  refused = 0;
  /** Probes turned away (503) by admit(). */
  shed = 0;

  constructor(readonly limitBytes: number) {}

  /** Half of V8's heap limit (--max-old-space-size): the rest is the exporter's own and the garbage not yet collected. */
  static defaultBytes(): number {
    return Math.floor(getHeapStatistics().heap_size_limit / 2);
  }

  /** Why a new probe must wait (the pool is nearly spent), if it must. */
  admit(): string | undefined {
    if (this.used < this.limitBytes * SHED_AT) return undefined;
    this.shed++;
    return `probes in flight hold ${mib(this.used)} MiB of the ${mib(this.limitBytes)} MiB all probes may use (--probe.memory-budget); ${this.probes} probes in flight`;
  }

  draw(n: number): boolean {
    if (this.used + n > this.limitBytes) {
      this.refused++;
      return false;
    }
    this.used += n;
    return true;
  }

  giveBack(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** Past this share of the pool, new probes are answered 503 rather than started. */
const SHED_AT = 0.9;

export interface BudgetLimits {
  /** Bytes all the probe's fetches may receive together. */
  bytes: number;
  /** Values all the probe's parsers may build together. */
  values: number;
  /** Upstream requests (max_requests). */
  requests: number;
}

export class ProbeBudget {
  bytes = 0;
  values = 0;
  requests = 0;
  /** Why the budget is spent; set by the first draw refused. */
  exceeded: string | undefined;
  private drawn = 0;

  constructor(readonly limits: BudgetLimits, private readonly pool?: ProbePool) {
    if (pool) pool.probes++;
  }

  /** Takes `n` received bytes; the reason when they do not fit. */
  takeBytes(n: number): string | undefined {
    if (this.exceeded) return this.exceeded;
    this.bytes += n;
    if (this.bytes > this.limits.bytes) return this.spend(`probe budget of ${this.limits.bytes} bytes exceeded (max_probe_bytes)`);
    return this.fromPool(n);
  }

  /** Takes `n` parsed values, before they are built; the reason when they do not fit. */
  takeValues(n: number): string | undefined {
    if (this.exceeded) return this.exceeded;
    this.values += n;
    if (this.values > this.limits.values) return this.spend(`probe budget of ${this.limits.values} parsed values exceeded (max_parse_values)`);
    return this.fromPool(n * VALUE_BYTES);
  }

  /** What the probe used of each limit, 0 to 1 (past 1 when the draw that failed it counts). */
  usedRatio(): { bytes: number; values: number; requests: number } {
    return {
      bytes: this.bytes / this.limits.bytes,
      values: this.values / this.limits.values,
      requests: this.requests / this.limits.requests,
    };
  }

  /** The probe is over: what it drew goes back to the pool. */
  release(): void {
    if (!this.pool || this.drawn < 0) return;
    this.pool.giveBack(this.drawn);
    this.pool.probes--;
    this.drawn = -1;
  }

  private fromPool(n: number): string | undefined {
    if (!this.pool || this.drawn < 0) return undefined;
    if (!this.pool.draw(n)) return this.spend(`exporter-wide probe budget of ${mib(this.pool.limitBytes)} MiB exhausted by the probes in flight (--probe.memory-budget)`);
    this.drawn += n;
    return undefined;
  }

  private spend(reason: string): string {
    this.exceeded = reason;
    return reason;
  }
}

function mib(n: number): number {
  return Math.round(n / (1024 * 1024));
}
