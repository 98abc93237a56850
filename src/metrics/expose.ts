// Samples → a fresh prom-client Registry → exposition text. The registry is built
// per probe so nothing from one probe can leak into another.
import { Registry } from 'prom-client';
import type { Family, SampleSet } from './samples.js';

export const PROMETHEUS_TEXT = Registry.PROMETHEUS_CONTENT_TYPE;

// Text format 0.0.4 has no info or stateset type: both are exposed as gauges
// (value 1 for info; one 0/1 series per state for a stateset).
function textType(f: Family): 'gauge' | 'counter' | 'untyped' {
  return f.type === 'info' || f.type === 'stateset' ? 'gauge' : f.type;
}

/** Families in name order, series by label values: the order the Go client uses. */
export function buildRegistry(sets: readonly SampleSet[]): Registry {
  const registry = new Registry();
  const families: Family[] = [];
  for (const set of sets) for (const f of set.families.values()) families.push(f);
  families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of families) {
    if (f.samples.size === 0) continue;
    const keys = [...f.samples.keys()].sort();
    const values = keys.map((k) => f.samples.get(k)!);
    const snapshot = { name: f.name, help: f.help, type: textType(f), values, aggregator: 'sum' as const };
    registry.registerMetric({ name: f.name, get: async () => snapshot } as never);
  }
  return registry;
}

// prom-client prints NaN as "Nan"; the text format (and OpenMetrics, strictly) spells it
// "NaN". The value is the last field of a sample line, and sample lines never start with #.
const PROM_CLIENT_NAN = /^([^#\n].*) Nan$/gm;

export async function exposeText(sets: readonly SampleSet[]): Promise<string> {
  const text = await buildRegistry(sets).metrics();
  return text.includes(' Nan\n') ? text.replace(PROM_CLIENT_NAN, '$1 NaN') : text;
}
