// A mixed fleet of appliances and infrastructure services (ports 8030-8049): Proxmox VE,
// MikroTik RouterOS, UniFi Network, Shelly, Tasmota, Jenkins, Traefik.
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

/**
 * One member of a fixture file that merges several responses of a device. aioshelly's
 * tools/fixture.py saved a Shelly's answers to GET /shelly, /settings (Gen1) or
 * /rpc/Shelly.GetConfig (Gen2) and /status (Gen1) or /rpc/Shelly.GetStatus (Gen2) as
 * one object: {"shelly": …, "settings" | "config": …, "status": …}. The file stays
 * byte-identical in test/fixtures; this route serves the member `key` of it as that
 * endpoint's body, JSON.stringify(part): compact JSON, as the devices send it (the
 * members' key order is the file's, sorted by the capture tool).
 */
export function memberRoute(file: string, key: string): Handler {
  return (req, res) => {
    readFile(path.join(FIXTURES, file), 'utf8').then(
      (text) => {
        const part = (JSON.parse(text) as Record<string, unknown>)[key];
        if (part === undefined) return send(res, req, 500, `fixture ${file} has no member ${key}`, 'text/plain');
        send(res, req, 200, JSON.stringify(part));
      },
      () => send(res, req, 500, `fixture ${file} missing`, 'text/plain'),
    );
  };
}

export const SHELLY_FILES = {
  plugS: 'shelly/gen1_Shelly Plug S_SHPLG-S_20230913-113421-v1.14.0-gcb84623.json',
  plusPlugS: 'shelly/gen2_Shelly Plus Plug S_SNPL-00112EU_20231219-134003-1.1.0-g34b5d4f.json',
  pro3em: 'shelly/gen2_Shelly Pro 3EM_SPEM-003CEBEU_20231219-134001-1.1.0-g34b5d4f.json',
} as const;

const shellyGen2 = (file: string): Record<string, Handler> => ({
  '/shelly': memberRoute(file, 'shelly'),
  '/rpc/Shelly.GetConfig': memberRoute(file, 'config'),
  '/rpc/Shelly.GetStatus': memberRoute(file, 'status'),
});

const PVE = 'proxmox-ve';
const ROS = 'mikrotik-routeros';
const UNIFI = 'unifi-network';
const UNIFI_JSON = 'application/json;charset=UTF-8';
const JENKINS_JSON = 'application/json;charset=utf-8';
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
  {
    // Telegraf's captures of a hAP ac² on RouterOS 7.16 (MACs and serial sanitised).
    // interface.json was edited upstream for Telegraf's tests: a second entry named
    // ether2 (*3, disabled) and an empty object {} were added. The module asks for the
    // DHCP leases with ?.proplist=status; this device ignores the query and answers the
    // whole lease list, which the module reads the same way (it counts "status" fields).
    name: 'mikrotik-hap-ac2',
    module: 'mikrotik',
    demoPort: 8031,
    routes: {
      '/rest/system/resource': `${ROS}/system_resourses.json`,
      '/rest/system/routerboard': `${ROS}/system_routerboard.json`,
      '/rest/interface': `${ROS}/interface.json`,
      '/rest/interface/wireless/registration-table': `${ROS}/interface_wireless_registration.json`,
      '/rest/ip/dhcp-server/lease': `${ROS}/ip_dhcp_server_lease.json`,
    },
  },
  {
    // Datadog's captures of a self-hosted Network application (7.1 era), site "default":
    // one U6-Lite access point and one wireless client, both trimmed to one entry and
    // sanitised upstream (the AP counts 4 clients, the client list holds 1).
    name: 'unifi-controller',
    module: 'unifi',
    demoPort: 8032,
    contentType: UNIFI_JSON,
    routes: {
      '/api/s/default/stat/device': `${UNIFI}/device_metrics.json`,
      '/api/s/default/stat/sta': `${UNIFI}/client_metrics.json`,
    },
  },
  {
    // The same captures where a UniFi OS console serves the Network application.
    name: 'unifi-os-console',
    module: 'unifi_os',
    demoPort: 8033,
    contentType: UNIFI_JSON,
    routes: {
      '/proxy/network/api/s/default/stat/device': `${UNIFI}/device_metrics.json`,
      '/proxy/network/api/s/default/stat/sta': `${UNIFI}/client_metrics.json`,
    },
  },
  {
    // aioshelly's captures (redacted, merged; see memberRoute): a Gen1 Plug S on 1.14.0.
    name: 'shelly-plug-s',
    module: 'shelly',
    demoPort: 8034,
    routes: {
      '/shelly': memberRoute(SHELLY_FILES.plugS, 'shelly'),
      '/settings': memberRoute(SHELLY_FILES.plugS, 'settings'),
      '/status': memberRoute(SHELLY_FILES.plugS, 'status'),
    },
  },
  {
    // A Gen2 Plus Plug S on 1.1.0.
    name: 'shelly-plus-plug-s',
    module: 'shelly_gen2',
    demoPort: 8035,
    routes: shellyGen2(SHELLY_FILES.plusPlugS),
  },
  {
    // A Gen2 Pro 3EM (three-phase energy meter, triphase profile) on 1.1.0, on Ethernet.
    name: 'shelly-pro-3em',
    module: 'shelly_gen2',
    demoPort: 8036,
    routes: shellyGen2(SHELLY_FILES.pro3em),
  },
  {
    // A Sonoff NSPanel on Tasmota 14.4.1, its answer to Status 0 (captured from MQTT
    // stat/…/STATUS0, the same JSON /cm?cmnd=Status%200 answers). Any query gets it.
    name: 'tasmota-nspanel',
    module: 'tasmota',
    demoPort: 8037,
    routes: { '/cm': 'tasmota/status0_nspanel.json' },
  },
  {
    // cdancy/jenkins-rest's captures of real Jenkins instances, not one snapshot: the
    // jobs from a controller at 10.1.248.14 (8 top-level jobs, 3 disabled), the queue
    // from a Jenkins in Docker (2 waiting builds), the nodes from an instance the file
    // does not name (10 nodes, 6 offline agents).
    name: 'jenkins',
    module: 'jenkins',
    demoPort: 8038,
    contentType: JENKINS_JSON,
    routes: {
      '/api/json': 'jenkins/jobs.json',
      '/computer/api/json': 'jenkins/computer.json',
      '/queue/api/json': 'jenkins/queue.json',
    },
  },
  {
    // Golden files of Traefik's API handler tests: real handler output, synthetic
    // configuration (providers "myprovider", servers on 127.0.0.x).
    name: 'traefik',
    module: 'traefik',
    demoPort: 8039,
    routes: {
      '/api/overview': 'traefik/overview-dynamic.json',
      '/api/http/routers': 'traefik/routers.json',
      '/api/http/services': 'traefik/services.json',
    },
  },
];
