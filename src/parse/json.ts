// JSON in slices. JSON.parse is fast but takes a whole body at once: ~60 ms per MiB of
// `[{},{},…]` with nothing else running meanwhile, and the values it builds before
// anyone can count them. So a body is first scanned (in slices, the event loop served
// between two, the deadline looked at): its values are counted and drawn from the
// probe's budget before any exists, its nesting is checked, and every container longer
// than a piece is noted with where it ends. A body of at most 2 MiB and 65,536 values is
// then one JSON.parse (a few ms at most); a larger one is built from pieces: a
// container that fits a piece is one JSON.parse; a larger one is built from runs of its
// members, each run one JSON.parse, with a turn for the event loop every slice. What
// parses is still JSON.parse's grammar: the pieces are cut only at the member
// boundaries the scan found, and each piece is valid JSON exactly when its part of the
// body is.
//
// The scan reads the body's bytes, not a decoded string: JSON's structure is ASCII, and
// no byte of a multi-byte UTF-8 sequence is below 0x80. Only pieces are decoded (a whole
// 16 MiB body decoded at once blocks ~15 ms), and a piece never splits a character.
import { breathe, DEADLINE, UNLIMITED, type ParseLimits, type Parser } from './types.js';

/** Documents nested deeper than this are refused: nothing real comes close. */
export const MAX_JSON_DEPTH = 1000;

/** The most bytes handed to one JSON.parse (a long string value aside): well under a millisecond. */
const PIECE_BYTES = 16 * 1024;
/** Bytes scanned between two turns of the event loop (~0.5 ms). */
const SCAN_SLICE = 256 * 1024;
/** Bytes built into values between two turns of the event loop (~3 ms of `[{},{},…]`). */
const BUILD_SLICE = 48 * 1024;

/**
 * A body the scan admitted that is at most this long and holds at most WHOLE_VALUES values
 * is built by one JSON.parse: measured on the bench machine, 2 MiB of long strings take
 * ~5 ms and 65,536 empty objects (the densest JSON) ~3.5 ms, once, where building from
 * pieces cost ~1.8× JSON.parse in CPU and many short-lived strings (bench/README.md,
 * issue 18). Larger bodies are built in slices, the event loop served between two.
 */
export const WHOLE_BYTES = 2 * 1024 * 1024;
export const WHOLE_VALUES = 65_536;

export interface JsonParserOptions {
  maxDepth?: number;
  /** Bodies up to this many bytes (and WHOLE_VALUES values) are one JSON.parse; 0: always in pieces (the tests of the pieces). */
  wholeBytes?: number;
}

export function jsonParser(maxDepthOrOptions: number | JsonParserOptions = MAX_JSON_DEPTH): Parser {
  const opts = typeof maxDepthOrOptions === 'number' ? { maxDepth: maxDepthOrOptions } : maxDepthOrOptions;
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  const wholeBytes = opts.wholeBytes ?? WHOLE_BYTES;
  return async (body, _contentType, limits = UNLIMITED) => {
    // A byte-order mark is not JSON: skipped, as bodyText does for the other formats.
    const from = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    const scan = await scanJson(body, from, maxDepth, limits);
    if (typeof scan === 'string') return { ok: false, error: scan };
    try {
      const start = skipSpace(body, from);
      if (!scan.large.has(start)) return { ok: true, doc: JSON.parse(body.toString('utf8', from)) };
      if (body.length - from <= wholeBytes && scan.values <= WHOLE_VALUES) {
        // Counted, nesting checked and drawn from the budget already: only the deadline
        // may have passed since the scan's last slice.
        if (performance.now() >= limits.due) return { ok: false, error: DEADLINE };
        return { ok: true, doc: JSON.parse(body.toString('utf8', from)) };
      }
      const end = scan.large.get(start)!;
      if (skipSpace(body, end + 1) !== body.length) throw new SyntaxError(`unexpected data after position ${end}`);
      const doc = await new Builder(body, scan.large, limits).container(start, end);
      return { ok: true, doc };
    } catch (err) {
      if (err instanceof Stop) return { ok: false, error: err.message };
      return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
    }
  };
}

class Stop extends Error {}

/**
 * Counts the values of `text` (the document, and each element or member of a container:
 * one more for each `,` outside strings and for each container that is not empty),
 * drawing them from the budget a slice at a time, and checks the nesting. Returns, for
 * each container longer than a piece, its opening position → its closing one, and the
 * number of values; or the reason the body is refused.
 */
