// Turns a validated module into the plan the probe executes: JSONPaths, templates,
// value maps and URL plans are all compiled here, once, at config load.
import { openMetricsFamily } from '../metrics/expose.js';
import type { Conversion } from '../mapping/convert.js';
import { compileExpr, ExprError, type Expr } from '../mapping/expr.js';
import { compilePath, JsonPathError, type CompiledPath } from '../mapping/jsonpath.js';
import path from 'node:path';
import { compileTransport, TransportError, type Transport } from '../fetch/transport.js';
import { compileParser, type FormatSpec, type Parser } from '../parse/index.js';
import type { EachStepSpec, MetricSpec, ModuleSpec, RequestSpec } from './schema.js';

/** A problem at a field of the module; `atKey` locates it at the field's name rather than its value. */
export type Report = (path: ReadonlyArray<PropertyKey>, message: string, atKey?: boolean) => void;

export interface CompiledFollow {
  from: string;
  links: CompiledPath;
  vars: Array<[string, Expr]>;
}

export interface CompiledRequest {
  name: string;
  method: string;
  /** Path (and query) relative to the target; undefined means the target URL itself. Templates may use the module's params. */
  path: Expr | undefined;
  /** Query parameters added to the URL. */
  query: Array<[string, Expr]>;
  headers: Record<string, string>;
  body: Expr | undefined;
  /** Seconds a successful answer may be served from the cache; 0: never. */
  cacheSeconds: number;
  follow: CompiledFollow | undefined;
  parser: Parser;
  validStatus: (status: number) => boolean;
  optional: boolean;
  /** Requests that fan out from this one's responses. */
  followers: string[];
  /** Variables available to metrics reading this request. */
  vars: ReadonlySet<string>;
}

export interface CompiledStep {
  path: CompiledPath;
  vars: Array<[string, Expr]>;
}

export type MetricType = MetricSpec['type'];

export interface CompiledMetric {
  name: string;
  help: string;
  type: MetricType;
  from: string;
  steps: CompiledStep[];
  labels: Array<[string, Expr]>;
  value: Expr | undefined;
  valueMap: Map<string, number> | undefined;
  ignoreCase: boolean;
  scale: number | undefined;
  regex: RegExp | undefined;
  convert: Conversion;
  states: string[] | undefined;
  onMissing: 'skip' | 'error';
  /** The sample's timestamp in milliseconds since the epoch, when the module gives one. */
  timestamp: Expr | undefined;
  /** Where the mapping was defined, for logs: `module.metrics[i]`. */
  where: string;
}

export interface CompiledModule {
  name: string;
  description: string;
  file: string;
  /** The module as validated, for debug output. */
  spec: ModuleSpec;
  scheme: 'http' | 'https';
  port: number | undefined;
  allowUrl: boolean;
  timeoutSeconds: number;
  concurrency: number;
  probeConcurrency: number;
  maxRequests: number;
  maxResponseBytes: number;
  transport: Transport;
  /** The credentials used when the probe names none. */
  auth: string | undefined;
  /** Probe parameters the requests may use: name → default (null: the probe must give it). */
  params: Map<string, string | null>;
  requests: Map<string, CompiledRequest>;
  /** Requests that start at once (the ones that follow nothing). */
  roots: string[];
  metrics: CompiledMetric[];
}

const ACCEPT: Record<FormatSpec['type'], string> = {
  auto: 'application/json, application/xml;q=0.9, */*;q=0.8',
  json: 'application/json',
  xml: 'application/xml, text/xml;q=0.9, */*;q=0.8',
  csv: 'text/csv, text/plain;q=0.9, */*;q=0.8',
  kv: 'text/plain, */*;q=0.8',
  regex: 'text/plain, */*;q=0.8',
};

const RESERVED_PREFIXES = ['probe_', 'apiprobe_'];

