// How far V8 lets the JavaScript heap grow between full garbage collections.
//
// By default V8 lets the old generation grow up to 4× what survived the last full
// collection. For an exporter whose live heap is small (~50 MB at 500 probes/s) that
// made RSS wander between ~190 and ~350 MiB for minutes under a steady load (the soak
// in bench/README.md). Capping the growth at 50% held RSS flat at ~150 MiB, with a full
// collection every ~10 s that costs nothing visible. But the same cap under many large
// documents in flight means a full collection every few probes: W3 of the benchmark
// (32 probes of 1 MiB documents at once, ~40 MB live) had 14 a second and spent ~30% more
// CPU per probe. So the cap holds while it is cheap:
//
//   - not above `largeHeapBytes` of live heap (what a full collection kept);
//   - not while full collections come more often than `maxFullGcRate` a second (over the
//     last 10 s): then the heap grows 4× as far (200% by default) for the next minute,
//     and the cap is tried again. A load that makes the cap expensive keeps it lifted;
//     the soak's never does. Not V8's own growth there: W3 took 19–21 ms per probe at a
//     peak RSS of 270–295 MiB with it, 21.7–21.9 ms at 236–244 MiB with 200%.
//
// Counted, not timed: a full collection's pause is a few ms, its marking runs on other
// threads (W3's pauses were under 5% of the time while the collector took ~30% of the CPU).
import v8 from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';

export interface HeapGrowthOptions {
  /** Percent of growth allowed past the live heap; 0: leave it to V8 always. */
  percent: number;
  /** Above this live heap (bytes after a full collection) V8 decides. */
  largeHeapBytes: number;
  /** Full collections a second (over 10 s) past which the cap is lifted (4× the growth) for a minute; Infinity: never. */
  maxFullGcRate?: number;
  /** Told when the cap is lifted or put back, and why. */
  onChange?: (capped: boolean, reason: string) => void;
}

/** The time over which full collections are counted. */
const WINDOW_MS = 10_000;
/** How long the cap stays lifted once it cost too much, before it is tried again. */
const HOLD_MS = 60_000;
/** How much farther the heap may grow while the cap is lifted for the rate of full collections. */
const LIFTED_FACTOR = 4;
/** Full collections remembered (a ring); a rate above MAX_RECENT per window counts as that. */
const MAX_RECENT = 256;

/** Whether node itself was given --heap-growing-percent (that wins; NODE_OPTIONS cannot carry it). */
function givenToNode(): boolean {
  return process.execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a));
}

/**
 * Decides, after each full collection, whether the next cycle is capped. Pure but for its
 * own bounded memory of recent full collections; time is given, so tests can drive it.
 */
export class GrowthPolicy {
  private readonly recent = new Float64Array(MAX_RECENT).fill(-Infinity);
  private next = 0;
  private liftedUntil = -Infinity;
  capped = true;

  constructor(private readonly opts: { largeHeapBytes: number; maxFullGcRate: number }) {}

  /** Full collections a second over the last WINDOW_MS, before `now`. */
  rate(now: number): number {
    let n = 0;
    for (const t of this.recent) if (t > now - WINDOW_MS && t <= now) n++;
    return n / (WINDOW_MS / 1000);
  }

  /** After a full collection at `now` (ms) that left `liveBytes`: capped for the next cycle, and why it changed (if it did). */
  decide(now: number, liveBytes: number): { capped: boolean; reason?: string } {
    this.recent[this.next] = now;
    this.next = (this.next + 1) % MAX_RECENT;
    let capped = false;
    let reason: string;
    const rate = this.rate(now);
    if (liveBytes > this.opts.largeHeapBytes) {
      reason = `live heap ${mib(liveBytes)} MiB over ${mib(this.opts.largeHeapBytes)} MiB`;
    } else if (rate > this.opts.maxFullGcRate) {
      this.liftedUntil = now + HOLD_MS;
      reason = `${rate.toFixed(1)} full collections a second over the last ${WINDOW_MS / 1000} s`;
    } else if (now < this.liftedUntil) {
      reason = 'lifted less than a minute ago';
    } else {
      capped = true;
      reason = `live heap ${mib(liveBytes)} MiB, ${rate.toFixed(1)} full collections a second`;
    }
    const changed = capped !== this.capped;
    this.capped = capped;
    return changed ? { capped, reason } : { capped };
  }
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

/** Starts the governor; returns a function that stops it (and leaves V8's default in place). */
export function governHeapGrowth(opts: HeapGrowthOptions): () => void {
  if (opts.percent <= 0 || givenToNode()) return () => undefined;
  let current = -1;
  const set = (percent: number): void => {
    if (percent === current) return;
    current = percent;
    v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  };
  set(opts.percent);
  const policy = new GrowthPolicy({ largeHeapBytes: opts.largeHeapBytes, maxFullGcRate: opts.maxFullGcRate ?? 1 });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      // After a full collection the used heap is about what is alive: choose for the next cycle.
      const live = v8.getHeapStatistics().used_heap_size;
      const { capped, reason } = policy.decide(entry.startTime, live);
      set(capped ? opts.percent : live > opts.largeHeapBytes ? 0 : LIFTED_FACTOR * opts.percent);
      if (reason !== undefined) opts.onChange?.(capped, reason);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    set(0);
  };
}
