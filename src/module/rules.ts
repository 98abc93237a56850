// The rules a module must follow beyond its shape (spec/schema.ts): fan-out graphs,
// metric names and types, the fields a kind of metric takes. Each rule reports the
// field it is about; compile.ts builds the plan only from a module that passed them.
// Every rule here has a bad configuration in test/config/bad/ that proves it fires.
import { openMetricsFamily } from '../metrics/expose.js';
import type { MetricType } from '../mapping/plan.js';
import type { FollowSpec, MetricSpec, ModuleSpec, RequestSpec } from '../spec/schema.js';

/** A problem at a field of the module; `atKey` locates it at the field's name rather than its value. */
export type Report = (path: ReadonlyArray<PropertyKey>, message: string, atKey?: boolean) => void;

const RESERVED_PREFIXES = ['probe_', 'apiprobe_'];
/** Labels Prometheus itself gives every scraped series. */
const TARGET_LABELS = new Set(['job', 'instance']);

/** The module's requests, for messages naming an unknown one. */
export function knownRequests(spec: ModuleSpec): string {
  const declared = Object.keys(spec.requests);
  return declared.length ? declared.join(', ') : 'none';
}

/** A request's follows, one or several, each with the field path it was written at. */
export function followsOf(req: RequestSpec, at: PropertyKey[] = []): Array<{ follow: FollowSpec; at: PropertyKey[] }> {
  if (req.follow === undefined) return [];
  if (Array.isArray(req.follow)) return req.follow.map((follow, i) => ({ follow, at: [...at, 'follow', i] }));
  return [{ follow: req.follow, at: [...at, 'follow'] }];
}

/** A request has a path or a follow (or, in a URL module, neither: the target itself). */
export function checkRequest(name: string, req: RequestSpec, spec: ModuleSpec, at: PropertyKey[], fail: Report): boolean {
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
  if (req.min_followers !== undefined) {
    const followers = Object.values(spec.requests).filter((r) => followsOf(r).some(({ follow }) => follow.from === name)).length;
    if (req.min_followers > followers) {
      fail([...at, 'min_followers'], `min_followers counts the requests that follow this one and found links in it: ${req.min_followers} expected, ${followers === 0 ? 'none follows' : `only ${followers} follow${followers === 1 ? 's' : ''}`} ${name}`);
      return false;
    }
  }
  if (req.min_links !== undefined && !req.follow) {
    fail([...at, 'min_links'], 'min_links counts the links a follow finds: only for a request with follow');
    return false;
  }
  return true;
}

/** Fan-out sources exist and form no cycle (each cycle reported once, on its first request). */
export function checkFanOut(spec: ModuleSpec, fail: Report): void {
  if (Object.keys(spec.requests).length === 0) fail(['requests'], 'a module needs at least one request');
  const sources = (name: string): string[] => followsOf(spec.requests[name]!).map((f) => f.follow.from).filter((from) => Object.hasOwn(spec.requests, from));
  for (const [reqName, req] of Object.entries(spec.requests)) {
    for (const { follow, at } of followsOf(req, ['requests', reqName])) {
      if (!Object.hasOwn(spec.requests, follow.from)) fail([...at, 'from'], `unknown request "${follow.from}" (known: ${knownRequests(spec)})`);
    }
  }
  // Depth first along the sources; a request met again on the current path closes a cycle.
  const inCycle = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    if (done.has(name)) return;
    const at = path.indexOf(name);
    if (at >= 0) {
      const cycle = path.slice(at);
      const first = cycle[0]!;
      if (!cycle.some((m) => inCycle.has(m))) {
        const follows = followsOf(spec.requests[first]!, ['requests', first]);
        const where = follows.find((f) => f.follow.from === (cycle[1] ?? first)) ?? follows[0]!;
        fail([...where.at, 'from'], `fan-out cycle: ${[...cycle, first].join(' -> ')}`);
      }
      for (const m of cycle) inCycle.add(m);
      return;
    }
    for (const from of sources(name)) visit(from, [...path, name]);
    done.add(name);
  };
  for (const name of Object.keys(spec.requests)) visit(name, []);
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
    // Prometheus attaches job and instance to every series it scrapes and stores a
    // scraped one as exported_<name>, so `by (job)` would group by the scrape job. A
    // converted json_exporter module keeps its labels: its series stay as they were.
    if (TARGET_LABELS.has(labelName) && !converted) {
      fail([...at, 'labels', labelName], `label name ${labelName}: Prometheus sets ${labelName} on every scraped series and would store this one as exported_${labelName}; name it after what it is (e.g. jenkins_${labelName})`, true);
    }
  }
  if (m.type === 'stateset' && m.labels && Object.hasOwn(m.labels, m.name)) {
    fail([...at, 'labels', m.name], `label ${m.name}: a stateset uses its own name as the state label`, true);
  }
}
