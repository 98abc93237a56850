// One probe: for each module, fetch its requests (fan-outs launched as their sources
// arrive) under the limiters and the deadline, then map what arrived to samples.
import pLimit from 'p-limit';
import type { CompiledModule, CompiledRequest } from '../config/compile.js';
import type { Auth } from '../auth/types.js';
import { Deadline } from '../fetch/deadline.js';
import { mergeTransport } from '../fetch/transport.js';
import type { Fetcher, FetchResult } from '../fetch/upstream.js';
import { evaluate, toLabelValue, type Expr } from '../mapping/expr.js';
import { mapMetric, type Document, type MapReport } from '../mapping/map.js';
import { SampleSet } from '../metrics/samples.js';
import { ProbeLog } from './log.js';
import type { ResolvedTarget } from './target.js';

export interface ProbeOptions {
  /** X-Prometheus-Scrape-Timeout-Seconds, when Prometheus sent it. */
  scrapeTimeoutSeconds: number | undefined;
  timeoutOffsetSeconds: number;
  maxSeries: number;
  /** Log what every mapping matched (debug=true, apiprobe probe --explain). */
  trace?: boolean;
}

export interface ModuleRun {
  module: CompiledModule;
  target: ResolvedTarget;
  auth: Auth | undefined;
  /** Values of the module's params for this probe. */
  params: Readonly<Record<string, string>>;
}

export interface ProbeResult {
  success: boolean;
  durationSeconds: number;
  timeoutSeconds: number;
  /** Device samples, then the probe's meta-metrics. */
  sets: SampleSet[];
  log: ProbeLog;
  /** Per module: did it succeed. */
  modules: Array<{ name: string; success: boolean }>;
}

/** The time a module may take: the scrape timeout less the offset, capped by the module's timeout. */
export function moduleTimeout(mod: CompiledModule, opts: Pick<ProbeOptions, 'scrapeTimeoutSeconds' | 'timeoutOffsetSeconds'>): number {
  const header = opts.scrapeTimeoutSeconds;
  if (header === undefined || !(header > 0)) return mod.timeoutSeconds;
  const budget = header > opts.timeoutOffsetSeconds ? header - opts.timeoutOffsetSeconds : header * 0.5;
  return Math.min(mod.timeoutSeconds, budget);
}

export async function runProbe(runs: readonly ModuleRun[], opts: ProbeOptions, upstream: Fetcher): Promise<ProbeResult> {
  const started = performance.now();
  const log = new ProbeLog();
  const data = new SampleSet(opts.maxSeries);
  const meta = new SampleSet();
  const counters = { mappingErrors: 0 };
  const timeouts = runs.map((r) => moduleTimeout(r.module, opts));
  const outcomes = await Promise.all(
    runs.map((r, i) => runModule(r, timeouts[i]!, runs.length > 1, upstream, data, meta, log, counters, opts.trace ?? false)),
  );
  const success = outcomes.every(Boolean);
  const durationSeconds = (performance.now() - started) / 1000;
  const g = (name: string, help: string, value: number): void => {
    meta.add(name, help, 'gauge', [], [], value);
  };
  g('probe_success', 'Whether every request of the probe succeeded and every mapping evaluated', success ? 1 : 0);
  g('probe_duration_seconds', 'How long the probe took to complete in seconds', durationSeconds);
  g('probe_timeout_seconds', 'The time the probe was allowed to take, in seconds', Math.max(...timeouts));
  g('probe_duplicate_series_dropped', 'Series dropped because an earlier series of the same metric had the same labels', data.duplicates);
  g('probe_mapping_errors', 'Values that could not be mapped to a sample (not a number, required but missing)', counters.mappingErrors);
  return {
    success,
    durationSeconds,
    timeoutSeconds: Math.max(...timeouts),
    sets: [data, meta],
    log,
    modules: runs.map((r, i) => ({ name: r.module.name, success: outcomes[i]! })),
  };
}

interface RequestStats {
  fetches: number;
  /** Fetches answered from the cache. */
  cached: number;
  errors: number;
  bytes: number;
  /** First failed status, else the last status seen. */
  status: number;
  firstStart: number;
  lastEnd: number;
  docs: Document[];
  seen: Set<string>;
}

interface Attempt {
  req: CompiledRequest;
  url: URL;
  started: number;
}

