// Turns a validated module into the plan the probe executes (module/plan.ts,
// mapping/plan.ts): JSONPaths, templates, value maps, parsers and transports are all
// compiled here, once, at config load. The rules a module must follow are in rules.ts.
import path from 'node:path';
import { compileTransport, TransportError, type Transport } from '../fetch/transport.js';
import { compileExpr, ExprError, type Expr } from '../mapping/expr.js';
import { compileCondition, compilePath, containerSource, JsonPathError, type CompiledPath, type Condition } from '../mapping/jsonpath.js';
import { prepareMetric } from '../mapping/map.js';
import type { CompiledMetric, CompiledStep } from '../mapping/plan.js';
import { compileParser, type FormatSpec, type Parser } from '../parse/index.js';
import type { CompiledFollow, CompiledModule, CompiledRequest } from './plan.js';
import { compileBody, compileParam, compileQueryValue, compileRequestPath, type CompiledParam, type RequestTemplate } from './url-plan.js';
import { compileTcp, TcpSpecError } from './tcp-lines.js';
import type { CompiledTcp } from './plan.js';
import { checkFanOut, checkMetric, checkMetricNames, checkRequest, followsOf, knownRequests, type Report } from './rules.js';
import type { EachStepSpec, MetricSpec, ModuleSpec, RequestSpec } from '../spec/schema.js';

export type { Report } from './rules.js';

const ACCEPT: Record<FormatSpec['type'], string> = {
  auto: 'application/json, application/xml;q=0.9, */*;q=0.8',
  json: 'application/json',
  xml: 'application/xml, text/xml;q=0.9, */*;q=0.8',
  csv: 'text/csv, text/plain;q=0.9, */*;q=0.8',
  kv: 'text/plain, */*;q=0.8',
  regex: 'text/plain, */*;q=0.8',
  nut: 'text/plain, */*;q=0.8',
};

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
  const params = new Map<string, CompiledParam>();
  for (const [param, p] of Object.entries(spec.params ?? {})) {
    const compiled = compileParam(p);
    if ('param' in compiled) params.set(param, compiled.param);
    else fail(['params', param, compiled.field], compiled.message);
  }
  let transport: Transport | undefined;
  if (spec.tls.key !== undefined) {
    // Modules are shown by debug=true and shared as files; credentials live under auths:.
    fail(['tls', 'key'], 'an inline private key is a secret, kept out of modules: use key_file here, or give cert and key in the tls of an auth');
  } else {
    try {
      transport = compileTransport(spec.tls, spec.proxy_url, resolvePath, spec.follow_redirects, `module ${name}`);
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      fail(err.field === 'proxy_url' ? ['proxy_url'] : ['tls', err.field, ...(err.index === undefined ? [] : [err.index])], err.message);
    }
  }

  const protocol = checkProtocol(spec, fail);
  for (const [reqName, req] of Object.entries(spec.requests)) {
    const at = ['requests', reqName];
    if (req.tcp ? !checkTcpRequest(req, at, fail) : !checkRequest(reqName, req, spec, at, fail)) continue;
    const compiled = compileRequest(reqName, req, moduleHeaders, params, at, fail);
    if (compiled) requests.set(reqName, compiled);
  }
  checkFanOut(spec, fail);
  // A source that exists but failed to compile has been reported already.
  for (const [reqName, req] of Object.entries(spec.requests)) {
    for (const { follow } of followsOf(req)) {
      const followers = requests.get(follow.from)?.followers;
      if (followers && !followers.includes(reqName)) followers.push(reqName);
    }
  }
  // The protocol of a module: `tcp` when its requests say `tcp:`, else HTTP; one per module,
// as the target is resolved once for all its requests. HTTP-only module settings are
// refused on a TCP module rather than silently ignored.
function checkProtocol(spec: ModuleSpec, fail: Report): 'http' | 'tcp' {
  const reqs = Object.entries(spec.requests);
  const tcp = reqs.filter(([, r]) => r.tcp !== undefined);
  if (tcp.length === 0) return 'http';
  if (tcp.length < reqs.length) {
    const http = reqs.find(([, r]) => r.tcp === undefined)![0];
    fail(['requests', http], `module has tcp requests (${tcp.map(([n]) => n).join(', ')}): all of a module's requests are tcp, or none (one target for all)`);
  }
  if (spec.target.url) fail(['target', 'url'], 'a tcp module takes host[:port] targets, not URLs');
  if (spec.follow_redirects) fail(['follow_redirects'], 'redirects are HTTP\'s: not for a tcp module');
  if (spec.proxy_url !== undefined) fail(['proxy_url'], 'an HTTP proxy cannot carry a tcp module\'s requests');
  if (spec.headers !== undefined) fail(['headers'], 'headers are HTTP\'s: not for a tcp module');
  // Pins and first use are checked on a TLS connection: a module that never opens one would ignore them.
  if (tcp.every(([, r]) => r.tcp!.tls === 'none')) {
    for (const field of ['pins', 'trust'] as const) {
      if (spec.tls[field] !== undefined) fail(['tls', field], `${field} check a TLS connection, and every tcp request of this module has tls: none`);
    }
  }
  return 'tcp';
}

