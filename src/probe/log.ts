// What happened during one probe, for the failure reason, debug output and logs.
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Entry {
  at: number;
  level: Level;
  message: string;
}

const MAX_ENTRIES = 1000;
/**
 * A message as kept: a device makes one as long as it likes (a link, a value, a status
 * line quoted), so a probe's log is at most MAX_ENTRIES × this many characters.
 */
export const MAX_MESSAGE_CHARS = 4096;

/** How much of a log to render: lines, characters per line, characters in all. */
export interface TextLimits {
  maxLines?: number;
  maxLineChars?: number;
  maxChars?: number;
}

export class ProbeLog {
  readonly entries: Entry[] = [];
  private readonly started = performance.now();
  private dropped = 0;
  /** The first problem that made the probe unsuccessful. */
  reason: string | undefined;

  add(level: Level, message: string): void {
    if (this.entries.length >= MAX_ENTRIES) {
      this.dropped++;
      return;
    }
    this.entries.push({ at: (performance.now() - this.started) / 1000, level, message: clipMessage(message, MAX_MESSAGE_CHARS) });
  }

  fail(message: string): void {
    this.reason ??= clipMessage(message, MAX_MESSAGE_CHARS);
    this.add('error', message);
  }

  text(limits: TextLimits = {}): string {
    const { maxLines = Infinity, maxLineChars = Infinity, maxChars = Infinity } = limits;
    const lines: string[] = [];
    let chars = 0;
    let shown = 0;
    for (const e of this.entries) {
      if (shown >= maxLines) break;
      const line = `${e.at.toFixed(3).padStart(8)}s ${e.level.padEnd(5)} ${clipMessage(e.message, maxLineChars)}`;
      if (chars + line.length + 1 > maxChars) break;
      lines.push(line);
      chars += line.length + 1;
      shown++;
    }
    const notShown = this.entries.length - shown + this.dropped;
    if (notShown) lines.push(`(${notShown} more entries not ${shown < this.entries.length ? 'shown' : 'kept'})`);
    return lines.join('\n');
  }
}

/**
 * At most `max` characters of a message (and a note), saying how many were left out:
 * its beginning and its end, as a long message is mostly a long URL or value quoted in
 * the middle, with what went wrong at the end.
 */
export function clipMessage(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.floor(max / 4);
  return `${text.slice(0, max - tail)} … (${text.length - max} characters left out) … ${text.slice(text.length - tail)}`;
}
