// The HTTP face of the exporter: /probe, /metrics, health, landing page.
import { parse as parseQuery } from 'node:querystring';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import Router from '@koa/router';
import Koa from 'koa';
import { stringify } from 'yaml';
import type { Upstream } from '../fetch/upstream.js';
import { clip, type Logger } from '../log.js';
import { CONTENT_TYPE } from '../metrics/expose.js';
import type { ProbePool } from '../probe/budget.js';
import { probe } from '../probe/pipeline.js';
import { acceptKey, isLoopback } from '../tls/accept.js';
import type { ResolvedProbe } from '../probe/resolve.js';
import type { ExporterMetrics } from './exporter-metrics.js';
import type { Generations } from './generations.js';
import { History } from './history.js';
import { countIn, logTo, recordIn, warnAbsent } from './observers.js';
import { basicAuth, requireClientCert, type WebConfig } from './web-config.js';
import { landingPage } from './landing.js';

const gzip = promisify(gzipCb);

export interface AppOptions {
  timeoutOffsetSeconds: number;
  maxSeries: number;
  /** Successes and failures kept each for the landing page. */
  historyLimit: number;
}

export interface AppState {
  /** The configuration generation probes start with, and those still finishing. */
  generations: Generations;
  /** Loads the configuration again; throws (keeping the running one) on a problem. */
  reload(): Promise<void>;
  /** With --web.workers: the metrics of all workers, from the primary. */
  metricsText?: (() => Promise<{ text: string; contentType: string }>) | undefined;
  ready(): boolean;
  upstream: Upstream;
  /** What all probes in flight may use together (--probe.memory-budget). */
  pool?: ProbePool | undefined;
  metrics: ExporterMetrics;
  logger: Logger;
  options: AppOptions;
  /** --web.config.file: basic auth and headers for every endpoint. */
  web?: WebConfig | undefined;
}