// The HTTP fields of a request mean nothing to a tcp request: refused, each by name.
function checkTcpRequest(req: RequestSpec, at: PropertyKey[], fail: Report): boolean {
  let ok = true;
  for (const field of ['path', 'follow', 'min_links', 'min_followers', 'expand', 'headers', 'query', 'body', 'valid_status_codes'] as const) {
    if (req[field] === undefined) continue;
    fail([...at, field], `${field} is HTTP's: a tcp request says what it sends in tcp.send`);
    ok = false;
  }
  if (req.method !== 'GET') {
    fail([...at, 'method'], 'method is HTTP\'s: a tcp request says what it sends in tcp.send');
    ok = false;
  }
  return ok;
}

// Variables flow down fan-out chains: only resolvable once every request compiled.
  const requestsOk = ok;
  if (requestsOk) resolveVars(requests, spec, fail);

  checkMetricNames(spec.metrics, fail);
  const metrics: CompiledMetric[] = [];
  spec.metrics.forEach((m, i) => {
    const at = ['metrics', i];
    checkMetric(m, at, fail, spec.converted_from !== undefined);
    if (!Object.hasOwn(spec.requests, m.from)) {
      fail([...at, 'from'], `unknown request "${m.from}" (known: ${knownRequests(spec)})`);
      return;
    }
    const source = requests.get(m.from);
    if (!requestsOk || !source) return;
    const compiled = compileMetric(name, m, i, source, at, fail);
    if (!compiled) return;
    prepareMetric(compiled);
    metrics.push(compiled);
  });

  // One family, one HELP: the first help given for a name serves all its mappings.
  const helpOf = new Map<string, string>();
  for (const m of spec.metrics) if (m.help !== undefined && !helpOf.has(m.name)) helpOf.set(m.name, m.help);
  for (const m of metrics) m.help = helpOf.get(m.name) ?? m.help;

  if (!ok) return undefined;
  for (const m of metrics) requests.get(m.from)!.mapped = true;
  const roots = [...requests.values()].filter((r) => r.follows.length === 0).map((r) => r.name);
  return {
    name,
    description: spec.description,
    file,
    spec,
    protocol,
    scheme: spec.target.scheme,
    port: spec.target.port,
    allowUrl: spec.target.url,
    timeoutSeconds: spec.timeout,
    concurrency: spec.concurrency,
    probeConcurrency: spec.probe_concurrency,
    maxRequests: spec.max_requests,
    maxResponseBytes: spec.max_response_bytes,
    maxProbeBytes: spec.max_probe_bytes,
    maxParseValues: spec.max_parse_values,
    transport: transport!,
    auth: spec.auth,
    params,
    requests,
    roots,
    // No fan-out and no more requests than the probe's limit: it can never be exceeded.
    boundedByShape: roots.length === requests.size && requests.size <= spec.probe_concurrency,
    prioritized: [...requests.values()].some((r) => r.priority !== 0),
    metrics,
  };
}

