// One probe, the same for the server's /probe and for `apiprobe probe`:
//
//   resolve   the request's parameters → modules, target, credentials, deadline (or a 400)
//   then, for every module at once:
//     gather          fetch its requests and fan-outs under the limits, parse each answer
//     requestSamples  what each request did: success, status, bytes, time, fetches
//     mapModule       documents → the module's series
//   probeSamples      probe_success, probe_duration_seconds …
//   exposition        text 0.0.4 or OpenMetrics
//   observers         history, logs, the exporter's own metrics (the server's concern)
//
// The network is behind `deps.fetcher`: the server passes Upstream, the command line
// Upstream or saved answers, the tests whatever they like.
import type { Config } from './generation.js';
import type { Fetcher } from '../fetch/upstream.js';
import { mapMetric, type MapReport } from '../mapping/map.js';
import { exposeText, negotiate, type ExpositionFormat } from '../metrics/expose.js';
import { SampleSet } from '../metrics/samples.js';
import { ProbeBudget, type ProbePool } from './budget.js';
import { gather, type RequestStats } from './gather.js';
import { ProbeLog } from './log.js';
import type { CompiledModule, CompiledRequest } from '../module/plan.js';
import { protocolOf } from '../protocols/index.js';
import { BadRequest, resolveProbe, type ModuleRun, type Query, type ResolvedProbe } from './resolve.js';

export interface ProbeRequest {
  /** target, module, auth, debug and the modules' own parameters. */
  query: Query;
  /** X-Prometheus-Scrape-Timeout-Seconds, when the client sent it. */
  scrapeTimeout?: string | undefined;
  /** The client's Accept header: OpenMetrics when it asks for it. Debug output is always text. */
  accept?: string | undefined;
}

export interface ProbeDeps {
  fetcher: Fetcher;
  timeoutOffsetSeconds: number;
  maxSeries: number;
  /** What all probes in flight may use together (the server's); none: each probe's own budget only. */
  pool?: ProbePool | undefined;
  /** Told of every probe that ran; a refused request (400) runs none. */
  observers?: readonly ProbeObserver[];
}

export type ProbeObserver = (probe: ResolvedProbe, result: ProbeResult) => void;

export interface ProbeResult {
  success: boolean;
  durationSeconds: number;
  timeoutSeconds: number;
  /** Device samples, then the probe's meta-metrics. */
  sets: SampleSet[];
  log: ProbeLog;
  /** Per module: did it succeed; its metric definitions that found nothing to read (map.ts MapReport.absent); did it send credentials on a connection nothing verified (plain HTTP, insecure_skip_verify). */
  modules: Array<{ name: string; success: boolean; absent: string[]; insecureCredentials: boolean }>;
  format: ExpositionFormat;
  /** The samples as the client gets them. */
  exposition: string;
}

export type ProbeAnswer = { kind: 'refused'; message: string } | { kind: 'probed'; probe: ResolvedProbe; result: ProbeResult };

export async function probe(plan: Config, request: ProbeRequest, deps: ProbeDeps): Promise<ProbeAnswer> {
  let resolved: ResolvedProbe;
  try {
    resolved = await resolveProbe(plan, request.query, request.scrapeTimeout);
  } catch (err) {
    if (err instanceof BadRequest) return { kind: 'refused', message: err.message };
    throw err;
  }
  const started = performance.now();
  const log = new ProbeLog();
  const data = new SampleSet(deps.maxSeries);
  const meta = new SampleSet();
  const timeouts = resolved.runs.map((r) => moduleTimeout(r.module, resolved.scrapeTimeoutSeconds, deps.timeoutOffsetSeconds));
  const multi = resolved.runs.length > 1;
  const outcomes = await Promise.all(
    resolved.runs.map(async (run, i) => {
      const prefix = multi ? `${run.module.name}/` : '';
      const mod = run.module;
      const budget = new ProbeBudget({ bytes: mod.maxProbeBytes, values: mod.maxParseValues, requests: mod.maxRequests }, deps.pool);
      try {
        const stats = await gather(run, { fetcher: deps.fetcher, connections: plan.connections, timeoutSeconds: timeouts[i]!, log, prefix, trace: resolved.debug, budget });
        requestSamples(mod, stats, prefix, meta);
        const tls = protocolOf(mod).tlsSamples(run, plan.connections, meta);
        // An answer came, so the request (and its credentials) went out.
        const answered = [...stats.values()].some((s) => (s.status > 0 || s.bytes > 0) && s.fetches > s.cached);
        const insecureCredentials = tls.unverified && answered && run.auth !== undefined && run.auth.kind !== 'tls';
        const mapped = mapModule(run, stats, data, log, prefix, resolved.debug);
        // A spent budget fails the probe even when only optional requests paid for it.
        return { success: fetchedAll(mod, stats) && mapped.ok && budget.exceeded === undefined, mappingErrors: mapped.errors, absent: mapped.absent, insecureCredentials, used: budget.usedRatio() };
      } finally {
        budget.release();
      }
    }),
  );
  budgetSamples(meta, outcomes.map((o) => o.used));
  const success = outcomes.every((o) => o.success);
  const durationSeconds = (performance.now() - started) / 1000;
  const timeoutSeconds = Math.max(...timeouts);
  probeSamples(meta, { success, durationSeconds, timeoutSeconds, duplicates: data.duplicates, mappingErrors: outcomes.reduce((n, o) => n + o.mappingErrors, 0), absent: outcomes.reduce((n, o) => n + o.absent.length, 0) });
  const format = resolved.debug ? 'text' : negotiate(request.accept);
  const result: ProbeResult = {
    success,
    durationSeconds,
    timeoutSeconds,
    sets: [data, meta],
    log,
    modules: resolved.runs.map((r, i) => ({ name: r.module.name, success: outcomes[i]!.success, absent: outcomes[i]!.absent, insecureCredentials: outcomes[i]!.insecureCredentials })),
    format,
    exposition: exposeText([data, meta], format),
  };
  for (const observe of deps.observers ?? []) observe(resolved, result);
  return { kind: 'probed', probe: resolved, result };
}

