// What happened during one probe, for the failure reason, debug output and logs.
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Entry {
  at: number;
  level: Level;
  message: string;
}

const MAX_ENTRIES = 1000;

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
    this.entries.push({ at: (performance.now() - this.started) / 1000, level, message });
  }

  fail(message: string): void {
    this.reason ??= message;
    this.add('error', message);
  }

  text(): string {
    const lines = this.entries.map((e) => `${e.at.toFixed(3).padStart(8)}s ${e.level.padEnd(5)} ${e.message}`);
    if (this.dropped) lines.push(`(${this.dropped} more entries not kept)`);
    return lines.join('\n');
  }
}
