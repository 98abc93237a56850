// The last probes, for the landing page: successes and failures are kept in two
// lists of the same length, so a failure stays visible long after it was pushed out
// by newer successes.
export interface NewEntry {
  module: string;
  target: string;
  auth: string | undefined;
  success: boolean;
  durationSeconds: number;
  reason: string | undefined;
  /** The probe's log, as debug=true shows it; a function: rendered when first looked at, as most never are. */
  log: string | (() => string);
}

export class HistoryEntry {
  readonly module: string;
  readonly target: string;
  readonly auth: string | undefined;
  readonly success: boolean;
  readonly durationSeconds: number;
  readonly reason: string | undefined;
  /** Milliseconds since the epoch. */
  private readonly time = Date.now();
  private source: string | (() => string);

  constructor(readonly id: number, e: NewEntry) {
    this.module = e.module;
    this.target = e.target;
    this.auth = e.auth;
    this.success = e.success;
    this.durationSeconds = e.durationSeconds;
    this.reason = e.reason;
    this.source = typeof e.log === 'string' ? cut(e.log) : e.log;
  }

  get at(): Date {
    return new Date(this.time);
  }

  get log(): string {
    if (typeof this.source !== 'string') this.source = cut(this.source());
    return this.source;
  }
}

const MAX_LOG_CHARS = 64 * 1024;

export class History {
  private readonly successes: HistoryEntry[] = [];
  private readonly failures: HistoryEntry[] = [];
  private nextId = 1;

  constructor(readonly limit: number) {}

  record(entry: NewEntry): HistoryEntry {
    const full = new HistoryEntry(this.nextId++, entry);
    if (this.limit === 0) return full;
    const list = full.success ? this.successes : this.failures;
    list.push(full);
    if (list.length > this.limit) list.shift();
    return full;
  }

  /** Every entry kept, newest first. */
  entries(): HistoryEntry[] {
    return [...this.successes, ...this.failures].sort((a, b) => b.id - a.id);
  }

  get(id: number): HistoryEntry | undefined {
    return this.successes.find((e) => e.id === id) ?? this.failures.find((e) => e.id === id);
  }
}

function cut(log: string): string {
  return log.length > MAX_LOG_CHARS ? `${log.slice(0, MAX_LOG_CHARS)}\n… (log cut at ${MAX_LOG_CHARS} characters)` : log;
}
