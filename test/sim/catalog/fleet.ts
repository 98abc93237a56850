// A mixed fleet of appliances and infrastructure services (ports 8030-8049): Proxmox VE.
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { FIXTURES, type FileRoute, type Handler } from '../devices.js';
import type { CatalogDevice } from './index.js';

/** Sends `body` as the answer, with a content type (JSON unless said otherwise). */
export function send(res: http.ServerResponse, req: http.IncomingMessage, status: number, body: string | Buffer, contentType = 'application/json'): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': buf.length });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

/**
 * A catalog route as a handler: the file (relative to test/fixtures) served as it is,
 * or the route's own handler. For devices of the tests that put a check (credentials)
 * in front of a catalog device's routes.
 */
export function asHandler(route: string | FileRoute | Handler, contentType = 'application/json'): Handler {
  if (typeof route === 'function') return route;
  const r: FileRoute = typeof route === 'string' ? { file: route } : route;
  return (req, res) => {
    readFile(path.join(FIXTURES, r.file)).then(
      (body) => send(res, req, 200, body, r.contentType ?? contentType),
      () => send(res, req, 500, `fixture ${r.file} missing`, 'text/plain'),
    );
  };
}

const PVE = 'proxmox-ve';
const PVE_JSON = 'application/json;charset=UTF-8';

export const FLEET_CATALOG: CatalogDevice[] = [
  {
    // Datadog's captures of one single-node PVE 8.4.1 (node ip-122-82-3-112): one VM,
    // two containers, the local storage. cluster/metrics/export was captured about 40 s
    // after cluster/resources, after the containers were started: its guest values do
    // not match (the module reads only node values from it).
    name: 'proxmox-ve-8.4',
    module: 'proxmox',
    demoPort: 8030,
    contentType: PVE_JSON,
    routes: {
      '/api2/json/cluster/resources': `${PVE}/cluster_resources.json`,
      '/api2/json/version': `${PVE}/version.json`,
      '/api2/json/cluster/metrics/export': `${PVE}/cluster_metrics_export.json`,
    },
  },
];
