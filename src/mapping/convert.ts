// Strings that carry numbers in human forms: sizes, durations, timestamps, hex.
// Each converter returns a number, or undefined when the text is not of its form.
import { parseGoValue } from './gotext.js';

// `go` is not written in modules: it is how metrics with go_text read their values
// (json_exporter's strconv.ParseFloat, then ParseBool).
export type Conversion = 'number' | 'size' | 'duration' | 'timestamp' | 'hex' | 'length' | 'count' | 'go';

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity };

export function parseNumber(text: string): number | undefined {
  const s = text.trim();
  if (NUMERIC.test(s)) return Number(s);
  return SPECIAL[s.toLowerCase()];
}

// Bare K/M/G/T are binary, as df, du, free and the JVM print them; kB/MB/GB are
// decimal (SI), KiB/MiB/GiB binary (IEC).
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, byte: 1, bytes: 1,
  k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, pib: 2 ** 50,
};
const SIZE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([A-Za-z]*)$/;

export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  // "kB" and "KB" mean the same; only an "i" makes a unit binary.
  const factor = SIZE_UNITS[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 0.001, msec: 0.001, millisecond: 0.001, milliseconds: 0.001,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, week: 604800, weeks: 604800,
};
const DURATION_PART = /([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-zA-Z]+)[\s,]*/y;
const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const CLOCK = /^(?:(\d+)[-.])?(\d+):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/;

/** Seconds from "1d 2h 3m", "11 days 21 hours", "PT5M", "3600s", "01:02:03", "2-03:04:05"; a bare number is seconds. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const plain = parseNumber(s);
  if (plain !== undefined) return plain;
  const iso = ISO_DURATION.exec(s);
  if (iso && s.length > 1 && s.toUpperCase() !== 'PT') {
    const [, y, mo, w, d, h, mi, sec] = iso.map((v) => (v === undefined ? 0 : Number(v)));
    return y! * 31536000 + mo! * 2592000 + w! * 604800 + d! * 86400 + h! * 3600 + mi! * 60 + sec!;
  }
  const clock = CLOCK.exec(s);
  if (clock) {
    const [, d, h, m, sec] = clock;
    return Number(d ?? 0) * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(sec ?? 0);
  }
  let total = 0;
  let end = 0;
  DURATION_PART.lastIndex = 0;
  for (let m = DURATION_PART.exec(s); m; m = DURATION_PART.exec(s)) {
    const factor = DURATION_UNITS[m[2]!.toLowerCase()];
    if (factor === undefined) return undefined;
    total += Number(m[1]) * factor;
    end = DURATION_PART.lastIndex;
  }
  return end === s.length ? total : undefined;
}

/** Unix seconds from ISO 8601 or RFC 2822 dates; a bare number is taken as unix seconds already. */
export function parseTimestamp(text: string): number | undefined {
  const s = text.trim();
  const plain = parseNumber(s);
  if (plain !== undefined) return plain;
  // Date.parse reads ISO 8601 and RFC 2822; anything it guesses from other shapes is
  // refused by requiring a 4-digit year.
  if (!/\d{4}/.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

export function parseHex(text: string): number | undefined {
  const m = /^(-)?(?:0x)?([0-9a-f]+)$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number.parseInt(m[2]!, 16);
  return m[1] ? -n : n;
}

export const CONVERTERS: Record<Exclude<Conversion, 'length' | 'count'>, (text: string) => number | undefined> = {
  number: parseNumber,
  size: parseSize,
  duration: parseDuration,
  timestamp: parseTimestamp,
  hex: parseHex,
  go: parseGoValue,
};
