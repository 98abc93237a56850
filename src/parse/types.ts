export type Parsed = { ok: true; doc: unknown } | { ok: false; error: string };

/**
 * What a parse may cost: the probe's budget of parsed values, drawn before the values are
 * built, and its deadline (performance.now() milliseconds), past which parsing stops.
 */
export interface ParseLimits {
  /** Takes `n` values from the probe's budget; the reason when they do not fit. */
  takeValues(n: number): string | undefined;
  due: number;
}

export const UNLIMITED: ParseLimits = { takeValues: () => undefined, due: Infinity };

/**
 * Parsers work in slices of about this many characters and give the event loop a turn
 * between two (other probes, /-/healthy): a slice takes a millisecond or two.
 */
export const SLICE_CHARS = 128 * 1024;

export type Parser = (body: Buffer, contentType: string | undefined, limits?: ParseLimits) => Promise<Parsed>;

/** Body text as UTF-8 without a byte-order mark. */
export function bodyText(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Lets other work run; the reason to stop when the deadline passed meanwhile.
 *
 * Parses waiting for their next slice take turns, one slice per turn of the event loop:
 * with a setImmediate each, every parse in progress would run a slice back to back in the
 * same turn, and eight bodies parsed at once would hold the loop eight slices long.
 */
export async function breathe(limits: ParseLimits): Promise<string | undefined> {
  await new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(nextSlice);
    }
  });
  return performance.now() >= limits.due ? DEADLINE : undefined;
}

/**
 * Reads `text` line by line (a CR before the LF dropped), a slice at a time: `read` says
 * how many values a line made (or a reason to stop); between two slices they are drawn
 * from the probe's budget and the event loop gets a turn. The reason the parse stopped,
 * or undefined once every line was read and drawn.
 */
export async function eachLine(text: string, limits: ParseLimits, read: (line: string) => number | string): Promise<string | undefined> {
  let counted = 0;
  let sliceEnd = SLICE_CHARS;
  for (let start = 0; start < text.length; ) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const line = text.slice(start, nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl);
    start = nl + 1;
    if (start > sliceEnd && start < text.length) {
      const stop = limits.takeValues(counted) ?? (await breathe(limits));
      if (stop) return stop;
      counted = 0;
      sliceEnd = start + SLICE_CHARS;
    }
    const made = read(line);
    if (typeof made === 'string') return made;
    counted += made;
  }
  return limits.takeValues(counted);
}

const waiting: Array<() => void> = [];
let scheduled = false;

function nextSlice(): void {
  scheduled = false;
  // The slice itself runs in the microtasks right after this callback; the next one is
  // scheduled for the next turn of the loop, after its I/O.
  waiting.shift()?.();
  if (waiting.length && !scheduled) {
    scheduled = true;
    setImmediate(nextSlice);
  }
}

export const DEADLINE = 'deadline exceeded while parsing';

/** Thrown inside a parser to end it with `message` as the probe's reason. */
export class ParseStop extends Error {}