/** The time a module may take: the scrape timeout less the offset, capped by the module's timeout. */
export function moduleTimeout(mod: CompiledModule, scrapeTimeoutSeconds: number | undefined, offsetSeconds: number): number {
  if (scrapeTimeoutSeconds === undefined || !(scrapeTimeoutSeconds > 0)) return mod.timeoutSeconds;
  const budget = scrapeTimeoutSeconds > offsetSeconds ? scrapeTimeoutSeconds - offsetSeconds : scrapeTimeoutSeconds * 0.5;
  return Math.min(mod.timeoutSeconds, budget);
}

/** Every non-optional request succeeded. */
function fetchedAll(mod: CompiledModule, stats: Map<string, RequestStats>): boolean {
  for (const req of mod.requests.values()) if (stats.get(req.name)!.errors > 0 && !req.optional) return false;
  return true;
}

// One array for every probe: the sample set keeps its label pieces per label-name array.
const REQUEST_LABEL = ['request'];
const RESOURCE_LABEL = ['resource'];

/** probe_request_*{request}: what each request of the module did. */
export function requestSamples(mod: CompiledModule, stats: Map<string, RequestStats>, prefix: string, meta: SampleSet): void {
  // A fan-out is only as complete as its source: links in a failed source were never seen.
  const complete = (req: CompiledRequest): boolean =>
    stats.get(req.name)!.errors === 0 && req.follows.every((f) => complete(mod.requests.get(f.from)!));
  const names = REQUEST_LABEL;
  for (const req of mod.requests.values()) {
    const s = stats.get(req.name)!;
    const label = [`${prefix}${req.name}`];
    meta.add('probe_request_success', 'Whether every fetch of the request and of the requests it follows succeeded', 'gauge', names, label, complete(req) ? 1 : 0);
    meta.add('probe_request_duration_seconds', 'Wall time from the first fetch of the request starting to the last one ending', 'gauge', names, label,
      s.fetches ? (s.lastEnd - s.firstStart) / 1000 : 0);
    // Only where the protocol has one (src/protocols/): a TCP answer has no status.
    if (protocolOf(mod).statusCode) meta.add('probe_http_status_code', 'HTTP status of the request (the first failing one of a fan-out), 0 when none arrived', 'gauge', names, label, s.status);
    meta.add('probe_response_bytes', 'Bytes received for the request, all fetches of a fan-out together', 'gauge', names, label, s.bytes);
    meta.add('probe_request_fetches', 'Upstream fetches the request made (more than one for a fan-out)', 'gauge', names, label, s.fetches);
    meta.add('probe_request_cached_fetches', 'Fetches of the request answered from the cache (cache_ttl) instead of the device', 'gauge', names, label, s.cached);
  }
}

/** The module's series from the documents its requests returned. `ok`: no mapping error, series limit not reached. */
export function mapModule(run: ModuleRun, stats: Map<string, RequestStats>, data: SampleSet, log: ProbeLog, prefix: string, traceOn: boolean): { ok: boolean; errors: number; absent: string[] } {
  let errors = 0;
  const absent: string[] = [];
  let limitLogged = false;
  const duplicatesLogged = new Set<string>();
  const report: MapReport = {
    error: (message) => {
      errors++;
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
    absent: (message) => {
      absent.push(`${prefix}${message}`);
      log.add('warn', `${prefix}${message}`);
    },
  };
  const trace = traceOn ? (message: string): void => log.add('debug', `${prefix}${message}`) : undefined;
  for (const m of run.module.metrics) {
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
  return { ok: errors === 0 && !limitLogged, errors, absent };
}

/** probe_budget_used_ratio{resource}: the largest share of its budget a module of the probe used. */
export function budgetSamples(meta: SampleSet, used: ReadonlyArray<Record<'bytes' | 'values' | 'requests', number>>): void {
  for (const resource of ['bytes', 'values', 'requests'] as const) {
    meta.add('probe_budget_used_ratio', 'Share of its budget (max_probe_bytes, max_parse_values, max_requests) the probe used; past 1 when the budget failed it',
      'gauge', RESOURCE_LABEL, [resource], Math.max(0, ...used.map((u) => u[resource])));
  }
}

/** probe_success, probe_duration_seconds and the probe's other totals. */
export function probeSamples(meta: SampleSet, p: { success: boolean; durationSeconds: number; timeoutSeconds: number; duplicates: number; mappingErrors: number; absent: number }): void {
  const g = (name: string, help: string, value: number): void => {
    meta.add(name, help, 'gauge', [], [], value);
  };
  g('probe_success', 'Whether every request of the probe succeeded and every mapping evaluated', p.success ? 1 : 0);
  g('probe_duration_seconds', 'How long the probe took to complete in seconds', p.durationSeconds);
  g('probe_timeout_seconds', 'The time the probe was allowed to take, in seconds', p.timeoutSeconds);
  g('probe_duplicate_series_dropped', 'Series dropped because an earlier series of the same metric had the same labels', p.duplicates);
  g('probe_mapping_errors', 'Values that could not be mapped to a sample (not a number, required but missing)', p.mappingErrors);
  g('probe_metrics_absent', 'Metric definitions that made no series because what they read was not in the answer (on_missing: skip makes one optional)', p.absent);
}
