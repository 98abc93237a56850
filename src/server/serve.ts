// Starting and stopping the exporter: config, upstream client, metrics, HTTP server.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadConfig, type ConfigFormat } from '../config/load.js';
import type { Config } from '../probe/generation.js';
import { Upstream } from '../fetch/upstream.js';
import { ProbePool } from '../probe/budget.js';
import type { Logger } from '../log.js';
import { KnownHostsCache } from '../tls/known-hosts.js';
import { ExporterMetrics } from './exporter-metrics.js';
import { VERSION } from '../version.js';
import { createApp, type AppOptions } from './app.js';
import { WorkerLink } from './cluster.js';
import { Generations } from './generations.js';
import { loadWebConfig } from './web-config.js';

export interface ServeOptions extends AppOptions {
  configFile: string;
  /** How to read the main configuration file (--config.format); default: recognised by its shape. */
  configFormat?: ConfigFormat;
  /** Running as one of --web.workers: metrics and reloads go through the primary. */
  clusterWorker?: boolean;
  /** exporter-toolkit web configuration: TLS and basic auth for the exporter's endpoints. */
  webConfigFile?: string | undefined;
  listenAddress: string;
  maxConcurrency: number;
  /** Bytes all probes in flight may hold (--probe.memory-budget); default: half the heap limit. */
  probeMemoryBytes?: number | undefined;
  logger: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The configuration new probes start with. */
  readonly config: Config;
  /** Every generation still open: the current one and those replaced while probes ran on them. */
  readonly generations: Generations;
  /** Loads the configuration again; on a problem keeps the running one and throws. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`--web.listen-address ${JSON.stringify(addr)} is not [host]:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--web.listen-address port ${port} is out of range`);
  return { host: m[1] ?? (m[2] || undefined), port };
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  // The known hosts (trust: first_use) outlive reloads: a reload keeps what was recorded.
  const knownHosts = new KnownHostsCache((p) => opts.logger.error({ file: p.file, line: p.line }, `known hosts: ${p.message}`));
  const load = (): Promise<Config> => loadConfig(opts.configFile, { format: opts.configFormat, knownHosts });
  const warned = new Set<string>();
  const warnInsecure = (config: Config): void => {
    // Only the modules configured now are remembered: the set stays as small as the configuration.
    for (const name of warned) if (!config.modules.has(name)) warned.delete(name);
    for (const m of config.modules.values()) {
      if (m.transport.verify.chain !== 'never' || m.transport.verify.pins.length || m.transport.verify.firstUse || m.auth === undefined || warned.has(m.name)) continue;
      warned.add(m.name);
      opts.logger.warn({ module: m.name, auth: m.auth },
        'insecure_skip_verify: the module sends credentials to whatever answers at the device\'s address; pin its certificate (tls.pins, trust: first_use) or give its CA (tls.ca_file)');
    }
  };
  const generations = new Generations(await load(), (err) => {
    opts.logger.warn({ err: err.message }, 'closing a replaced configuration failed');
  });
  const web = opts.webConfigFile ? await loadWebConfig(opts.webConfigFile) : undefined;
  const upstream = new Upstream({ maxConcurrency: opts.maxConcurrency, userAgent: `apiprobe/${VERSION}` });
  const pool = new ProbePool(opts.probeMemoryBytes ?? ProbePool.defaultBytes());
  const metrics = new ExporterMetrics(upstream, () => generations.current.auths.values(), pool);
  metrics.reloaded(true);
  warnInsecure(generations.current);
  let ready = false;

  // Probes in flight keep the generation they started with; it is closed (sessions
  // logged out, connections closed) when the last of them is over.
  const reload = async (): Promise<void> => {
    let next: Config;
    try {
      next = await load();
    } catch (err) {
      metrics.reloaded(false);
      opts.logger.error({ file: opts.configFile, err: (err as Error).message }, 'reload failed; the running configuration is kept');
      throw err;
    }
    generations.replace(next);
    metrics.reloaded(true);
    warnInsecure(next);
    opts.logger.info({ config: next.file, modules: next.modules.size }, 'configuration reloaded');
  };

  const link = opts.clusterWorker ? new WorkerLink(metrics.registry, reload) : undefined;
  const app = createApp({
    generations,
    reload: link ? () => link.reload() : reload,
    metricsText: link ? () => link.metrics() : undefined,
    ready: () => ready,
    upstream,
    pool,
    metrics,
    logger: opts.logger,
    web,
    options: { timeoutOffsetSeconds: opts.timeoutOffsetSeconds, maxSeries: opts.maxSeries, historyLimit: opts.historyLimit },
  });
  // Koa answers a request whose handling failed itself (ctx.onerror); the promise its
  // handler returns rejects only when that error handling threw too. Then the error is
  // logged and the connection closed rather than left hanging: an unhandled rejection
  // would end the exporter.
  const handle = app.callback();
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.error({ url: req.url, err: err instanceof Error ? err.message : String(err) }, 'request handling failed');
      if (!res.writableEnded) res.destroy();
    });
  };
  const server = web?.tls ? https.createServer(web.tls, onRequest) : http.createServer(onRequest);
  // Probes can legitimately take as long as their module timeout; keep-alive from
  // Prometheus should outlive its scrape interval.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0;
  const { host, port } = parseListenAddress(opts.listenAddress);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  ready = true;
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  opts.logger.info(
    { version: VERSION, address: `${shownHost}:${address.port}`, config: generations.current.file, modules: generations.current.modules.size, pid: process.pid },
    'listening',
  );
  return {
    url: `${web?.tls ? 'https' : 'http'}://${host && host !== '0.0.0.0' && host !== '::' ? shownHost : '127.0.0.1'}:${address.port}`,
    port: address.port,
    get config() {
      return generations.current;
    },
    generations,
    reload,
    async close() {
      ready = false;
      // No new connections; probes in flight finish (each bounded by its deadline).
      await new Promise<void>((resolve) => {
        // A connection kept alive after its last answer would hold close() for the
        // keep-alive timeout: close connections as they become idle.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(idle);
          resolve();
        });
        server.closeIdleConnections();
      });
      // Sessions are logged out before each generation's connections close.
      await generations.close();
    },
  };
}
