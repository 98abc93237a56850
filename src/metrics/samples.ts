// The samples of one probe, grouped in families, deduplicated by label set.
// Prometheus rejects a scrape with two identical series, so a duplicate is dropped
// here (the first one wins) and counted, never passed on.
export type FamilyType = 'gauge' | 'counter' | 'untyped' | 'info' | 'stateset';

export interface Sample {
  labels: Record<string, string>;
  value: number;
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

  constructor(readonly maxSeries = Infinity) {}

  /**
   * Adds one sample. `names` and `values` are parallel arrays, names in a fixed order
   * for the family (sorted, state label last); empty values are absent labels.
   */
  add(name: string, help: string, type: FamilyType, names: readonly string[], values: readonly string[], value: number): AddResult {
    let family = this.families.get(name);
    if (!family) {
      family = { name, help, type, samples: new Map() };
      this.families.set(name, family);
    } else if (family.type !== type) {
      return 'conflict';
    }
    let key = '';
    const labels: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) {
      const v = values[i]!;
      if (v === '') continue;
      labels[names[i]!] = v;
      key += `${names[i]}\u0000${v}\u0001`;
    }
    if (family.samples.has(key)) {
      this.duplicates++;
      return 'duplicate';
    }
    if (this.count >= this.maxSeries) return 'limit';
    family.samples.set(key, { labels, value });
    this.count++;
    return 'added';
  }
}
