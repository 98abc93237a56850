// Samples → a fresh prom-client Registry → exposition text, in Prometheus text 0.0.4
// or OpenMetrics 1.0. The registry is built per probe so nothing from one probe can
// leak into another.
import { Registry, type RegistryContentType } from 'prom-client';
import type { Family, Sample, SampleSet } from './samples.js';

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
  const values = sortedSamples(f);
  if (format === 'text') {
    const type = f.type === 'info' || f.type === 'stateset' ? 'gauge' : f.type;
    return { name: f.name, help: f.help, type, values, aggregator: 'sum' };
  }
  switch (f.type) {
    case 'info':
      return { name: f.name.replace(/_info$/, ''), help: f.help, type: 'info', values: values.map((v) => ({ ...v, metricName: f.name })), aggregator: 'sum' };
    case 'counter':
      // prom-client appends _total to counter samples itself. A counter without
      // _total (kept by a module converted from json_exporter, which serves text
      // 0.0.4 only) goes out as unknown so that its series keep their name.
      if (!f.name.endsWith('_total')) return { name: f.name, help: f.help, type: 'unknown', values, aggregator: 'sum' };
      return { name: f.name.replace(/_total$/, ''), help: f.help, type: 'counter', values, aggregator: 'sum' };
    case 'untyped':
      return { name: f.name, help: f.help, type: 'unknown', values, aggregator: 'sum' };
    default:
      return { name: f.name, help: f.help, type: f.type, values, aggregator: 'sum' };
  }
}

/** A family's samples in the order the Go client prints them: by label values. */
function sortedSamples(f: Family): Sample[] {
  return [...f.samples.keys()].sort().map((k) => f.samples.get(k)!);
}

/** Families with samples, in name order. */
function familiesOf(sets: readonly SampleSet[]): Family[] {
  const families: Family[] = [];
  for (const set of sets) for (const f of set.families.values()) if (f.samples.size > 0) families.push(f);
  return families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// prom-client's constructor takes the content type, but its type declarations omit it.
const RegistryOf = Registry as unknown as new (contentType: RegistryContentType) => Registry<RegistryContentType>;

/** Families in name order, series by label values: the order the Go client uses. */
export function buildRegistry(sets: readonly SampleSet[], format: ExpositionFormat = 'text'): Registry<RegistryContentType> {
  const registry = new RegistryOf(CONTENT_TYPE[format] as RegistryContentType);
  for (const f of familiesOf(sets)) {
    const snap = snapshot(f, format);
    registry.registerMetric({ name: snap.name, type: snap.type, get: async () => snap } as never);
  }
  return registry;
}

// prom-client prints NaN as "Nan"; the text format (and OpenMetrics, strictly) spells it
// "NaN". The value is the last field of a sample line, and sample lines never start with #.
const PROM_CLIENT_NAN = /^([^#\n].*) Nan$/gm;

export async function exposeText(sets: readonly SampleSet[], format: ExpositionFormat = 'text'): Promise<string> {
  const raw = await buildRegistry(sets, format).metrics();
  const text = raw.includes(' Nan\n') ? raw.replace(PROM_CLIENT_NAN, '$1 NaN') : raw;
  return sets.some((s) => s.timestamped > 0) ? withTimestamps(text, sets, format) : text;
}

// prom-client prints no timestamps. Sample lines come out one per sample, in the
// order of familiesOf and sortedSamples, so the n-th sample line is the n-th sample.
function withTimestamps(text: string, sets: readonly SampleSet[], format: ExpositionFormat): string {
  const stamps: Array<number | undefined> = [];
  for (const f of familiesOf(sets)) for (const sample of sortedSamples(f)) stamps.push(sample.timestamp);
  const lines = text.split('\n');
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' || line.startsWith('#')) continue;
    const ts = stamps[n++];
    if (ts !== undefined) lines[i] = `${line} ${format === 'text' ? String(ts) : openMetricsSeconds(ts)}`;
  }
  return lines.join('\n');
}

/** Milliseconds as OpenMetrics seconds, written exactly: 1700000000123 → 1700000000.123. */
function openMetricsSeconds(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const seconds = Math.floor(abs / 1000);
  const rest = abs - seconds * 1000;
  return rest === 0 ? `${sign}${seconds}` : `${sign}${seconds}.${String(rest).padStart(3, '0').replace(/0+$/, '')}`;
}
