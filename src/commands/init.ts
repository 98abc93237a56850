// apiprobe init --from sample.json: drafts a module from a sample answer. Numbers
// become gauges (counters where their names say so), lists of objects become `each`
// with an identifying field as label, strings that look like states (by their value, or
// by their field's name: state, status, mode…) become statesets, other short strings
// labels of an info metric (one for the document, one per list). The draft is a start to edit, not a verdict:
// it passes `apiprobe check` and maps the sample it came from.
import { stringify } from 'yaml';
import type { MetricSpec } from '../spec/schema.js';

type Draft = Omit<Partial<MetricSpec>, 'type'> & { name: string; help: string; type?: MetricSpec['type'] };

/** Families of states devices report; a string in one of them becomes a stateset over all of it. */
const STATE_FAMILIES: string[][] = [
  ['OK', 'Warning', 'Critical'],
  ['ok', 'warning', 'critical'],
  ['green', 'yellow', 'red'],
  ['UP', 'DOWN', 'OUT_OF_SERVICE', 'UNKNOWN'],
  ['up', 'down'],
  ['Enabled', 'Disabled', 'StandbyOffline', 'Absent'],
  ['online', 'offline'],
  ['running', 'stopped'],
  ['active', 'inactive'],
  ['healthy', 'unhealthy'],
  ['OPEN', 'CLOSED'],
  ['on', 'off'],
  ['ON', 'OFF'],
];
/** Field names that say their string is a state, whatever its value: a stateset with the one state seen, to complete. */
const STATE_FIELD = /(^|_)(state|status|mode|health|condition|phase)$/;
const ID_FIELDS = ['id', 'Id', 'ID', 'name', 'Name', 'key', 'Key', 'MemberId', 'host', 'node', 'label'];
const COUNTER_NAME = /(^|_)(total|count)$|_total_|accepted|requests$|errors$|_bytes_(in|out)$/;
const MAX_DEPTH = 4;
const MAX_INFO_LABELS = 8;

export function snake(text: string): string {
  const s = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    // The last capital of a run before a capitalised word (a lookahead, not [A-Z]+ before
    // it, which rescans a long run of capitals from each of its letters).
    .replace(/([A-Z])(?=[A-Z][a-z])/g, '$1_')
    .replace(/[^A-Za-z0-9]+/g, '_')
    // Runs of _ are one _ by now.
    .replace(/^_|_$/g, '')
    .toLowerCase();
  return /^[a-z_]/.test(s) ? s : `_${s}`;
}

/** A JSONPath name selector: dotted when it can be, bracketed otherwise. */
function member(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function stateFamily(value: string): string[] | undefined {
  return STATE_FAMILIES.find((f) => f.includes(value));
}

function isNumericString(v: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim());
}

export interface InitOptions {
  name: string;
  path: string;
  description?: string;
}

export function draftModule(sample: unknown, opts: InitOptions): string {
  const prefix = snake(opts.name);
  const metrics: Draft[] = [];
  const used = new Set<string>();
  const unique = (name: string): string => {
    let n = name;
    for (let i = 2; used.has(n); i++) n = `${name}_${i}`;
    used.add(n);
    return n;
  };
  const info: Record<string, string> = {};

  /** `infoLabels`: where a string that is no state becomes a label (the document's info metric, or its list's). */
  const scalar = (key: string, value: unknown, valuePath: string, base: Partial<Draft>, nameParts: string[], infoLabels: Record<string, string>, infoLabel: string): void => {
    const stem = [prefix, ...nameParts, snake(key)].join('_');
    if (typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && isNumericString(value))) {
      const counter = typeof value === 'number' && COUNTER_NAME.test(snake(key)) && value >= 0;
      const name = unique(counter ? `${stem.replace(/_total$/, '')}_total` : stem);
      metrics.push({ ...base, name, help: `${key} from the sample`, type: counter ? 'counter' : 'gauge', value: valuePath });
      return;
    }
    if (typeof value === 'string') {
      const family = stateFamily(value);
      if (family) {
        metrics.push({ ...base, name: unique(stem), help: `${key} from the sample`, type: 'stateset', value: valuePath, states: family });
      } else if (STATE_FIELD.test(snake(key)) && value.length <= 64) {
        metrics.push({ ...base, name: unique(stem), help: `${key} from the sample (list the other states it takes)`, type: 'stateset', value: valuePath, states: [value] });
      } else if (value.length <= 64 && Object.keys(infoLabels).length < MAX_INFO_LABELS) {
        infoLabels[infoLabel] = valuePath;
      }
    }
  };

  const walk = (node: unknown, jsonPath: string, nameParts: string[], depth: number): void => {
    if (depth > MAX_DEPTH || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const p = `${jsonPath}${member(key)}`;
      if (Array.isArray(value)) {
        list(key, value, p, nameParts);
      } else if (value !== null && typeof value === 'object') {
        walk(value, p, [...nameParts, snake(key)], depth + 1);
      } else {
        scalar(key, value, p, { from: 'status' }, nameParts, info, snake([...nameParts, key].join('_')));
      }
    }
  };

  // A list of objects: one series per element, labelled by its identifying field.
  const list = (key: string, items: unknown[], p: string, nameParts: string[]): void => {
    const first = items.find((i) => i !== null && typeof i === 'object' && !Array.isArray(i)) as Record<string, unknown> | undefined;
    if (!first) return;
    const id = ID_FIELDS.find((f) => typeof first[f] === 'string' || typeof first[f] === 'number');
    const label = id ? snake(id === 'Id' || id === 'ID' || id === 'MemberId' ? key.replace(/s$/, '') : id) : 'index';
    const base: Partial<Draft> = { from: 'status', each: `${p}[*]`, labels: { [label]: id ? `$${member(id)}` : '{key}' } };
    const itemInfo: Record<string, string> = {};
    for (const [field, value] of Object.entries(first)) {
      if (field === id || value === null || typeof value === 'object') continue;
      scalar(field, value, `$${member(field)}`, base, [...nameParts, snake(key)], itemInfo, snake(field));
    }
    // The list's other strings (a model, a description) as labels of one info series per element.
    delete itemInfo[label];
    if (Object.keys(itemInfo).length) {
      metrics.push({ ...base, name: unique(`${[prefix, ...nameParts, snake(key)].join('_')}_info`), help: `Fields of each ${key} element from the sample`, type: 'info', labels: { ...base.labels, ...itemInfo } });
    }
  };

  walk(sample, '$', [], 0);
  if (Object.keys(info).length) metrics.push({ name: unique(`${prefix}_info`), help: 'Identity fields from the sample', type: 'info', from: 'status', labels: info });
  const module = {
    description: opts.description ?? `Drafted by apiprobe init from a sample of ${opts.path}; review names, types and help`,
    requests: { status: { path: opts.path } },
    metrics: metrics.map((m) => (m.type === 'gauge' ? (({ type: _t, ...rest }) => rest)(m) : m)),
  };
  return `# Drafted by apiprobe init. Check it with: apiprobe check --config.file <a config including this file>\n${stringify({ modules: { [opts.name]: module } }, { lineWidth: 0 })}`;
}