async function runModule(
  run: ModuleRun,
  timeoutSeconds: number,
  multi: boolean,
  upstream: Fetcher,
  data: SampleSet,
  meta: SampleSet,
  log: ProbeLog,
  counters: { mappingErrors: number },
  traceOn: boolean,
): Promise<boolean> {
  const { module: mod, target } = run;
  const prefix = multi ? `${mod.name}/` : '';
  const stats = new Map<string, RequestStats>();
  for (const name of mod.requests.keys()) {
    stats.set(name, { fetches: 0, cached: 0, errors: 0, bytes: 0, status: 0, firstStart: Infinity, lastEnd: 0, docs: [], seen: new Set() });
  }
  const deadline = new Deadline();
  deadline.due = performance.now() + timeoutSeconds * 1000;
  const transport = mergeTransport(mod.transport, run.auth?.transport);
  // A module with no fan-out and few requests can never exceed its probe limit: no
  // limiter to pay for on every probe then.
  const probeLimit = mod.requests.size > mod.probeConcurrency || mod.roots.length < mod.requests.size ? pLimit(mod.probeConcurrency) : passThrough;
  const pending = new Set<Attempt>();
  let closed = false;
  let launched = 0;
  let outstanding = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  let overLimit = false;

  const fail = (req: CompiledRequest, message: string): void => {
    const s = stats.get(req.name)!;
    s.errors++;
    const text = `${prefix}${req.name}: ${message}`;
    if (req.optional) log.add('warn', `${text} (optional request)`);
    else log.fail(text);
  };

  const launch = (req: CompiledRequest, url: URL, vars: Readonly<Record<string, unknown>>): void => {
    const s = stats.get(req.name)!;
    if (s.seen.has(url.href)) return;
    s.seen.add(url.href);
    if (launched >= mod.maxRequests) {
      if (!overLimit) fail(req, `more than max_requests (${mod.maxRequests}) upstream requests; ${url.pathname} and later links not fetched`);
      overLimit = true;
      return;
    }
    launched++;
    outstanding++;
    const attempt: Attempt = { req, url, started: performance.now() };
    pending.add(attempt);
    s.firstStart = Math.min(s.firstStart, attempt.started);
    log.add('debug', `${prefix}${req.name}: ${req.method} ${url.href}`);
    upstream
      .fetch({
        request: req.name,
        url,
        method: req.method,
        headers: req.headers,
        body: req.body === undefined ? undefined : text(req.body, run.params),
        transport,
        auth: run.auth,
        cacheSeconds: req.cacheSeconds,
        maxBytes: mod.maxResponseBytes,
        targetKey: target.key,
        targetConcurrency: mod.concurrency,
        probeLimit,
        signal: deadline,
      })
      // A fetch that throws is a failed fetch; settling it is another matter: a failure
      // there (a library limit on a hostile document) is that request's error, and the
      // fetch is still counted once.
      .then(
        (res) => res,
        (err: unknown): FetchResult => ({ ok: false, status: 0, bytes: 0, body: undefined, contentType: undefined, headers: {}, error: String(err), seconds: 0, cached: false }),
      )
      .then((res) => {
        if (closed) return;
        try {
          settle(attempt, res, vars);
        } catch (err) {
          fail(req, `${req.method} ${url.pathname}: ${(err as Error).message}`);
        }
      })
      .finally(() => {
        if (--outstanding === 0) allDone();
      });
  };

  const settle = (attempt: Attempt, res: FetchResult, vars: Readonly<Record<string, unknown>>): void => {
    pending.delete(attempt);
    const { req, url } = attempt;
    const s = stats.get(req.name)!;
    s.fetches++;
    if (res.cached) s.cached++;
    s.bytes += res.bytes;
    s.lastEnd = Math.max(s.lastEnd, performance.now());
    if (s.errors === 0) s.status = res.status;
    const where = `${req.method} ${url.pathname}${url.search}`;
    if (!res.ok) return fail(req, `${where}: ${res.error}`);
    log.add('debug', `${prefix}${req.name}: ${where} -> ${res.status}, ${res.bytes} bytes ${res.cached ? 'from the cache' : `in ${res.seconds.toFixed(3)}s`}`);
    if (!req.validStatus(res.status)) return fail(req, `${where}: unexpected HTTP status ${res.status}`);
    const parsed = req.parser(res.body ?? Buffer.alloc(0), res.contentType);
    if (!parsed.ok) return fail(req, `${where}: ${parsed.error}`);
    s.docs.push({ doc: parsed.doc, vars });
    for (const name of req.followers) {
      const follower = mod.requests.get(name)!;
      const follow = follower.follow!;
      let childVars = vars;
      if (follow.vars.length) {
        const captured: Record<string, unknown> = { ...vars };
        const scope = { item: parsed.doc, key: undefined, vars };
        for (const [v, expr] of follow.vars) captured[v] = evaluate(expr, scope);
        childVars = captured;
      }
      for (const link of follow.links.all(parsed.doc)) {
        if (typeof link.value !== 'string') {
          fail(follower, `${follow.links.source} in ${where} matched a ${link.value === null ? 'null' : typeof link.value}, not a link`);
          continue;
        }
        let next: URL;
        try {
          next = new URL(link.value, url);
        } catch {
          fail(follower, `link ${JSON.stringify(link.value)} in ${where} is not a valid URL`);
          continue;
        }
        if (next.origin !== target.base.origin) {
          fail(follower, `link ${JSON.stringify(link.value)} in ${where} leaves the target (${target.base.origin}); not followed`);
          continue;
        }
        launch(follower, next, childVars);
      }
    }
  };

  for (const name of mod.roots) {
    const req = mod.requests.get(name)!;
    launch(req, rootUrl(req, target.base, run.params), run.params);
  }

  if (outstanding > 0) {
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutSeconds * 1000);
    });
    await Promise.race([finished, timeUp]);
    clearTimeout(timer);
  }
  closed = true;
  // Aborting builds an Error: only worth it when something is still running.
  if (pending.size > 0) deadline.abort();
  const now = performance.now();
  for (const attempt of pending) {
    const s = stats.get(attempt.req.name)!;
    s.fetches++;
    s.lastEnd = now;
    fail(attempt.req, `${attempt.req.method} ${attempt.url.pathname}${attempt.url.search}: deadline of ${timeoutSeconds}s exceeded`);
  }

  // A fan-out is only as complete as its source: links in a failed source were never seen.
  const complete = (req: CompiledRequest): boolean =>
    stats.get(req.name)!.errors === 0 && (!req.follow || complete(mod.requests.get(req.follow.from)!));
  let success = true;
  for (const req of mod.requests.values()) {
    const s = stats.get(req.name)!;
    if (s.errors > 0 && !req.optional) success = false;
    const label = [`${prefix}${req.name}`];
    const names = ['request'];
    meta.add('probe_request_success', 'Whether every fetch of the request and of the requests it follows succeeded', 'gauge', names, label, complete(req) ? 1 : 0);
    meta.add('probe_request_duration_seconds', 'Wall time from the first fetch of the request starting to the last one ending', 'gauge', names, label,
      s.fetches ? (s.lastEnd - s.firstStart) / 1000 : 0);
    meta.add('probe_http_status_code', 'HTTP status of the request (the first failing one of a fan-out), 0 when none arrived', 'gauge', names, label, s.status);
    meta.add('probe_response_bytes', 'Bytes received for the request, all fetches of a fan-out together', 'gauge', names, label, s.bytes);
    meta.add('probe_request_fetches', 'Upstream fetches the request made (more than one for a fan-out)', 'gauge', names, label, s.fetches);
    meta.add('probe_request_cached_fetches', 'Fetches of the request answered from the cache (cache_ttl) instead of the device', 'gauge', names, label, s.cached);
  }

  const report: MapReport = {
    error: (message) => {
      counters.mappingErrors++;
      log.fail(`${prefix}${message}`);
    },
    skip: (message) => log.add('debug', `${prefix}${message}`),
    duplicate: (metric) => {
      if (!duplicatesLogged.has(metric)) log.add('warn', `${prefix}${metric}: series with a label set seen before dropped (first kept)`);
      duplicatesLogged.add(metric);
    },
    limit: (metric) => {
      if (!limitLogged) log.fail(`${prefix}${metric}: series limit of ${data.maxSeries} per probe reached; further series dropped`);
      limitLogged = true;
    },
  };
  const duplicatesLogged = new Set<string>();
  let limitLogged = false;
  const errorsBefore = counters.mappingErrors;
  const trace = traceOn ? (message: string): void => log.add('debug', `${prefix}${message}`) : undefined;
  for (const m of mod.metrics) {
    try {
      const docs = stats.get(m.from)!.docs;
      const before = data.count;
      mapMetric(m, docs, data, report, trace);
      if (trace) trace(`${m.where}: ${data.count - before} series from ${docs.length} response${docs.length === 1 ? '' : 's'} of ${m.from}`);
    } catch (err) {
      // A library limit (json-p3's recursion depth on a hostile document) fails this
      // mapping, not the probe, and never the exporter.
      report.error(`${m.where}: ${(err as Error).message}`);
    }
  }
  return success && counters.mappingErrors === errorsBefore && !limitLogged;
}

const passThrough = <T>(fn: () => Promise<T>): Promise<T> => fn();

function rootUrl(req: CompiledRequest, base: URL, params: Readonly<Record<string, string>>): URL {
  const url = req.path === undefined ? new URL(base) : new URL(text(req.path, params), base);
  for (const [k, v] of req.query) url.searchParams.append(k, text(v, params));
  return url;
}

/** A request template filled with the probe's params. */
function text(expr: Expr, params: Readonly<Record<string, string>>): string {
  return expr.kind === 'literal' ? String(expr.value) : toLabelValue(evaluate(expr, { item: undefined, key: undefined, vars: params }));
}
