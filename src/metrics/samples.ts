// The samples of one probe, grouped in families, deduplicated by label set.
// Prometheus rejects a scrape with two identical series, so a duplicate is dropped
// here (the first one wins) and counted, never passed on.
export type FamilyType = 'gauge' | 'counter' | 'untyped' | 'info' | 'stateset';

export interface Sample {
  labels: Record<string, string>;
  /** The labels as the exposition writes them: `{a="x",b="y"}`, or '' when there are none. */
  labelText: string;
  value: number;
  /** Milliseconds since the epoch, for the rare sample that carries its own time. */
  timestamp?: number;
}

export interface Family {
  name: string;
  help: string;
  type: FamilyType;
  samples: Map<string, Sample>;
}

export type AddResult = 'added' | 'duplicate' | 'conflict' | 'limit';

export class SampleSet {
  readonly families = new Map<string, Family>();
  duplicates = 0;
  count = 0;
  /** Samples with a timestamp: exposition only looks for them when there are some. */
  timestamped = 0;

  constructor(readonly maxSeries = Infinity) {}


  /**
   * Adds one sample. `names` and `values` are parallel arrays, names in a fixed order
   * for the family (sorted, state label last); empty values are absent labels.
   */
  add(name: string, help: string, type: FamilyType, names: readonly string[], values: readonly string[], value: number, timestamp?: number): AddResult {
    let family = this.families.get(name);
    if (!family) {
      family = { name, help, type, samples: new Map() };
      this.families.set(name, family);
    } else if (family.type !== type) {
      return 'conflict';
    }
    const key = seriesKey(names, values);
    if (family.samples.has(key)) {
      this.duplicates++;
      return 'duplicate';
    }
    if (this.count >= this.maxSeries) return 'limit';
    const labels: Record<string, string> = {};
    let labelText = '';
    for (let i = 0; i < names.length; i++) {
      const v = values[i]!;
      if (v === '') continue;
      labels[names[i]!] = v;
      labelText += `${labelText === '' ? '{' : ','}${names[i]}="${escapeLabelValue(v)}"`;
    }
    if (labelText !== '') labelText += '}';
    if (timestamp === undefined) family.samples.set(key, { labels, labelText, value });
    else {
      family.samples.set(key, { labels, labelText, value, timestamp });
      this.timestamped++;
    }
    this.count++;
    return 'added';
  }

  /** Whether the family already holds a series with this label set. */
  has(name: string, names: readonly string[], values: readonly string[]): boolean {
    return this.families.get(name)?.samples.has(seriesKey(names, values)) ?? false;
  }
}

function seriesKey(names: readonly string[], values: readonly string[]): string {
  let key = '';
  for (let i = 0; i < names.length; i++) {
    const v = values[i]!;
    if (v !== '') key += `${names[i]}\u0000${escapeKey(v)}\u0001`;
  }
  return key;
}

// The key separators may occur in label values taken from device data; escaped with
// \u0002 so two different label sets can never share a key. Values without control
// characters (all real ones) are left as they are, which keeps the key order the
// label-value order expose.ts sorts by.
// eslint-disable-next-line no-control-regex -- the key separators are control characters
const KEY_CONTROL = /[\u0000-\u0002]/;
// eslint-disable-next-line no-control-regex -- the key separators are control characters
const KEY_CONTROL_ALL = /[\u0000-\u0002]/g;

function escapeKey(v: string): string {
  return KEY_CONTROL.test(v) ? v.replace(KEY_CONTROL_ALL, '\u0002$&') : v;
}

const LABEL_SPECIAL = /[\\\n"]/;

/** A label value as it goes between double quotes in the exposition. */
export function escapeLabelValue(v: string): string {
  return LABEL_SPECIAL.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}