export function compileModule(
  name: string,
  spec: ModuleSpec,
  file: string,
  report: Report,
  resolvePath: (p: string) => string = (p) => path.resolve(path.dirname(file), p),
): CompiledModule | undefined {
  let ok = true;
  const fail: Report = (path, message, atKey) => {
    ok = false;
    report(path, message, atKey);
  };
  const requests = new Map<string, CompiledRequest>();
  const moduleHeaders = spec.headers ?? {};
  const params = new Map(Object.entries(spec.params ?? {}));
  const paramNames = new Set(params.keys());
  let transport: Transport | undefined;
  if (spec.tls.key !== undefined) {
    // Modules are shown by debug=true and shared as files; credentials live under auths:.
    fail(['tls', 'key'], 'an inline private key is a secret, kept out of modules: use key_file here, or give cert and key in the tls of an auth');
  } else {
    try {
      transport = compileTransport(spec.tls, spec.proxy_url, resolvePath, spec.follow_redirects);
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      fail(err.field === 'proxy_url' ? ['proxy_url'] : ['tls', err.field], err.message);
    }
  }

  for (const [reqName, req] of Object.entries(spec.requests)) {
    const at = ['requests', reqName];
    const compiled = compileRequest(reqName, req, moduleHeaders, spec, paramNames, at, fail);
    if (compiled) requests.set(reqName, compiled);
  }
  const declared = Object.keys(spec.requests);
  if (declared.length === 0) fail(['requests'], 'a module needs at least one request');
  const known = (): string => (declared.length ? declared.join(', ') : 'none');

  // Fan-out sources must exist and form no cycle; variables flow down the chain.
  // A source that exists but failed to compile has been reported already.
  for (const [reqName, req] of Object.entries(spec.requests)) {
    if (!req.follow) continue;
    if (!Object.hasOwn(spec.requests, req.follow.from)) {
      fail(['requests', reqName, 'follow', 'from'], `unknown request "${req.follow.from}" (known: ${known()})`);
      continue;
    }
    requests.get(req.follow.from)?.followers.push(reqName);
  }
  // Each cycle is reported once, on its first request.
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
  const requestsOk = ok;
  if (requestsOk) resolveVars(requests, spec, fail);

  const metrics: CompiledMetric[] = [];
  const typesByName = new Map<string, { type: MetricType; index: number }>();
  const families = new Map<string, { name: string; index: number }>();
  spec.metrics.forEach((m, i) => {
    const at = ['metrics', i];
    const earlier = typesByName.get(m.name);
    if (earlier && earlier.type !== m.type) {
      fail([...at, 'type'], `metric ${m.name} is already a ${earlier.type} in metrics[${earlier.index}]; one name has one type`);
    } else if (!earlier) {
      typesByName.set(m.name, { type: m.type, index: i });
    }
    checkMetric(m, at, fail, spec.converted_from !== undefined);
    const family = openMetricsFamily(m.name, m.type);
    const sharing = families.get(family);
    if (sharing && sharing.name !== m.name) {
      fail([...at, 'name'], `metric ${m.name} and metrics[${sharing.index}] ${sharing.name} would both be the OpenMetrics family ${family}; rename one`);
    } else if (!sharing) {
      families.set(family, { name: m.name, index: i });
    }
    if (!Object.hasOwn(spec.requests, m.from)) {
      fail([...at, 'from'], `unknown request "${m.from}" (known: ${known()})`);
      return;
    }
    // Variables are only known once every request compiled; until then, stop here.
    const source = requests.get(m.from);
    if (!requestsOk || !source) return;
    const compiled = compileMetric(name, m, i, source, at, fail);
    if (compiled) metrics.push(compiled);
  });

  // One family, one HELP: the first help given for a name serves all its mappings.
  const helpOf = new Map<string, string>();
  for (const m of spec.metrics) if (m.help !== undefined && !helpOf.has(m.name)) helpOf.set(m.name, m.help);
  for (const m of metrics) m.help = helpOf.get(m.name) ?? m.help;

  if (!ok) return undefined;
  return {
    name,
    description: spec.description,
    file,
    spec,
    scheme: spec.target.scheme,
    port: spec.target.port,
    allowUrl: spec.target.url,
    timeoutSeconds: spec.timeout,
    concurrency: spec.concurrency,
    probeConcurrency: spec.probe_concurrency,
    maxRequests: spec.max_requests,
    maxResponseBytes: spec.max_response_bytes,
    transport: transport!,
    auth: spec.auth,
    params,
    requests,
    roots: [...requests.values()].filter((r) => !r.follow).map((r) => r.name),
    metrics,
  };
}

