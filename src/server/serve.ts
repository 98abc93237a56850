// Starting and stopping the exporter: config, upstream client, metrics, HTTP server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../config/load.js';
import { TargetGuard } from '../fetch/guard.js';
import { Upstream } from '../fetch/upstream.js';
import type { Logger } from '../log.js';
import { ExporterMetrics } from '../metrics/exporter.js';
import { VERSION } from '../version.js';
import { createApp, type AppOptions } from './app.js';

export interface ServeOptions extends AppOptions {
  configFile: string;
  listenAddress: string;
  maxConcurrency: number;
  logger: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  config: Config;
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
  const config = await loadConfig(opts.configFile);
  const upstream = new Upstream({ maxConcurrency: opts.maxConcurrency, userAgent: `apiprobe/${VERSION}`, guard: new TargetGuard(config.targets) });
  const metrics = new ExporterMetrics(upstream, () => config.auths.values());
  let ready = false;
  const app = createApp({
    config: () => config,
    ready: () => ready,
    upstream,
    metrics,
    logger: opts.logger,
    options: { timeoutOffsetSeconds: opts.timeoutOffsetSeconds, maxSeries: opts.maxSeries },
  });
  const server = http.createServer(app.callback());
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
    { version: VERSION, address: `${shownHost}:${address.port}`, config: config.file, modules: config.modules.size },
    'listening',
  );
  return {
    url: `http://${host && host !== '0.0.0.0' && host !== '::' ? shownHost : '127.0.0.1'}:${address.port}`,
    port: address.port,
    config,
    async close() {
      ready = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // Log sessions out while the connections are still there.
      await Promise.all([...config.auths.values()].map((a) => a.close()));
      await upstream.close();
    },
  };
}
