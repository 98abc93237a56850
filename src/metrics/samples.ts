// The samples of one probe, grouped in families, deduplicated by label set.
// Prometheus rejects a scrape with two identical series, so a duplicate is dropped
// here (the first one wins) and counted, never passed on.
export type FamilyType = 'gauge' | 'counter' | 'untyped' | 'info' | 'stateset';

export interface Sample {
  /** The labels by name, absent labels left out (built when asked: the exposition needs only labelText). */
  readonly labels: Record<string, string>;
  /** The labels as the exposition writes them: `{a="x",b="y"}`, or '' when there are none. */
  readonly labelText: string;
  /** The series key: the order the exposition sorts by. */
  readonly key: string;
  readonly value: number;
  /** Milliseconds since the epoch, for the rare sample that carries its own time. */
  readonly timestamp?: number;
}

// A class with the label names and values it was given rather than a labels object per
// sample: 5,000 series of a large document made 5,000 objects nobody but tests read.
class Series implements Sample {
  declare readonly timestamp?: number;
  constructor(
    private readonly names: readonly string[],
    private readonly values: readonly string[],
    readonly labelText: string,
    readonly key: string,
    readonly value: number,
  ) {}

  get labels(): Record<string, string> {
    const labels: Record<string, string> = {};
    for (let i = 0; i < this.names.length; i++) if (this.values[i] !== '') labels[this.names[i]!] = this.values[i]!;
    return labels;
  }
}

class TimedSeries extends Series {
  constructor(names: readonly string[], values: readonly string[], labelText: string, key: string, value: number, override readonly timestamp: number) {
    super(names, values, labelText, key, value);
  }
}

export interface Family {
  name: string;
  help: string;
  type: FamilyType;
  samples: Map<string, Sample>;
  /**
   * Whether the samples were added in key order (devices often list their things in
   * order, as W3's 5,000 sensors are): then the exposition need not sort them.
   */
  ordered: boolean;
  /** The key of the last sample added. */
  lastKey: string;
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
   * for the family (sorted, state label last); empty values are absent labels. Both are
   * kept by the sample: the caller must not change them afterwards.
   */
  add(name: string, help: string, type: FamilyType, names: readonly string[], values: readonly string[], value: number, timestamp?: number): AddResult {
    let family = this.families.get(name);
    if (!family) {
      family = { name, help, type, samples: new Map(), ordered: true, lastKey: '' };
      this.families.set(name, family);
    } else if (family.type !== type) {
      return 'conflict';
    }
    const p = names.length === 0 ? undefined : piecesFor(names, values);
    const key = seriesKey(names, values, p);
    if (family.samples.has(key)) {
      this.duplicates++;
      return 'duplicate';
    }
    if (this.count >= this.maxSeries) return 'limit';
    if (family.ordered && family.samples.size > 0 && key < family.lastKey) family.ordered = false;
    family.lastKey = key;
    const labelText = textOf(names, values, p);
    if (timestamp === undefined) family.samples.set(key, new Series(names, values, labelText, key, value));
    else {
      family.samples.set(key, new TimedSeries(names, values, labelText, key, value, timestamp));
      this.timestamped++;
    }
    this.count++;
    return 'added';
  }

  /** Whether the family already holds a series with this label set. */
  has(name: string, names: readonly string[], values: readonly string[]): boolean {
    return this.families.get(name)?.samples.has(seriesKey(names, values, undefined)) ?? false;
  }
}

/**
 * The pieces between the values of a label set whose values are all present, made once
 * per label-name array (a compiled metric's labelNames, shared by all its samples): `{a="`,
 * `",b="`, `"}` for the text and `a\0`, `\1b\0`, `\1` for the key. An array is given
 * pieces the second time it is seen: a caller that builds its names afresh for every
 * sample would otherwise pay for pieces it never reuses. Weak: they go with the arrays.
 */
interface Pieces {
  text: string[];
  key: string[];
}
const piecesOf = new WeakMap<readonly string[], Pieces>();
const seenOnce = new WeakSet<readonly string[]>();

function pieces(names: readonly string[]): Pieces | undefined {
  let p = piecesOf.get(names);
  if (p) return p;
  if (!seenOnce.has(names)) {
    seenOnce.add(names);
    return undefined;
  }
  p = { text: [], key: [] };
  for (let i = 0; i <= names.length; i++) {
    p.text.push(i === 0 ? `{${names[0]}="` : i === names.length ? '"}' : `",${names[i]}="`);
    p.key.push(i === 0 ? `${names[0]}\u0000` : i === names.length ? '\u0001' : `\u0001${names[i]}\u0000`);
  }
  piecesOf.set(names, p);
  return p;
}

/** The pieces when every value is present and the array has them. */
function piecesFor(names: readonly string[], values: readonly string[]): Pieces | undefined {
  if (names.length !== values.length) return undefined;
  for (let i = 0; i < values.length; i++) if (values[i] === '') return undefined;
  return pieces(names);
}

function seriesKey(names: readonly string[], values: readonly string[], p: Pieces | undefined): string {
  if (names.length === 0) return '';
  if (p) {
    const k = p.key;
    let key = k[0]!;
    for (let i = 0; i < values.length; i++) key += escapeKey(values[i]!) + k[i + 1]!;
    return key;
  }
  let key = '';
  for (let i = 0; i < names.length; i++) {
    const v = values[i]!;
    if (v !== '') key += `${names[i]}\u0000${escapeKey(v)}\u0001`;
  }
  return key;
}

function textOf(names: readonly string[], values: readonly string[], p: Pieces | undefined): string {
  if (names.length === 0) return '';
  if (p) {
    const t = p.text;
    let text = t[0]!;
    for (let i = 0; i < values.length; i++) text += escapeLabelValue(values[i]!) + t[i + 1]!;
    return text;
  }
  let text = '';
  for (let i = 0; i < names.length; i++) {
    const v = values[i]!;
    if (v === '') continue;
    text += `${text === '' ? '{' : ','}${names[i]}="${escapeLabelValue(v)}"`;
  }
  return text === '' ? '' : `${text}}`;
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