function compileRequest(
  name: string,
  req: RequestSpec,
  moduleHeaders: Record<string, string>,
  spec: ModuleSpec,
  params: ReadonlySet<string>,
  at: PropertyKey[],
  fail: Report,
): CompiledRequest | undefined {
  if (req.path !== undefined && req.follow) {
    fail([...at, 'path'], 'a request has either path or follow, not both');
    return undefined;
  }
  if (req.path === undefined && !req.follow && !spec.target.url) {
    fail([...at, 'path'], 'a request needs a path or a follow; only modules with target: { url: true } may fetch the target URL itself');
    return undefined;
  }
  if (req.path !== undefined && !req.path.startsWith('/') && !spec.target.url) {
    fail([...at, 'path'], `path must start with "/" (got ${JSON.stringify(req.path)})`);
    return undefined;
  }
  let follow: CompiledFollow | undefined;
  if (req.follow) {
    let links: CompiledPath;
    try {
      links = compilePath(req.follow.path);
    } catch (err) {
      fail([...at, 'follow', 'path'], (err as Error).message);
      return undefined;
    }
    follow = { from: req.follow.from, links, vars: [] };
  }
  // Path, query values and body may use the module's params as {name}.
  const template = (src: string | number | boolean, where: PropertyKey[]): Expr | undefined => {
    try {
      return compileExpr(src, params, 'request');
    } catch (err) {
      fail(where, (err as Error).message);
      return undefined;
    }
  };
  const pathExpr = req.path === undefined ? undefined : template(req.path, [...at, 'path']);
  const query: Array<[string, Expr]> = [];
  for (const [k, v] of Object.entries(req.query ?? {})) {
    const e = template(v, [...at, 'query', k]);
    if (e) query.push([k, e]);
  }
  const body = req.body === undefined ? undefined : template(req.body, [...at, 'body']);
  const format: FormatSpec = typeof req.format === 'string' ? { type: req.format } as FormatSpec : req.format;
  let parser: Parser;
  try {
    parser = compileParser(format);
  } catch (err) {
    fail([...at, 'format', ...(typeof req.format === 'string' ? [] : ['pattern'])], `cannot compile: ${(err as Error).message}`);
    return undefined;
  }
  const headers: Record<string, string> = { accept: ACCEPT[format.type] };
  for (const [k, v] of Object.entries({ ...moduleHeaders, ...(req.headers ?? {}) })) headers[k.toLowerCase()] = v;
  const codes = req.valid_status_codes ? new Set(req.valid_status_codes) : undefined;
  return {
    name,
    method: req.method,
    path: pathExpr,
    query,
    headers,
    body,
    cacheSeconds: req.cache_ttl ?? 0,
    follow,
    parser,
    validStatus: codes ? (s) => codes.has(s) : (s) => s >= 200 && s < 300,
    optional: req.optional,
    followers: [],
    vars: new Set(params),
  };
}

// Variables captured by a fan-out are known to its followers, and theirs, down the chain.
function resolveVars(requests: Map<string, CompiledRequest>, spec: ModuleSpec, fail: Report): void {
  const done = new Set<string>();
  const visit = (req: CompiledRequest): void => {
    if (done.has(req.name)) return;
    done.add(req.name);
    if (!req.follow) return;
    const source = requests.get(req.follow.from)!;
    visit(source);
    const inherited = new Set(source.vars);
    for (const [varName, src] of Object.entries(spec.requests[req.name]!.follow!.vars ?? {})) {
      try {
        req.follow.vars.push([varName, compileExpr(src, source.vars)]);
      } catch (err) {
        fail(['requests', req.name, 'follow', 'vars', varName], (err as Error).message);
      }
      inherited.add(varName);
    }
    req.vars = inherited;
  };
  for (const req of requests.values()) visit(req);
}

// Rules on the metric's own fields, independent of the requests.
// `converted`: the module came from another exporter's configuration, whose counters
// may lack _total; their names are kept, so that the series stay the same.
function checkMetric(m: MetricSpec, at: PropertyKey[], fail: Report, converted: boolean): void {
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
  for (const labelName of Object.keys(m.labels ?? {})) {
    if (labelName.startsWith('__')) fail([...at, 'labels', labelName], `label name ${labelName}: names starting with __ are reserved`, true);
  }
  if (m.type === 'stateset' && m.labels && Object.hasOwn(m.labels, m.name)) {
    fail([...at, 'labels', m.name], `label ${m.name}: a stateset uses its own name as the state label`, true);
  }
}

