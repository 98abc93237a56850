// Simulated devices: real HTTP servers on loopback answering with real payloads
// captured from devices (test/fixtures). Used by the tests, the benchmark and
// `npm run demo`; not part of the shipped exporter.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandRedfish, parseExpand } from './redfish-expand.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A fixture file served with its own content type, optionally without its first lines (a comment header). */
export interface FileRoute {
  file: string;
  contentType?: string;
  skipLines?: number;
}

export interface DeviceSpec {
  name: string;
  /** Exact paths (no trailing slash; the query is ignored) → a fixture file (relative to FIXTURES) or a handler. */
  routes?: Record<string, string | FileRoute | Handler>;
  /** A Redfish mockup tree: /redfish/v1/X is served from <dir>/redfish/v1/X/index.json. */
  mockupDir?: string;
  contentType?: string;
  /** Answers requests no route matches (instead of 404). */
  fallback?: Handler;
  /**
   * Redfish `$expand` (DSP0266 7.3: `*`, `.`, `~`, `($levels=n)`) on JSON served from
   * files. true: the service root advertises it (ProtocolFeaturesSupported.ExpandQuery)
   * and answers expand what they link; false: the root says it is not supported and the
   * parameter is ignored; unset: the files as they are, the parameter ignored.
   */
  expand?: boolean;
  /** Every answer waits this long before it is sent (a slow BMC). */
  latencyMs?: number;
  /** At most this many requests are served at once; the others wait their turn (a BMC's web server). */
  maxConcurrent?: number;
}

export interface RunningDevice {
  name: string;
  url: string;
  /** host:port, as a Prometheus target. */
  address: string;
  /** Paths requested so far, in order. */
  hits: string[];
  /** The most requests served at once. */
  peakConcurrent(): number;
  close(): Promise<void>;
}

