// The last probes, for the landing page: successes and failures are kept in two
// lists of the same length, so a failure stays visible long after it was pushed out
// by newer successes.
export interface HistoryEntry {
  id: number;
  at: Date;
  module: string;
  target: string;
  auth: string | undefined;
  success: boolean;
  durationSeconds: number;
  reason: string | undefined;
  /** The probe's log, as debug=true shows it. */
  log: string;
}

const MAX_LOG_CHARS = 64 * 1024;

export class History {
  private readonly successes: HistoryEntry[] = [];
  private readonly failures: HistoryEntry[] = [];
  private nextId = 1;

  constructor(readonly limit: number) {}

  record(entry: Omit<HistoryEntry, 'id' | 'at'>): HistoryEntry {
    const log = entry.log.length > MAX_LOG_CHARS ? `${entry.log.slice(0, MAX_LOG_CHARS)}\n… (log cut at ${MAX_LOG_CHARS} characters)` : entry.log;
    const full: HistoryEntry = { ...entry, log, id: this.nextId++, at: new Date() };
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