function compileMetric(
  moduleName: string,
  m: MetricSpec,
  index: number,
  source: CompiledRequest,
  at: PropertyKey[],
  fail: Report,
): CompiledMetric | undefined {
  let ok = true;
  const bad: Report = (path, message, atKey) => {
    ok = false;
    fail(path, message, atKey);
  };

  const vars = new Set(source.vars);
  const steps: CompiledStep[] = [];
  const eachSpecs: EachStepSpec[] = m.each === undefined ? [] : typeof m.each === 'string' ? [m.each] : m.each;
  eachSpecs.forEach((step, i) => {
    const stepAt = typeof m.each === 'string' ? [...at, 'each'] : [...at, 'each', i];
    const spec = typeof step === 'string' ? { path: step, vars: undefined } : step;
    let path: CompiledPath;
    try {
      path = compilePath(spec.path);
    } catch (err) {
      bad(typeof step === 'string' ? stepAt : [...stepAt, 'path'], (err as Error).message);
      return;
    }
    const stepVars: Array<[string, Expr]> = [];
    for (const [varName, src] of Object.entries(spec.vars ?? {})) {
      try {
        stepVars.push([varName, compileExpr(src, vars)]);
      } catch (err) {
        bad([...stepAt, 'vars', varName], (err as Error).message);
      }
    }
    for (const [varName] of stepVars) vars.add(varName);
    steps.push({ path, vars: stepVars });
  });

  // go_text: labels and the value read as json_exporter prints them (see gotext.ts).
  const read = (e: Expr): Expr => (m.go_text && e.kind !== 'literal' ? { kind: 'go', inner: e } : e);
  const labels: Array<[string, Expr]> = [];
  for (const [labelName, src] of Object.entries(m.labels ?? {})) {
    if (labelName.startsWith('__')) continue;
    try {
      labels.push([labelName, read(compileExpr(src, vars))]);
    } catch (err) {
      bad([...at, 'labels', labelName], messageOf(err));
    }
  }
  // A fixed label order per metric lets the sample set key series without sorting.
  labels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let value: Expr | undefined;
  if (m.value !== undefined) {
    try {
      value = read(compileExpr(m.value, vars));
    } catch (err) {
      bad([...at, 'value'], messageOf(err));
    }
  }
  let timestamp: Expr | undefined;
  if (m.timestamp !== undefined) {
    try {
      timestamp = compileExpr(m.timestamp, vars);
    } catch (err) {
      bad([...at, 'timestamp'], messageOf(err));
    }
  }
  let regex: RegExp | undefined;
  if (m.convert === 'count' && m.regex === undefined) bad([...at, 'convert'], 'count counts the matches of regex: give a regex');
  if (m.regex !== undefined) {
    if (m.type === 'stateset' || m.type === 'info') bad([...at, 'regex'], `regex does not apply to ${m.type} metrics`);
    try {
      // count needs every match; otherwise the first match is the value.
      regex = new RegExp(m.regex, m.convert === 'count' ? 'g' : '');
    } catch (err) {
      bad([...at, 'regex'], `invalid regular expression: ${(err as Error).message}`);
    }
  }
  if (m.convert !== 'number' && (m.type === 'stateset' || m.type === 'info')) bad([...at, 'convert'], `convert does not apply to ${m.type} metrics`);
  if (!ok) return undefined;

  let valueMap: Map<string, number> | undefined;
  if (m.value_map) {
    valueMap = new Map();
    for (const [k, v] of Object.entries(m.value_map)) valueMap.set(m.ignore_case ? k.toLowerCase() : k, v);
  }
  return {
    name: m.name,
    help: m.help ?? `${m.name} from request ${m.from} of module ${moduleName}`,
    type: m.type,
    from: m.from,
    steps,
    labels,
    value,
    valueMap,
    ignoreCase: m.ignore_case,
    scale: m.scale,
    regex,
    convert: m.go_text ? 'go' : m.convert,
    states: m.states,
    onMissing: m.on_missing,
    timestamp,
    where: `${moduleName}.metrics[${index}] (${m.name})`,
  };
}

function messageOf(err: unknown): string {
  if (err instanceof ExprError || err instanceof JsonPathError) return err.message;
  throw err;
}
