// How far V8 lets the JavaScript heap grow between full garbage collections.
//
// By default V8 lets the old generation grow up to 4× what survived the last full
// collection. For an exporter whose live heap is small (~50 MB at 500 probes/s) that
// made RSS wander between ~190 and ~350 MiB for minutes under a steady load (the soak
// in bench/README.md). Capping the growth at 50% held RSS flat at ~150 MiB. But a small
// factor on a large live heap (dozens of 1 MiB documents in flight) means a full
// collection every few probes: W3 of the benchmark spent ~55% more CPU per probe. So
// the cap applies while the live heap is small, and V8's own adaptive factor above.
import v8 from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';

export interface HeapGrowthOptions {
  /** Percent of growth allowed past the live heap; 0: leave it to V8 always. */
  percent: number;
  /** Above this live heap (bytes after a full collection) V8 decides. */
  largeHeapBytes: number;
}

/** Whether node itself was given --heap-growing-percent (that wins; NODE_OPTIONS cannot carry it). */
function givenToNode(): boolean {
  return process.execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a));
}

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
  // After each full collection the used heap is about what is alive: choose for the next cycle.
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      set(v8.getHeapStatistics().used_heap_size > opts.largeHeapBytes ? 0 : opts.percent);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    set(0);
  };
}
