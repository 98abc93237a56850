// The last probes, for the landing page: successes and failures are kept in two
// lists of the same length, so a failure stays visible long after it was pushed out
// by newer successes.
//
// Everything an entry keeps is clipped and copied when it is recorded: a device makes
// its probe's log and reason as long as it likes (a link, a value quoted), and a
// substring would keep the whole string it was cut from (a document) alive. One entry
// keeps at most logChars(limit) characters of log, MAX_LOG_LINES lines of at most
// MAX_LINE_CHARS, a reason of MAX_REASON_CHARS and MAX_FIELD_CHARS per name: about
// 70,000 characters with the default --history.limit, and the logs of all entries
// together about TOTAL_LOG_CHARS whatever the limit (each entry's share shrinks as the
// limit grows, down to MIN_LOG_CHARS). A /history/N page shows one entry.
import { clipMessage, type TextLimits } from '../probe/log.js';

export interface NewEntry {
  module: string;
  target: string;
  auth: string | undefined;
  success: boolean;
  durationSeconds: number;
  reason: string | undefined;
  /** The probe's log, as debug=true shows it; rendered within the entry's limits. */
  log: string | { text(limits: TextLimits): string };
}

export const MAX_LOG_CHARS = 64 * 1024;
export const MIN_LOG_CHARS = 4 * 1024;
export const TOTAL_LOG_CHARS = 8 * 1024 * 1024;
export const MAX_LOG_LINES = 500;
export const MAX_LINE_CHARS = 1024;
export const MAX_REASON_CHARS = 2048;
export const MAX_FIELD_CHARS = 1024;

/** Characters of log each entry keeps when `limit` successes and `limit` failures are kept. */
export function logChars(limit: number): number {
  return Math.max(MIN_LOG_CHARS, Math.min(MAX_LOG_CHARS, Math.floor(TOTAL_LOG_CHARS / (2 * Math.max(1, limit)))));
}

export class HistoryEntry {
  readonly module: string;
  readonly target: string;
  readonly auth: string | undefined;
  readonly success: boolean;
  readonly durationSeconds: number;
  readonly reason: string | undefined;
  readonly log: string;
  /** Milliseconds since the epoch. */
  private readonly time = Date.now();

  constructor(readonly id: number, e: NewEntry, maxLogChars = MAX_LOG_CHARS) {
    this.module = kept(e.module, MAX_FIELD_CHARS);
    this.target = kept(e.target, MAX_FIELD_CHARS);
    this.auth = e.auth === undefined ? undefined : kept(e.auth, MAX_FIELD_CHARS);
    this.success = e.success;
    this.durationSeconds = e.durationSeconds;
    this.reason = e.reason === undefined ? undefined : kept(e.reason, MAX_REASON_CHARS);
    const log = typeof e.log === 'string' ? e.log : e.log.text({ maxLines: MAX_LOG_LINES, maxLineChars: MAX_LINE_CHARS, maxChars: maxLogChars });
    this.log = kept(log, maxLogChars, `\n… (log cut at ${maxLogChars} characters)`);
  }

  get at(): Date {
    return new Date(this.time);
  }
}

export class History {
  private readonly successes: HistoryEntry[] = [];
  private readonly failures: HistoryEntry[] = [];
  private nextId = 1;
  private readonly maxLogChars: number;

  constructor(readonly limit: number) {
    this.maxLogChars = logChars(limit);
  }

  record(entry: NewEntry): HistoryEntry {
    if (this.limit === 0) return new HistoryEntry(this.nextId++, { ...entry, log: '' });
    const full = new HistoryEntry(this.nextId++, entry, this.maxLogChars);
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

/**
 * At most `max` characters of `text`, as a string of its own: a clipped or short
 * string can be a slice of a much longer one (a device's document), which it would
 * keep alive as long as the entry. Lone surrogates become U+FFFD, which is fine for
 * text shown on a page.
 */
function kept(text: string, max: number, cut?: string): string {
  const clipped = text.length <= max ? text : cut === undefined ? clipMessage(text, max) : `${text.slice(0, max)}${cut}`;
  return Buffer.from(clipped, 'utf8').toString('utf8');
}
