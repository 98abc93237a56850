// Simulated devices: real HTTP servers on loopback answering with real payloads
// captured from devices (test/fixtures). Used by the tests, the benchmark and
// `npm run demo`; not part of the shipped exporter.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
}

export interface RunningDevice {
  name: string;
  url: string;
  /** host:port, as a Prometheus target. */
  address: string;
  /** Paths requested so far, in order. */
  hits: string[];
  close(): Promise<void>;
}

export async function startDevice(spec: DeviceSpec, host = '127.0.0.1', port = 0): Promise<RunningDevice> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://device');
    const p = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    hits.push(url.pathname + url.search);
    const route = spec.routes?.[p];
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
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
