// Prometheus-style durations ("1m30s", "500ms", "10s"), returned in seconds.
const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/gy;

export function parseDuration(text: string): number | undefined {
  if (text.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_SECONDS[m[2]!] ?? NaN);
    end = PART.lastIndex;
  }
  return end === text.length && Number.isFinite(total) ? total : undefined;
}

/** Prometheus style, largest units first: 1h, 24d20h31m23s, 500ms. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  let rest = Math.round(seconds);
  let out = '';
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
