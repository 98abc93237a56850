// What an auth keeps per device origin (a digest challenge, a login session), in a
// bounded, expiring cache: an exporter pointed at ever new targets (or a /probe caller
// making them up) does not grow it without end. Least recently used first out when
// full; an entry also leaves when its time is up, by a timer, not only when looked up
// again, so that what is counted (apiprobe_sessions_active) goes back down.
import { LRUCache } from 'lru-cache';

export interface OriginStateLimits {
  /** Origins kept at most. */
  maxOrigins: number;
  /** Characters kept at most, all entries together (see sizeOf). */
  maxChars: number;
  /** How long an entry is kept (ms). */
  ttlMs: number;
  /** Whether a use starts the entry's time anew (idle expiry) or not (expiry from when it was set). */
  sliding?: boolean;
}

/** Why an entry left other than by the owner's own delete. */
export type LeaveReason = 'evicted' | 'expired' | 'replaced';

export class OriginState<V extends object> {
  /** Entries pushed out to stay within the bounds (not those whose time was up). */
  evictions = 0;
  private readonly cache: LRUCache<string, V>;

  /**
   * `sizeOf`: the characters an entry holds (its strings from the device); `onLeave`:
   * called for an entry that leaves other than by delete() or clear() (a session is
   * logged out then).
   */
  constructor(limits: OriginStateLimits, sizeOf: (value: V, origin: string) => number, onLeave?: (value: V, origin: string, why: LeaveReason) => void) {
    this.cache = new LRUCache<string, V>({
      max: limits.maxOrigins,
      maxSize: limits.maxChars,
      sizeCalculation: (v, origin) => Math.max(1, sizeOf(v, origin) + origin.length),
      ttl: Math.max(1, Math.ceil(limits.ttlMs)),
      ttlAutopurge: true,
      // Looked at on every use; a 1 ms debounce would start a timer per use.
      ttlResolution: 0,
      updateAgeOnGet: limits.sliding ?? false,
      dispose: (value, origin, reason) => {
        if (reason === 'evict') this.evictions++;
        if (!onLeave || reason === 'delete') return;
        onLeave(value, origin, reason === 'evict' ? 'evicted' : reason === 'expire' ? 'expired' : 'replaced');
      },
    });
  }

  get(origin: string): V | undefined {
    return this.cache.get(origin);
  }

  /** Keeps `value` for `origin`; one larger than the whole bound is not kept (and not reported to onLeave). */
  set(origin: string, value: V): void {
    this.cache.set(origin, value);
  }

  delete(origin: string): void {
    this.cache.delete(origin);
  }

  /** Entries kept now. */
  get size(): number {
    return this.cache.size;
  }

  /** Every entry, emptying the cache (onLeave is not called). */
  takeAll(): V[] {
    const all = [...this.cache.values()];
    this.cache.clear();
    return all;
  }
}
