// The rules a module must follow beyond its shape (schema.ts): fan-out graphs,
// metric names and types, the fields a kind of metric takes. Each rule reports the
// field it is about; compile.ts builds the plan only from a module that passed them.
// Every rule here has a bad configuration in test/config/bad/ that proves it fires.
import { openMetricsFamily } from '../metrics/expose.js';
import type { MetricType } from '../mapping/plan.js';
import type { MetricSpec, ModuleSpec, RequestSpec } from './schema.js';

/** A problem at a field of the module; `atKey` locates it at the field's name rather than its value. */
export type Report = (path: ReadonlyArray<PropertyKey>, message: string, atKey?: boolean) => void;

const RESERVED_PREFIXES = ['probe_', 'apiprobe_'];

/** The module's requests, for messages naming an unknown one. */
export function knownRequests(spec: ModuleSpec): string {
  const declared = Object.keys(spec.requests);
  return declared.length ? declared.join(', ') : 'none';
}

/** A request has a path or a follow (or, in a URL module, neither: the target itself). */
export function checkRequest(req: RequestSpec, spec: ModuleSpec, at: PropertyKey[], fail: Report): boolean {
  if (req.path !== undefined && req.follow) {
    fail([...at, 'path'], 'a request has either path or follow, not both');
    return false;
  }
  if (req.path === undefined && !req.follow && !spec.target.url) {
    fail([...at, 'path'], 'a request needs a path or a follow; only modules with target: { url: true } may fetch the target URL itself');
    return false;
  }
  if (req.path !== undefined && !req.path.startsWith('/') && !spec.target.url) {
    fail([...at, 'path'], `path must start with "/" (got ${JSON.stringify(req.path)})`);
    return false;
  }
  return true;
}

/** Fan-out sources exist and form no cycle (each cycle reported once, on its first request). */
export function checkFanOut(spec: ModuleSpec, fail: Report): void {
  if (Object.keys(spec.requests).length === 0) fail(['requests'], 'a module needs at least one request');
  for (const [reqName, req] of Object.entries(spec.requests)) {
    if (req.follow && !Object.hasOwn(spec.requests, req.follow.from)) {
      fail(['requests', reqName, 'follow', 'from'], `unknown request "${req.follow.from}" (known: ${knownRequests(spec)})`);
    }
  }
  const inCycle = new Set<string>();
  for (const [reqName, req] of Object.entries(spec.requests)) {
    if (inCycle.has(reqName)) continue;
    const chain = [reqName];
    for (let cur = req.follow?.from; cur !== undefined && Object.hasOwn(spec.requests, cur); cur = spec.requests[cur]!.follow?.from) {
      if (cur === reqName) {
        fail(['requests', reqName, 'follow', 'from'], `fan-out cycle: ${[...chain, cur].join(' -> ')}`);
        for (const member of chain) inCycle.add(member);
        break;
      }
      if (chain.includes(cur)) break;
      chain.push(cur);
    }
  }
}

/**
 * Across the module's metrics: one name has one type, and two names never become the
 * same OpenMetrics family (`foo` and `foo_total`, `foo` and `foo_info`).
 */
export function checkMetricNames(metrics: readonly MetricSpec[], fail: Report): void {
  const typesByName = new Map<string, { type: MetricType; index: number }>();
  const families = new Map<string, { name: string; index: number }>();
  metrics.forEach((m, i) => {
    const at = ['metrics', i];
    const earlier = typesByName.get(m.name);
    if (earlier && earlier.type !== m.type) {
      fail([...at, 'type'], `metric ${m.name} is already a ${earlier.type} in metrics[${earlier.index}]; one name has one type`);
    } else if (!earlier) {
      typesByName.set(m.name, { type: m.type, index: i });
    }
    const family = openMetricsFamily(m.name, m.type);
    const sharing = families.get(family);
    if (sharing && sharing.name !== m.name) {
      fail([...at, 'name'], `metric ${m.name} and metrics[${sharing.index}] ${sharing.name} would both be the OpenMetrics family ${family}; rename one`);
    } else if (!sharing) {
      families.set(family, { name: m.name, index: i });
    }
  });
}

/**
 * Rules on one metric's own fields, independent of the requests. `converted`: the
 * module came from another exporter's configuration, whose counters may lack _total;
 * their names are kept, so that the series stay the same.
 */
export function checkMetric(m: MetricSpec, at: PropertyKey[], fail: Report, converted: boolean): void {
  for (const prefix of RESERVED_PREFIXES) {
    if (m.name.startsWith(prefix)) fail([...at, 'name'], `metric ${m.name}: names starting with ${prefix} are reserved for apiprobe's own metrics`);
  }
  if (m.type === 'counter' && !m.name.endsWith('_total') && !converted) fail([...at, 'name'], `counter ${m.name} must have a name ending in _total`);
  if (m.go_text && (m.type === 'info' || m.type === 'stateset')) fail([...at, 'go_text'], `go_text does not apply to ${m.type} metrics`);
  if (m.go_text && m.convert !== 'number') fail([...at, 'convert'], 'go_text reads values as json_exporter does; convert does not apply');
  if (m.type === 'info' && !m.name.endsWith('_info')) fail([...at, 'name'], `info metric ${m.name} must have a name ending in _info`);
  if (m.type === 'info' && m.value !== undefined) fail([...at, 'value'], 'an info metric has no value (it is always 1); put fields in labels');
  if (m.type !== 'info' && m.value === undefined) fail([...at, 'value'], `a ${m.type} metric needs a value`);
  if (m.type === 'stateset' && !m.states) fail([...at, 'states'], 'a stateset metric needs states (the values it can take)');
  if (m.type !== 'stateset' && m.states) fail([...at, 'states'], `states belong to stateset metrics, not to a ${m.type}`);
  if ((m.type === 'stateset' || m.type === 'info') && m.value_map) fail([...at, 'value_map'], `value_map does not apply to ${m.type} metrics`);
  if (m.convert === 'count' && m.regex === undefined) fail([...at, 'convert'], 'count counts the matches of regex: give a regex');
  if (m.regex !== undefined && (m.type === 'stateset' || m.type === 'info')) fail([...at, 'regex'], `regex does not apply to ${m.type} metrics`);
  if (m.convert !== 'number' && (m.type === 'stateset' || m.type === 'info')) fail([...at, 'convert'], `convert does not apply to ${m.type} metrics`);
  for (const labelName of Object.keys(m.labels ?? {})) {
    if (labelName.startsWith('__')) fail([...at, 'labels', labelName], `label name ${labelName}: names starting with __ are reserved`, true);
  }
  if (m.type === 'stateset' && m.labels && Object.hasOwn(m.labels, m.name)) {
    fail([...at, 'labels', m.name], `label ${m.name}: a stateset uses its own name as the state label`, true);
  }
}