function compileRequest(
  name: string,
  req: RequestSpec,
  moduleHeaders: Record<string, string>,
  params: ReadonlyMap<string, CompiledParam>,
  at: PropertyKey[],
  fail: Report,
): CompiledRequest | undefined {
  const follows: CompiledFollow[] = [];
  for (const { follow, at: followAt } of followsOf(req, at)) {
    let links: CompiledPath;
    try {
      links = compilePath(follow.path);
    } catch (err) {
      fail([...followAt, 'path'], (err as Error).message);
      return undefined;
    }
    let when: Condition | undefined;
    if (follow.when !== undefined) {
      try {
        when = compileCondition(follow.when);
      } catch (err) {
        fail([...followAt, 'when'], (err as Error).message);
        return undefined;
      }
    }
    follows.push({ from: follow.from, links, holders: holdersOf(follow.path), vars: [], when });
  }
  // Path, query values and body may use the module's params as {name}, each escaped
  // for the place it lands in (module/url-plan.ts).
  const template = <T>(compile: () => T, where: PropertyKey[]): T | undefined => {
    try {
      return compile();
    } catch (err) {
      fail(where, (err as Error).message);
      return undefined;
    }
  };
  const pathTemplate = req.path === undefined ? undefined : template(() => compileRequestPath(req.path!, params), [...at, 'path']);
  const query: Array<[string, RequestTemplate]> = [];
  for (const [k, v] of Object.entries(req.query ?? {})) {
    const t = template(() => compileQueryValue(v, params), [...at, 'query', k]);
    if (t) query.push([k, t]);
  }
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
  const body = req.body === undefined ? undefined : template(() => compileBody(req.body!, headers['content-type'], params), [...at, 'body']);
  let tcp: CompiledTcp | undefined;
  if (req.tcp) {
    try {
      tcp = compileTcp(req.tcp, params);
    } catch (err) {
      if (!(err instanceof TcpSpecError)) throw err;
      fail([...at, 'tcp', ...err.field], err.message);
      return undefined;
    }
  }
  const codes = req.valid_status_codes ? new Set(req.valid_status_codes) : undefined;
  let expand: CompiledRequest['expand'];
  if (req.expand) {
    let expandWhen: Condition | undefined;
    if (req.expand.when !== undefined) {
      try {
        expandWhen = compileCondition(req.expand.when);
      } catch (err) {
        fail([...at, 'expand', 'when'], (err as Error).message);
        return undefined;
      }
    }
    // DSP0266: `.` expands the subordinate resources (not those under Links), one level by default.
    expand = { value: req.expand.levels === 1 ? '.' : `.($levels=${req.expand.levels})`, when: expandWhen };
  }
  return {
    name,
    tcp,
    method: req.method,
    path: pathTemplate,
    query,
    headers,
    body,
    cacheSeconds: req.cache_ttl ?? 0,
    follows,
    minLinks: req.min_links ?? 0,
    minFollowers: req.min_followers ?? 0,
    expand,
    priority: req.priority,
    parser,
    // A TCP answer has no status: fetchTcp has judged it (its errors: prefixes) already.
    validStatus: tcp ? () => true : codes ? (s) => codes.has(s) : (s) => s >= 200 && s < 300,
    optional: req.optional,
    followers: [],
    mapped: false,
    vars: new Set(params.keys()),
  };
}

// Variables captured by a fan-out are known to its followers, and theirs, down the chain.
// A request with several sources knows the variables of each (a variable only one of
// them captures is missing, so empty, in documents from the others).
function resolveVars(requests: Map<string, CompiledRequest>, spec: ModuleSpec, fail: Report): void {
  const done = new Set<string>();
  const visit = (req: CompiledRequest): void => {
    if (done.has(req.name)) return;
    done.add(req.name);
    if (req.follows.length === 0) return;
    const inherited = new Set<string>();
    followsOf(spec.requests[req.name]!, ['requests', req.name]).forEach(({ follow, at }, i) => {
      const source = requests.get(follow.from)!;
      visit(source);
      for (const v of source.vars) inherited.add(v);
      for (const [varName, src] of Object.entries(follow.vars ?? {})) {
        try {
          req.follows[i]!.vars.push([varName, compileExpr(src, source.vars)]);
        } catch (err) {
          fail([...at, 'vars', varName], (err as Error).message);
        }
        inherited.add(varName);
      }
    });
    req.vars = inherited;
  };
  for (const req of requests.values()) visit(req);
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
    steps.push({ path, vars: stepVars, container: containerOf(spec.path) });
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
  let when: Condition | undefined;
  if (m.when !== undefined) {
    try {
      when = compileCondition(m.when);
    } catch (err) {
      bad([...at, 'when'], messageOf(err));
    }
  }
  let regex: RegExp | undefined;
  if (m.regex !== undefined) {
    try {
      // count needs every match; otherwise the first match is the value.
      regex = new RegExp(m.regex, m.convert === 'count' ? 'g' : '');
    } catch (err) {
      bad([...at, 'regex'], `invalid regular expression: ${(err as Error).message}`);
    }
  }
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
    labelNames: m.type === 'stateset' ? [...labels.map(([n]) => n), m.name] : labels.map(([n]) => n),
    value,
    valueMap,
    ignoreCase: m.ignore_case,
    scale: m.scale,
    regex,
    convert: m.go_text ? 'go' : m.convert,
    states: m.states,
    onMissing: m.on_missing,
    timestamp,
    when,
    where: `${moduleName}.metrics[${index}] (${m.name})`,
  };
}

/**
 * A link written `X["@odata.id"]` (or `X['@odata.id']`) names its resource inside an
 * object X, which an expanded answer ($expand) fills with the resource itself.
 */
function holdersOf(source: string): CompiledPath | undefined {
  for (const tail of ['["@odata.id"]', "['@odata.id']"]) {
    if (source.endsWith(tail) && source.length > tail.length) return compilePath(source.slice(0, -tail.length));
  }
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof ExprError || err instanceof JsonPathError) return err.message;
  throw err;
}


/** The collection a step's last wildcard or filter walks, when the path ends in one. */
function containerOf(source: string): CompiledPath | undefined {
  // The path itself compiled; its prefix, printed back by json-p3, is expected to. If it
  // does not, the step only loses the "empty collection" distinction.
  try {
    const container = containerSource(source);
    return container === undefined ? undefined : compilePath(container);
  } catch {
    return undefined;
  }
}
