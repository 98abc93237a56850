// Samples → a fresh prom-client Registry → exposition text, in Prometheus text 0.0.4
// or OpenMetrics 1.0. The registry is built per probe so nothing from one probe can
// leak into another.
import { Registry, type RegistryContentType } from 'prom-client';
import type { Family, SampleSet } from './samples.js';

export type ExpositionFormat = 'text' | 'openmetrics';

export const CONTENT_TYPE: Record<ExpositionFormat, string> = {
  text: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};
export const PROMETHEUS_TEXT = CONTENT_TYPE.text;

/** OpenMetrics when the client accepts it (Prometheus asks for it first), else text 0.0.4. */
export function negotiate(accept: string | undefined): ExpositionFormat {
  return accept?.includes('application/openmetrics-text') ? 'openmetrics' : 'text';
}

interface Snapshot {
  name: string;
  help: string;
  type: string;
  values: Array<{ labels: Record<string, string>; value: number; metricName?: string }>;
  aggregator: 'sum';
}

// Text 0.0.4 has no info or stateset type: both are gauges there (value 1 for info;
// one 0/1 series per state for a stateset). OpenMetrics names an info or counter
// family without its _info/_total suffix and puts the suffix on the samples.
function snapshot(f: Family, format: ExpositionFormat): Snapshot {
  const values = [...f.samples.keys()].sort().map((k) => f.samples.get(k)!);
  if (format === 'text') {
    const type = f.type === 'info' || f.type === 'stateset' ? 'gauge' : f.type;
    return { name: f.name, help: f.help, type, values, aggregator: 'sum' };
  }
  switch (f.type) {
    case 'info':
      return { name: f.name.replace(/_info$/, ''), help: f.help, type: 'info', values: values.map((v) => ({ ...v, metricName: f.name })), aggregator: 'sum' };
    case 'counter':
      // prom-client appends _total to counter samples itself.
      return { name: f.name.replace(/_total$/, ''), help: f.help, type: 'counter', values, aggregator: 'sum' };
    case 'untyped':
      return { name: f.name, help: f.help, type: 'unknown', values, aggregator: 'sum' };
    default:
      return { name: f.name, help: f.help, type: f.type, values, aggregator: 'sum' };
  }
}

// prom-client's constructor takes the content type, but its type declarations omit it.
const RegistryOf = Registry as unknown as new (contentType: RegistryContentType) => Registry<RegistryContentType>;

/** Families in name order, series by label values: the order the Go client uses. */
export function buildRegistry(sets: readonly SampleSet[], format: ExpositionFormat = 'text'): Registry<RegistryContentType> {
  const registry = new RegistryOf(CONTENT_TYPE[format] as RegistryContentType);
  const families: Family[] = [];
  for (const set of sets) for (const f of set.families.values()) families.push(f);
  families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of families) {
    if (f.samples.size === 0) continue;
    const snap = snapshot(f, format);
    registry.registerMetric({ name: snap.name, type: snap.type, get: async () => snap } as never);
  }
  return registry;
}

// prom-client prints NaN as "Nan"; the text format (and OpenMetrics, strictly) spells it
// "NaN". The value is the last field of a sample line, and sample lines never start with #.
const PROM_CLIENT_NAN = /^([^#\n].*) Nan$/gm;

export async function exposeText(sets: readonly SampleSet[], format: ExpositionFormat = 'text'): Promise<string> {
  const text = await buildRegistry(sets, format).metrics();
  return text.includes(' Nan\n') ? text.replace(PROM_CLIENT_NAN, '$1 NaN') : text;
}
