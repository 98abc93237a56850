// Samples → exposition text, in Prometheus text 0.0.4 or OpenMetrics 1.0.
//
// Written directly rather than through a prom-client Registry: a probe's output is
// built once and thrown away, and a Registry per probe (metric objects, an async
// collect per family, label objects flattened again) was a sixth of the exporter's
// CPU on a small probe. The output is byte for byte what prom-client writes (a test
// compares the two on random input), except two things prom-client gets wrong: NaN is
// spelled "NaN" (prom-client writes "Nan", which Prometheus reads as a metric-name
// token), and OpenMetrics HELP escapes double quotes, as the OpenMetrics ABNF requires.
// prom-client still serves the exporter's own /metrics.
import { Registry } from 'prom-client';
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

/**
 * Families in name order, series by label values (the order the Go client uses).
 * Text 0.0.4 has no info or stateset type: both are gauges there (value 1 for info;
 * one 0/1 series per state for a stateset), and a blank line separates families.
 * OpenMetrics names an info or counter family without its _info/_total suffix and puts
 * the suffix on the samples, says unknown for untyped, and ends with # EOF.
 */
export function exposeText(sets: readonly SampleSet[], format: ExpositionFormat = 'text'): string {
  const om = format === 'openmetrics';
  const families = familiesOf(sets);
  // foo_info (info) and foo, or foo_total (counter) and foo, would be one OpenMetrics
  // family twice. A module's configuration cannot have both; two modules probed together
  // can: then the suffixed one goes out as unknown under its full name.
  const taken = om ? new Set(families.map((f) => f.name)) : undefined;
  let out = '';
  let first = true;
  for (const f of families) {
    if (!first) out += om ? '\n' : '\n\n';
    first = false;
    let names = om ? openMetricsNames(f) : { family: f.name, type: TEXT_TYPE[f.type], sample: f.name };
    if (taken && names.family !== f.name) {
      if (taken.has(names.family)) names = { family: f.name, type: 'unknown', sample: f.name };
      else taken.add(names.family);
    }
    const { family, type, sample } = names;
    out += `# HELP ${family} ${om ? escapeOpenMetricsHelp(f.help) : escapeHelp(f.help)}\n# TYPE ${family} ${type}`;
    for (const s of sortedSamples(f)) {
      out += `\n${sample}${s.labelText} ${formatValue(s.value)}`;
      if (s.timestamp !== undefined) out += ` ${om ? openMetricsSeconds(s.timestamp) : String(s.timestamp)}`;
    }
  }
  return om ? `${out}\n# EOF\n` : `${out}\n`;
}

const TEXT_TYPE: Record<Family['type'], string> = { gauge: 'gauge', counter: 'counter', untyped: 'untyped', info: 'gauge', stateset: 'gauge' };

/** The name OpenMetrics gives a family: info and counter families drop their suffix. */
export function openMetricsFamily(name: string, type: Family['type']): string {
  if (type === 'info' && name.endsWith('_info')) return name.slice(0, -'_info'.length);
  if (type === 'counter' && name.endsWith('_total')) return name.slice(0, -'_total'.length);
  return name;
}

function openMetricsNames(f: Family): { family: string; type: string; sample: string } {
  // A counter without _total (kept by a module converted from json_exporter, which serves
  // text 0.0.4 only) goes out as unknown so that its series keep their name.
  const type = f.type === 'untyped' || (f.type === 'counter' && !f.name.endsWith('_total')) ? 'unknown' : f.type;
  return { family: openMetricsFamily(f.name, f.type), type, sample: f.name };
}

/** A family's samples in the order the Go client prints them: by label values. */
function sortedSamples(f: Family): Iterable<Sample> {
  if (f.samples.size < 2 || f.ordered) return f.samples.values();
  return [...f.samples.values()].sort(byKey);
}

function byKey(a: Sample, b: Sample): number {
  return a.key < b.key ? -1 : 1;
}

/** Families with samples, in name order. */
function familiesOf(sets: readonly SampleSet[]): Family[] {
  const families: Family[] = [];
  for (const set of sets) for (const f of set.families.values()) if (f.samples.size > 0) families.push(f);
  return families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

const HELP_SPECIAL = /[\\\n]/;
const HELP_SPECIAL_OM = /[\\\n"]/;

function escapeHelp(s: string): string {
  return HELP_SPECIAL.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : s;
}

function escapeOpenMetricsHelp(s: string): string {
  return HELP_SPECIAL_OM.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : s;
}

/** Milliseconds as OpenMetrics seconds, written exactly: 1700000000123 → 1700000000.123. */
function openMetricsSeconds(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const seconds = Math.floor(abs / 1000);
  const rest = abs - seconds * 1000;
  return rest === 0 ? `${sign}${seconds}` : `${sign}${seconds}.${String(rest).padStart(3, '0').replace(/0+$/, '')}`;
}