export function createApp(state: AppState): Koa {
  const app = new Koa();
  const router = new Router();
  const history = new History(state.options.historyLimit);

  const observers = [recordIn(history), logTo(state.logger), warnAbsent(state.logger), countIn(state.metrics)];
  const deps = { fetcher: state.upstream, timeoutOffsetSeconds: state.options.timeoutOffsetSeconds, maxSeries: state.options.maxSeries, pool: state.pool, observers };

  router.get('/probe', async (ctx) => {
    // Load shedding: while the probes in flight hold nearly all that probes may use, a new
    // one would only fail for want of it; a 503 tells Prometheus (up 0) and the next
    // scrape tries again.
    const busy = state.pool?.admit();
    if (busy !== undefined) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.body = `exporter busy: ${busy}\n`;
      return;
    }
    const lease = state.generations.acquire();
    let answer;
    try {
      // node:querystring: the same result as ctx.query (repeated names become arrays) at a
      // fraction of the cost on a path taken for every probe.
      answer = await probe(lease.config, { query: parseQuery(ctx.querystring), scrapeTimeout: ctx.get('x-prometheus-scrape-timeout-seconds') || undefined, accept: ctx.get('accept') }, deps);
    } finally {
      lease.release();
    }
    if (answer.kind === 'refused') {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = `${answer.message}\n`;
      return;
    }
    const { result } = answer;
    if (answer.probe.debug) {
      ctx.type = 'text/plain';
      ctx.body = `Logs for the probe:\n${result.log.text()}\n\nMetrics that would have been returned:\n${result.exposition}\n${describeModules(answer.probe.runs)}`;
      return;
    }
    ctx.set('content-type', CONTENT_TYPE[result.format]);
    await sendMaybeCompressed(ctx, result.exposition);
  });

  router.get('/metrics', async (ctx) => {
    const { text, contentType } = state.metricsText
      ? await state.metricsText()
      : { text: await state.metrics.registry.metrics(), contentType: state.metrics.registry.contentType };
    ctx.set('content-type', contentType);
    await sendMaybeCompressed(ctx, text);
  });

  router.get('/-/healthy', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = 'Healthy\n';
  });

  router.post('/-/reload', async (ctx) => {
    ctx.type = 'text/plain';
    try {
      await state.reload();
      ctx.body = 'Reloaded\n';
    } catch (err) {
      ctx.status = 500;
      ctx.body = `failed to reload the configuration, the running one is kept:\n${(err as Error).message}\n`;
    }
  });

  // trust: first_use: accepts a device's new key, protected as /-/reload is (by
  // --web.config.file). Unlike a reload it is a trust decision (an impostor refused a
  // moment ago would get the credentials from then on), so without basic auth or client
  // certificates it is only taken from the exporter's own host.
  const webProtected = !!state.web && (state.web.users !== undefined || state.web.requireAnyClientCert || (state.web.tls?.requestCert === true && state.web.tls.rejectUnauthorized === true));
  router.post('/-/tls/accept', async (ctx) => {
    ctx.type = 'text/plain';
    if (!webProtected && !isLoopback(ctx.req.socket.remoteAddress)) {
      ctx.status = 403;
      ctx.body = 'accepting a key from another host needs --web.config.file with basic_auth_users or client certificates; or run `apiprobe tls accept` on the exporter\'s host\n';
      return;
    }
    const store = state.generations.current.trust.knownHosts;
    const q = parseQuery(ctx.querystring);
    const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
    const r = acceptKey(store, one(q['target']), one(q['pin']));
    if (!r.ok) {
      ctx.status = r.status;
      ctx.body = `${r.message}\n`;
      return;
    }
    await store.save();
    state.logger.warn({ device: r.device, pin: r.pin, previous: r.previous }, 'tls: new key accepted');
    ctx.body = `accepted ${r.pin} for ${r.device}${r.previous ? ` (was ${r.previous})` : ''}\n`;
  });

  router.get('/-/ready', (ctx) => {
    ctx.type = 'text/plain';
    const ready = state.ready();
    ctx.status = ready ? 200 : 503;
    ctx.body = ready ? 'Ready\n' : 'Not ready\n';
  });

  router.get('/', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = landingPage(state.generations.current, history.entries(), history.limit);
  });

  router.get('/history/:id', (ctx) => {
    const entry = history.get(Number(ctx.params['id']));
    ctx.type = 'text/plain';
    if (!entry) {
      ctx.status = 404;
      ctx.body = 'no such probe in the history (it may have been pushed out by newer ones)\n';
      return;
    }
    ctx.body = `Probe ${entry.id} at ${entry.at.toISOString()}: module ${entry.module}, target ${entry.target}` +
      `${entry.auth ? `, auth ${entry.auth}` : ''}: ${entry.success ? 'success' : 'failure'} in ${entry.durationSeconds.toFixed(3)} s\n` +
      `${entry.reason ? `Reason: ${entry.reason}\n` : ''}\nLogs for the probe:\n${entry.log}\n`;
  });

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      state.logger.error({ path: clip(ctx.path), err: (err as Error).stack ?? String(err) }, 'request failed');
      ctx.status = 500;
      ctx.type = 'text/plain';
      ctx.body = 'internal error; see the exporter log\n';
    }
  });
  if (state.web) {
    const headers = state.web.headers;
    app.use(async (ctx, next) => {
      for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
      await next();
    });
    if (state.web.requireAnyClientCert) app.use(requireClientCert());
    if (state.web.users) app.use(basicAuth(state.web.users));
  }
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

const SECRET_HEADER = /authorization|cookie|token|key|secret|pass/i;

/** The modules' configuration as loaded, header values that may be secrets masked; auths by name and kind only. */
function describeModules(runs: ResolvedProbe['runs']): string {
  const out: string[] = [];
  for (const run of runs) {
    const spec = structuredClone(run.module.spec);
    const mask = (h: Record<string, string> | undefined): void => {
      for (const k of Object.keys(h ?? {})) if (SECRET_HEADER.test(k)) h![k] = '<secret>';
    };
    mask(spec.headers);
    for (const r of Object.values(spec.requests)) mask(r.headers);
    out.push(`Module configuration (${run.module.file}):\n${stringify({ [run.module.name]: spec }, { lineWidth: 0 })}`);
    out.push(`Auth: ${run.auth ? `${run.auth.name} (${run.auth.kind})` : 'none'}\n`);
  }
  return out.join('\n');
}

async function sendMaybeCompressed(ctx: Koa.Context, text: string): Promise<void> {
  ctx.vary('Accept-Encoding');
  if (text.length >= 1024 && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
    ctx.set('content-encoding', 'gzip');
    ctx.body = await gzip(text);
    return;
  }
  ctx.body = text;
}