export async function startDevice(spec: DeviceSpec, host = '127.0.0.1', port = 0): Promise<RunningDevice> {
  const hits: string[] = [];
  let serving = 0;
  let peak = 0;
  const waiting: Array<() => void> = [];
  // A slow, narrow BMC: a slot among maxConcurrent, then latencyMs, then the answer.
  const admit = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const release = (): void => {
      serving--;
      waiting.shift()?.();
    };
    const go = (): void => {
      serving++;
      peak = Math.max(peak, serving);
      res.once('close', release);
      if (spec.latencyMs) setTimeout(() => serve(req, res), spec.latencyMs);
      else serve(req, res);
    };
    if (spec.maxConcurrent !== undefined && serving >= spec.maxConcurrent) waiting.push(go);
    else go();
  };
  const serve = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://device');
    const p = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const route = spec.routes?.[p];
    if (spec.expand !== undefined && typeof route !== 'function') {
      const expand = url.searchParams.get('$expand');
      const isRoot = p === '/redfish/v1';
      if (isRoot || (expand !== null && spec.expand)) return void serveRedfish(spec, p, isRoot, spec.expand ? expand : null, req, res);
    }
    if (typeof route === 'function') return route(req, res);
    if (route === undefined && spec.fallback) return spec.fallback(req, res);
    const fileRoute: FileRoute | undefined =
      typeof route === 'string' ? { file: route }
      : route ?? (spec.mockupDir ? { file: path.join(spec.mockupDir, decodeURIComponent(p), 'index.json') } : undefined);
    if (!fileRoute || fileRoute.file.split(path.sep).includes('..')) return notFound(res);
    readFile(path.join(FIXTURES, fileRoute.file)).then(
      (content) => {
        const body = fileRoute.skipLines ? dropLines(content, fileRoute.skipLines) : content;
        res.writeHead(200, { 'content-type': fileRoute.contentType ?? spec.contentType ?? 'application/json', 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => notFound(res),
    );
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://device');
    hits.push(url.pathname + url.search);
    admit(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const address = `${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  return {
    name: spec.name,
    url: `http://${address}`,
    address,
    hits,
    peakConcurrent: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The file a path of a device is served from, if it is served from a file. */
function fileOf(spec: DeviceSpec, p: string): string | undefined {
  const route = spec.routes?.[p];
  if (typeof route === 'string') return route;
  if (route !== undefined && typeof route !== 'function') return route.file;
  if (route === undefined && spec.mockupDir) {
    const file = path.join(spec.mockupDir, decodeURIComponent(p), 'index.json');
    return file.split(path.sep).includes('..') ? undefined : file;
  }
  return undefined;
}

async function readResource(spec: DeviceSpec, p: string): Promise<Record<string, unknown> | undefined> {
  const file = fileOf(spec, p.length > 1 ? p.replace(/\/+$/, '') : p);
  if (file === undefined) return undefined;
  try {
    const doc: unknown = JSON.parse(await readFile(path.join(FIXTURES, file), 'utf8'));
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A Redfish answer from the files: the root saying what the device supports, or an expanded resource. */
async function serveRedfish(spec: DeviceSpec, p: string, isRoot: boolean, expand: string | null, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let doc: unknown = await readResource(spec, p);
  if (!doc) return notFound(res);
  if (expand !== null) {
    const how = parseExpand(expand);
    if (!how) {
      const body = JSON.stringify({ error: { code: 'Base.1.0.QueryParameterValueFormatError', message: `$expand=${expand}` } });
      res.writeHead(400, { 'content-type': 'application/json' });
      return void res.end(body);
    }
    doc = await expandRedfish(doc, (id) => readResource(spec, new URL(id, 'http://device').pathname), how.which, how.levels);
  }
  if (isRoot) {
    const root = doc as Record<string, unknown>;
    const features = { ...(root.ProtocolFeaturesSupported as Record<string, unknown> | undefined) };
    if (spec.expand) features.ExpandQuery = { ExpandAll: true, Levels: true, Links: true, NoLinks: true, MaxLevels: 6 };
    else delete features.ExpandQuery;
    doc = { ...root, ProtocolFeaturesSupported: features };
  }
  const body = Buffer.from(JSON.stringify(doc));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function dropLines(content: Buffer, n: number): Buffer {
  let at = 0;
  for (let i = 0; i < n && at >= 0; i++) at = content.indexOf(10, at) + 1 || -1;
  return at < 0 ? Buffer.alloc(0) : content.subarray(at);
}

function notFound(res: http.ServerResponse): void {
  const body = JSON.stringify({ error: { code: 'Base.1.0.ResourceMissingAtURI', message: 'not found' } });
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(body);
}

const HPE = 'redfish/telegraf-hpe-ilo';
const DELL = 'redfish/telegraf-dell-idrac';

/**
 * Telegraf's captures have no /redfish/v1/Chassis collection (its plugin never reads
 * one). The collection these devices serve is derived from the capture of the system:
 * its Links.Chassis members, as the chassis the device has. Nothing else is made up.
 */
function chassisCollectionOf(systemFile: string): Handler {
  return (req, res) => {
    readFile(path.join(FIXTURES, systemFile), 'utf8').then((text) => {
      const system = JSON.parse(text) as { Links?: { Chassis?: unknown[] } };
      const members = system.Links?.Chassis ?? [];
      const body = JSON.stringify({ '@odata.id': '/redfish/v1/Chassis', Name: 'Chassis Collection', 'Members@odata.count': members.length, Members: members });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    }, () => notFound(res));
  };
}

/** An HPE iLO from Telegraf's captures; iLO 4 and iLO 5 differ in their Thermal resource. */
function hpe(name: string, thermal: string): DeviceSpec {
  return {
    name,
    routes: {
      '/redfish/v1': `${DELL}/base.json`,
      '/redfish/v1/Systems': `${HPE}/hp_available_systems.json`,
      '/redfish/v1/Systems/1': `${HPE}/hp_systems.json`,
      '/redfish/v1/Chassis': chassisCollectionOf(`${HPE}/hp_systems.json`),
      '/redfish/v1/Chassis/1': `${HPE}/hp_chassis.json`,
      '/redfish/v1/Chassis/1/Thermal': thermal,
      '/redfish/v1/Chassis/1/Power': `${HPE}/hp_power.json`,
    },
  };
}

/** The Redfish devices the fixtures describe, by name. */
export const REDFISH_DEVICES: Record<string, DeviceSpec> = {
  'dmtf-rackmount': { name: 'dmtf-rackmount', mockupDir: 'redfish/public-rackmount1' },
  'dmtf-tower': { name: 'dmtf-tower', mockupDir: 'redfish/public-tower' },
  'dmtf-bladed': { name: 'dmtf-bladed', mockupDir: 'redfish/public-bladed' },
  'dmtf-composability': { name: 'dmtf-composability', mockupDir: 'redfish/public-composability' },
  'dmtf-pdu': { name: 'dmtf-pdu', mockupDir: 'redfish/public-pdu' },
  'dmtf-cooling-unit': { name: 'dmtf-cooling-unit', mockupDir: 'redfish/public-cooling-unit' },
  'dmtf-power-shelf': { name: 'dmtf-power-shelf', mockupDir: 'redfish/public-power-shelf' },
  'hpe-ilo5': hpe('hpe-ilo5', `${HPE}/hp_thermal.json`),
  'hpe-ilo4': hpe('hpe-ilo4', `${HPE}/hp_thermal_ilo4.json`),
  'dell-idrac': {
    name: 'dell-idrac',
    routes: {
      '/redfish/v1': `${DELL}/base.json`,
      '/redfish/v1/Systems': `${DELL}/dell_available_systems.json`,
      '/redfish/v1/Systems/System.Embedded.1': `${DELL}/dell_systems.json`,
      '/redfish/v1/Chassis': chassisCollectionOf(`${DELL}/dell_systems.json`),
      '/redfish/v1/Chassis/System.Embedded.1': `${DELL}/dell_chassis.json`,
      '/redfish/v1/Chassis/System.Embedded.1/Thermal': `${DELL}/dell_thermal.json`,
      '/redfish/v1/Chassis/System.Embedded.1/Power': `${DELL}/dell_power.json`,
    },
  },
};