async function scanJson(text: Buffer, from: number, maxDepth: number, limits: ParseLimits): Promise<{ large: Map<number, number>; values: number } | string> {
  const large = new Map<number, number>();
  const opens: number[] = [];
  let values = 1;
  let total = 0;
  /** The last byte outside strings and whitespace (a string's closing quote included). */
  let last = 0;
  for (let i = from; i < text.length; ) {
    const end = Math.min(text.length, i + SCAN_SLICE);
    for (; i < end; i++) {
      const c = text[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (c === 0x22) {
        // A string is skipped whole, past the slice's end if it is long: memchr-fast.
        i = stringEnd(text, i);
        if (i < 0) return 'invalid JSON: unterminated string';
      } else if (c === 0x7b || c === 0x5b) {
        if (opens.length >= maxDepth) return `JSON nested deeper than ${maxDepth} levels`;
        opens.push(i);
      } else if (c === 0x7d || c === 0x5d) {
        const open = opens.pop();
        if (open === undefined) return 'invalid JSON: a closing bracket without its opening one';
        if (last !== 0x7b && last !== 0x5b) values++;
        if (i - open > PIECE_BYTES) large.set(open, i);
      } else if (c === 0x2c) {
        values++;
      }
      last = c;
    }
    const refused = limits.takeValues(values);
    if (refused) return refused;
    total += values;
    values = 0;
    if (i < text.length) {
      const late = await breathe(limits);
      if (late) return late;
    }
  }
  if (opens.length) return 'invalid JSON: unterminated array or object';
  return { large, values: total };
}

/** Where the string opening at `i` closes (the first quote not escaped by an odd run of backslashes); -1: nowhere. */
function stringEnd(text: Buffer, i: number): number {
  for (let q = i; ; ) {
    q = text.indexOf(0x22, q + 1);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let b = q - 1; b > i && text[b] === 0x5c; b--) backslashes++;
    if ((backslashes & 1) === 0) return q;
  }
}

function skipSpace(text: Buffer, i: number): number {
  while (i < text.length) {
    const c = text[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

class Builder {
  /** Characters handled since the event loop last had a turn. */
  private work = 0;

  constructor(
    private readonly text: Buffer,
    private readonly large: Map<number, number>,
    private readonly limits: ParseLimits,
  ) {}

  /** The container opening at `open` and closing at `close`, longer than a piece. */
  async container(open: number, close: number): Promise<unknown> {
    const { text } = this;
    const isArray = text[open] === 0x5b;
    const out: unknown[] | Record<string, unknown> = isArray ? [] : {};
    // A run of members not yet parsed: text from runStart to runEnd (inclusive).
    let runStart = -1;
    let runEnd = -1;
    const flush = (): void => {
      if (runStart < 0) return;
      const piece = text.toString('utf8', runStart, runEnd + 1);
      runStart = -1;
      if (isArray) {
        for (const v of JSON.parse(`[${piece}]`) as unknown[]) (out as unknown[]).push(v);
      } else {
        const part = JSON.parse(`{${piece}}`) as Record<string, unknown>;
        for (const k of Object.keys(part)) assign(out as Record<string, unknown>, k, part[k]);
      }
    };
    let p = skipSpace(text, open + 1);
    if (p === close) return out;
    for (;;) {
      const member = p;
      let key: string | undefined;
      if (!isArray) {
        if (text[p] !== 0x22) throw new SyntaxError(`expected a property name at position ${p}`);
        const keyEnd = this.stringEnd(p);
        p = skipSpace(text, keyEnd + 1);
        if (text[p] !== 0x3a) throw new SyntaxError(`expected ':' at position ${p}`);
        p = skipSpace(text, p + 1);
        // Parsed only when the value is large; otherwise it goes with its run.
        if (this.large.has(p)) key = JSON.parse(text.toString('utf8', member, keyEnd + 1)) as string;
      }
      const largeEnd = this.large.get(p);
      let valueEnd: number;
      if (largeEnd !== undefined) {
        flush();
        const value = await this.container(p, largeEnd);
        if (isArray) (out as unknown[]).push(value);
        else assign(out as Record<string, unknown>, key!, value);
        valueEnd = largeEnd;
      } else {
        valueEnd = this.valueEnd(p, close);
        if (runStart < 0) runStart = member;
        runEnd = valueEnd;
        if (runEnd - runStart > PIECE_BYTES) flush();
      }
      this.work += valueEnd + 1 - member;
      if (this.work > BUILD_SLICE) {
        flush();
        this.work = 0;
        if (await breathe(this.limits)) throw new Stop(DEADLINE);
      }
      p = skipSpace(text, valueEnd + 1);
      if (p === close) break;
      if (text[p] !== 0x2c) throw new SyntaxError(`expected ',' or '${isArray ? ']' : '}'}' at position ${p}`);
      p = skipSpace(text, p + 1);
      if (p >= close) throw new SyntaxError(`unexpected '${isArray ? ']' : '}'}' after ',' at position ${p}`);
    }
    flush();
    return out;
  }

  /** Where the string opening at `i` closes. */
  private stringEnd(i: number): number {
    const end = stringEnd(this.text, i);
    if (end < 0) throw new SyntaxError('unterminated string');
    return end;
  }

  /** The last character of the (small) value starting at `i`, which ends before `close` at the latest. */
  private valueEnd(i: number, close: number): number {
    const { text } = this;
    let depth = 0;
    for (; i < close; i++) {
      const c = text[i];
      if (c === 0x22) i = this.stringEnd(i);
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
      else if (c === 0x2c && depth === 0) return i - 1;
    }
    return close - 1;
  }
}

/** As JSON.parse sets a property: `__proto__` too is an own property, not the prototype. */
function assign(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}
