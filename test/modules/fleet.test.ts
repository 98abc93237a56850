// The proxmox, mikrotik, unifi, unifi_os, shelly, shelly_gen2, tasmota, jenkins and
// traefik modules, probed through the shipped configuration against the simulated
// devices of test/sim/catalog/fleet.ts (real payloads from test/fixtures). Every
// expected line below was written from the fixture by hand: values as the fixture has
// them, times the module's documented scale where it converts units (written out as
// `${fixture value * scale}`, so the arithmetic is JavaScript's, as the exporter's is).
// Lists are compared sorted. Devices that want credentials are the catalog devices
// with a check in front, probed through a second exporter whose configuration has the
// auths (the shipped modules, included by absolute path).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogDevice } from '../sim/catalog/index.js';
import { FLEET_CATALOG, SHELLY_FILES, asHandler, memberRoute, send } from '../sim/catalog/fleet.js';
import { FIXTURES, startDevice, type DeviceSpec, type Handler, type RunningDevice } from '../sim/devices.js';
import { parseSeries, ROOT, startExporter, type TestExporter } from '../helpers/exporter.js';
import { catalogDevice, probeCatalogDevice, type DeviceProbe } from '../helpers/modules.js';
import { checkMetrics, promtool } from '../helpers/promtool.js';

const SECRETS = {
  pveToken: 'PVEAPIToken=monitor@pve!apiprobe=0c4e2a37-5b1f-4d7e-9a61-3f0d8c2b7e15',
  routeros: 'ros-6f1d2a9c',
  unifi: 'unifi-3b8e71d0',
  shelly: 'shelly-94c0e2a7',
  tasmota: 'tasmota-51b7d3e8',
  jenkins: '11d2a0c9e4b7f6a8d3c5e1f0b9a7c6d5e4',
};

let exporter: TestExporter;
/** The shipped modules with credentials under auths:. */
let withAuths: TestExporter;
beforeAll(async () => {
  exporter = await startExporter();
  withAuths = await startExporter({
    configYaml: `
include: ['${path.join(ROOT, 'modules')}/*.yml']
auths:
  proxmox: { api_key: { header: Authorization, value: '${SECRETS.pveToken}' } }
  mikrotik: { basic: { username: monitor, password: ${SECRETS.routeros} } }
  unifi:
    session:
      username: monitor
      password: ${SECRETS.unifi}
      login: { path: /api/login, json: { username: '{username}', password: '{password}' } }
      token: { cookie: unifises }
      use: { cookie: unifises }
      logout: { method: POST, path: /api/logout }
  unifi_os:
    session:
      username: monitor
      password: ${SECRETS.unifi}
      login: { path: /api/auth/login, json: { username: '{username}', password: '{password}' } }
      token: { cookie: TOKEN }
      use: { cookie: TOKEN }
  shelly: { digest: { username: admin, password: ${SECRETS.shelly} } }
  tasmota: { api_key: { query: password, value: ${SECRETS.tasmota} } }
  jenkins: { basic: { username: monitor, password: ${SECRETS.jenkins} } }
`,
  });
});
afterAll(async () => {
  await exporter.close();
  await withAuths.close();
});

async function probe(name: string): Promise<DeviceProbe> {
  const result = await probeCatalogDevice(exporter, name);
  expect(result.status).toBe(200);
  return result;
}

const sorted = (lines: readonly string[]): string[] => [...lines].sort();
const deviceLines = (text: string): string[] => text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('probe_'));

const basicAuth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** An RFC 7616 digest check with SHA-256, as Shelly Gen2 devices ask for it (realm: the device id). */
function shellyDigest(realm: string, password: string): { allowed: (req: http.IncomingMessage) => boolean; refuse: Handler } {
  const h = (t: string): string => createHash('sha256').update(t).digest('hex');
  const nonce = `${Math.floor(Date.now() / 1000)}`;
  return {
    allowed: (req) => {
      const auth = req.headers.authorization ?? '';
      const p: Record<string, string> = {};
      for (const m of auth.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) p[m[1]!] = m[2] ?? m[3]!;
      if (!auth.startsWith('Digest ') || p['username'] !== 'admin' || p['realm'] !== realm || p['nonce'] !== nonce || p['uri'] !== req.url) return false;
      const ha1 = h(`admin:${realm}:${password}`);
      const ha2 = h(`${req.method}:${p['uri']}`);
      return p['response'] === h(`${ha1}:${nonce}:${p['nc']}:${p['cnonce']}:auth:${ha2}`);
    },
    refuse: (req, res) => {
      res.setHeader('www-authenticate', `Digest qop="auth", realm="${realm}", nonce="${nonce}", algorithm=SHA-256`);
      send(res, req, 401, '');
    },
  };
}

/** The series of a stateset, `current` set to 1. */
function stateset(name: string, labels: string, states: string[], current: string): string[] {
  return states.map((s) => `${name}{${labels}${labels ? ',' : ''}${name}="${s}"} ${s === current ? 1 : 0}`);
}

/**
 * A catalog device whose every route (but those in `open`) answers only requests
 * `allowed` lets through; the others get `refuse`.
 */
function guarded(name: string, allowed: (req: http.IncomingMessage) => boolean, refuse: Handler, open: string[] = [], extra: Record<string, Handler> = {}): DeviceSpec {
  const spec: CatalogDevice = catalogDevice(name);
  const routes: Record<string, Handler> = { ...extra };
  for (const [p, route] of Object.entries(spec.routes ?? {})) {
    const serve = asHandler(route, spec.contentType);
    routes[p] = open.includes(p) ? serve : (req, res) => (allowed(req) ? serve(req, res) : refuse(req, res));
  }
  return { name: `${name}-guarded`, routes };
}

/** Starts `spec`, runs `fn` with it, stops it. */
async function withDevice<T>(spec: DeviceSpec, fn: (d: RunningDevice) => Promise<T>): Promise<T> {
  const device = await startDevice(spec);
  try {
    return await fn(device);
  } finally {
    await device.close();
  }
}

async function probeWith(exp: TestExporter, query: Record<string, string>): Promise<{ text: string; series: Map<string, number>; lines: string[] }> {
  const res = await exp.probe(query);
  expect(res.status).toBe(200);
  return { text: res.text, series: parseSeries(res.text), lines: deviceLines(res.text) };
}

describe('simulated fleet devices', () => {
  it('have unique names and demo ports from 8030 on', () => {
    const names = FLEET_CATALOG.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    const ports = FLEET_CATALOG.map((d) => d.demoPort);
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) expect(p >= 8030 && p <= 8049).toBe(true);
    expect(names).toEqual([
      'proxmox-ve-8.4', 'mikrotik-hap-ac2', 'unifi-controller', 'unifi-os-console',
      'shelly-plug-s', 'shelly-plus-plug-s', 'shelly-pro-3em', 'tasmota-nspanel', 'jenkins', 'traefik',
    ]);
  });

  // aioshelly's files merge several answers of a device; the simulator serves each
  // member as its endpoint's body (test/sim/catalog/fleet.ts, memberRoute).
  it('serve each member of the merged Shelly files as that endpoint\'s body, the file itself untouched', async () => {
    const expectedKeys: Record<string, string[]> = {
      [SHELLY_FILES.plugS]: ['settings', 'shelly', 'status'],
      [SHELLY_FILES.plusPlugS]: ['config', 'shelly', 'status'],
      [SHELLY_FILES.pro3em]: ['config', 'shelly', 'status'],
    };
    for (const [file, keys] of Object.entries(expectedKeys)) {
      const doc = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(doc)).toEqual(keys);
      const routes = Object.fromEntries(keys.map((k) => [`/${k}`, memberRoute(file, k)]));
      await withDevice({ name: 'members', routes }, async (device) => {
        for (const k of keys) {
          const res = await fetch(`${device.url}/${k}`);
          expect(res.headers.get('content-type')).toBe('application/json');
          expect(await res.text()).toBe(JSON.stringify(doc[k]));
        }
      });
    }
  });
});

describe('proxmox module', () => {
  const node = 'node/ip-122-82-3-112';
  const storage = 'storage/ip-122-82-3-112/local';

  it('PVE 8.4.1, one node: cluster resources by id, version, node values of the metrics export', async () => {
    const r = await probe('proxmox-ve-8.4');
    expect(r.series.get('probe_success')).toBe(1);
    for (const req of ['resources', 'version', 'metrics_export']) expect(r.series.get(`probe_request_success{request="${req}"}`)).toBe(1);
    expect(sorted(r.hits)).toEqual(['/api2/json/cluster/metrics/export', '/api2/json/cluster/resources', '/api2/json/version']);
    expect(sorted(r.deviceLines)).toEqual(sorted([
      // version.json
      'proxmox_version_info{release="8.4",repoid="2a2fa54b8503f96c",version="8.4.1"} 1',
      // cluster_resources.json, the node (level "" is no label)
      `proxmox_node_info{id="${node}",node="ip-122-82-3-112"} 1`,
      ...stateset('proxmox_node_status', `id="${node}"`, ['online', 'offline', 'unknown'], 'online'),
      `proxmox_cpu_usage_ratio{id="${node}"} 0.0159579616953606`,
      `proxmox_cpus{id="${node}"} 72`,
      `proxmox_memory_used_bytes{id="${node}"} 6550315008`,
      `proxmox_memory_size_bytes{id="${node}"} 540883783680`,
      `proxmox_disk_used_bytes{id="${node}"} 14254190592`,
      `proxmox_disk_size_bytes{id="${node}"} 5284205195264`,
      `proxmox_uptime_seconds{id="${node}"} 2624`,
      // VM 100, running
      'proxmox_guest_info{id="qemu/100",name="VM 100",node="ip-122-82-3-112",template="0",type="qemu",vmid="100"} 1',
      ...stateset('proxmox_guest_status', 'id="qemu/100"', ['running', 'stopped', 'unknown'], 'running'),
      'proxmox_cpu_usage_ratio{id="qemu/100"} 0.464301072747879',
      'proxmox_cpus{id="qemu/100"} 2',
      'proxmox_memory_used_bytes{id="qemu/100"} 195481340',
      'proxmox_memory_size_bytes{id="qemu/100"} 2147483648',
      'proxmox_disk_used_bytes{id="qemu/100"} 0',
      'proxmox_disk_size_bytes{id="qemu/100"} 34359738368',
      'proxmox_uptime_seconds{id="qemu/100"} 12',
      'proxmox_network_receive_bytes_total{id="qemu/100"} 190',
      'proxmox_network_transmit_bytes_total{id="qemu/100"} 0',
      'proxmox_disk_read_bytes_total{id="qemu/100"} 53700096',
      'proxmox_disk_written_bytes_total{id="qemu/100"} 0',
      // CT 101 "test-container" in pool-1 with three tags, stopped
      'proxmox_guest_info{id="lxc/101",name="test-container",node="ip-122-82-3-112",pool="pool-1",tags="sarah-wiit;test;testtag",template="0",type="lxc",vmid="101"} 1',
      ...stateset('proxmox_guest_status', 'id="lxc/101"', ['running', 'stopped', 'unknown'], 'stopped'),
      'proxmox_cpu_usage_ratio{id="lxc/101"} 0',
      'proxmox_cpus{id="lxc/101"} 1',
      'proxmox_memory_used_bytes{id="lxc/101"} 0',
      'proxmox_memory_size_bytes{id="lxc/101"} 536870912',
      'proxmox_disk_used_bytes{id="lxc/101"} 0',
      'proxmox_disk_size_bytes{id="lxc/101"} 8589934592',
      'proxmox_uptime_seconds{id="lxc/101"} 0',
      'proxmox_network_receive_bytes_total{id="lxc/101"} 0',
      'proxmox_network_transmit_bytes_total{id="lxc/101"} 0',
      'proxmox_disk_read_bytes_total{id="lxc/101"} 0',
      'proxmox_disk_written_bytes_total{id="lxc/101"} 0',
      // CT 111 "CT111", no pool, stopped
      'proxmox_guest_info{id="lxc/111",name="CT111",node="ip-122-82-3-112",tags="tag1;test",template="0",type="lxc",vmid="111"} 1',
      ...stateset('proxmox_guest_status', 'id="lxc/111"', ['running', 'stopped', 'unknown'], 'stopped'),
      'proxmox_cpu_usage_ratio{id="lxc/111"} 0',
      'proxmox_cpus{id="lxc/111"} 72',
      'proxmox_memory_used_bytes{id="lxc/111"} 0',
      'proxmox_memory_size_bytes{id="lxc/111"} 536870912',
      'proxmox_disk_used_bytes{id="lxc/111"} 0',
      'proxmox_disk_size_bytes{id="lxc/111"} 4294967296',
      'proxmox_uptime_seconds{id="lxc/111"} 0',
      'proxmox_network_receive_bytes_total{id="lxc/111"} 0',
      'proxmox_network_transmit_bytes_total{id="lxc/111"} 0',
      'proxmox_disk_read_bytes_total{id="lxc/111"} 0',
      'proxmox_disk_written_bytes_total{id="lxc/111"} 0',
      // storage "local" (dir), available
      `proxmox_storage_info{content="vztmpl,snippets,iso,images,backup,rootdir",id="${storage}",node="ip-122-82-3-112",plugintype="dir",shared="0",storage="local"} 1`,
      ...stateset('proxmox_storage_status', `id="${storage}"`, ['available', 'unknown'], 'available'),
      `proxmox_disk_used_bytes{id="${storage}"} 14254186496`,
      `proxmox_disk_size_bytes{id="${storage}"} 5284205195264`,
      // The pool and the SDN zone give nothing.
      // cluster_metrics_export.json: the node's load averages, I/O wait and swap only
      `proxmox_node_load1{id="${node}"} 0.48`,
      `proxmox_node_load5{id="${node}"} 0.12`,
      `proxmox_node_load15{id="${node}"} 0.04`,
      `proxmox_node_cpu_iowait_ratio{id="${node}"} 0.00166201092780969`,
      `proxmox_node_swap_used_bytes{id="${node}"} 0`,
      `proxmox_node_swap_size_bytes{id="${node}"} 0`,
    ]));
  });

  it('sends the API token as Authorization: PVEAPIToken=…; without it PVE answers 401 and the probe fails', async () => {
    const spec = guarded('proxmox-ve-8.4', (req) => req.headers.authorization === SECRETS.pveToken, (req, res) => send(res, req, 401, '', 'text/plain'));
    await withDevice(spec, async (device) => {
      const none = await probeWith(exporter, { module: 'proxmox', target: device.url });
      expect(none.series.get('probe_success')).toBe(0);
      expect(none.series.get('probe_http_status_code{request="resources"}')).toBe(401);
      expect(none.lines).toEqual([]);
      const token = await probeWith(withAuths, { module: 'proxmox', target: device.url, auth: 'proxmox' });
      expect(token.series.get('probe_success')).toBe(1);
      expect(token.lines).toContain('proxmox_guest_info{id="qemu/100",name="VM 100",node="ip-122-82-3-112",template="0",type="qemu",vmid="100"} 1');
    });
  });

  it('without the metrics export (older PVE) still succeeds, without the node load series', async () => {
    const spec = catalogDevice('proxmox-ve-8.4');
    const routes = { ...spec.routes };
    delete routes['/api2/json/cluster/metrics/export'];
    await withDevice({ ...spec, routes }, async (device) => {
      const r = await probeWith(exporter, { module: 'proxmox', target: device.url });
      expect(r.series.get('probe_success')).toBe(1);
      expect(r.series.get('probe_request_success{request="metrics_export"}')).toBe(0);
      expect(r.lines.filter((l) => l.startsWith('proxmox_node_load') || l.startsWith('proxmox_node_swap') || l.startsWith('proxmox_node_cpu_iowait'))).toEqual([]);
      expect(r.lines).toContain(`proxmox_uptime_seconds{id="${node}"} 2624`);
    });
  });
});

describe('mikrotik module', () => {
  it('hAP ac² on RouterOS 7.16: resources, routerboard, interfaces, wireless clients, DHCP leases by status', async () => {
    const r = await probe('mikrotik-hap-ac2');
    expect(r.series.get('probe_success')).toBe(1);
    for (const req of ['resource', 'routerboard', 'interfaces', 'wireless_clients', 'dhcp_leases']) expect(r.series.get(`probe_request_success{request="${req}"}`)).toBe(1);
    expect(sorted(r.hits)).toEqual([
      '/rest/interface',
      '/rest/interface/wireless/registration-table',
      '/rest/ip/dhcp-server/lease?.proplist=status',
      '/rest/system/resource',
      '/rest/system/routerboard',
    ]);
    const iface = (name: string, running: number, disabled: number, c: Record<string, string>) => [
      `mikrotik_interface_info{name="${name}",type="ether"} 1`,
      `mikrotik_interface_running{name="${name}"} ${running}`,
      `mikrotik_interface_disabled{name="${name}"} ${disabled}`,
      `mikrotik_interface_receive_bytes_total{name="${name}"} ${c['rx-byte']}`,
      `mikrotik_interface_transmit_bytes_total{name="${name}"} ${c['tx-byte']}`,
      `mikrotik_interface_receive_packets_total{name="${name}"} ${c['rx-packet']}`,
      `mikrotik_interface_transmit_packets_total{name="${name}"} ${c['tx-packet']}`,
      `mikrotik_interface_receive_errors_total{name="${name}"} 0`,
      `mikrotik_interface_transmit_errors_total{name="${name}"} 0`,
      `mikrotik_interface_receive_drops_total{name="${name}"} 0`,
      `mikrotik_interface_transmit_drops_total{name="${name}"} 0`,
      `mikrotik_interface_link_downs_total{name="${name}"} 0`,
    ];
    const client = 'interface="wlan2",mac_address="00:11:22:33:44:55"';
    expect(sorted(r.deviceLines)).toEqual(sorted([
      // system_resourses.json: every value a string; uptime 1w1h10m14s
      'mikrotik_system_info{architecture="arm",board_name="hAP",cpu="ARM",platform="MikroTik",version="7.16 (stable)"} 1',
      `mikrotik_uptime_seconds ${7 * 86400 + 3600 + 10 * 60 + 14}`,
      `mikrotik_cpu_load_ratio ${0 * 0.01}`,
      'mikrotik_cpus 4',
      `mikrotik_cpu_frequency_hertz ${672 * 1000000}`,
      'mikrotik_memory_free_bytes 50106368',
      'mikrotik_memory_size_bytes 134217728',
      'mikrotik_storage_free_bytes 1495040',
      'mikrotik_storage_size_bytes 16777216',
      'mikrotik_storage_write_sectors_total 45359',
      // system_routerboard.json: firmware 7.15.3, RouterOS would install 7.16
      'mikrotik_routerboard_info{current_firmware="7.15.3",firmware_type="ipq4000L",model="RBD52G-5HacD2HnD",serial_number="123456789",upgrade_firmware="7.16"} 1',
      // interface.json: ether1 up; ether2 (*2) down. The edited-in second "ether2" (*3,
      // disabled) repeats a name, so its series are duplicates (dropped); {} gives nothing.
      ...iface('ether1', 1, 0, { 'rx-byte': '194632346152', 'tx-byte': '15355309685', 'rx-packet': '144047662', 'tx-packet': '56850710' }),
      ...iface('ether2', 0, 0, { 'rx-byte': '0', 'tx-byte': '0', 'rx-packet': '0', 'tx-packet': '0' }),
      // interface_wireless_registration.json: two stations; the sanitised MACs are the
      // same, so the second station (*110) is a duplicate of the first (*43).
      'mikrotik_wireless_clients 2',
      `mikrotik_wireless_client_signal_strength_dbm{${client}} -62`,
      `mikrotik_wireless_client_signal_to_noise_db{${client}} 45`,
      `mikrotik_wireless_client_tx_ccq_ratio{${client}} ${89 * 0.01}`,
      `mikrotik_wireless_client_uptime_seconds{${client}} ${6 * 86400 + 4 * 3600 + 45 * 60 + 3}`,
      `mikrotik_wireless_client_transmit_bytes_total{${client}} 5919271457`,
      `mikrotik_wireless_client_receive_bytes_total{${client}} 2570329671`,
      // ip_dhcp_server_lease.json: two leases, both bound
      'mikrotik_dhcp_leases{status="bound"} 2',
      'mikrotik_dhcp_leases{status="waiting"} 0',
      'mikrotik_dhcp_leases{status="offered"} 0',
      'mikrotik_dhcp_leases{status="testing"} 0',
      'mikrotik_dhcp_leases{status="authorizing"} 0',
      'mikrotik_dhcp_leases{status="busy"} 0',
    ]));
    // 12 interface series of the second ether2, 6 of the second station.
    expect(r.series.get('probe_duplicate_series_dropped')).toBe(18);
    expect(r.series.get('probe_mapping_errors')).toBe(0);
  });

  it('sends basic credentials; without them RouterOS answers 401 and the probe fails', async () => {
    const spec = guarded('mikrotik-hap-ac2', (req) => req.headers.authorization === basicAuth('monitor', SECRETS.routeros), (req, res) => {
      res.setHeader('www-authenticate', 'Basic realm="RouterOS"');
      send(res, req, 401, '{"error":401,"message":"Unauthorized"}');
    });
    await withDevice(spec, async (device) => {
      const none = await probeWith(exporter, { module: 'mikrotik', target: device.url });
      expect(none.series.get('probe_success')).toBe(0);
      expect(none.series.get('probe_http_status_code{request="resource"}')).toBe(401);
      expect(none.lines).toEqual([]);
      const basic = await probeWith(withAuths, { module: 'mikrotik', target: device.url, auth: 'mikrotik' });
      expect(basic.series.get('probe_success')).toBe(1);
      expect(basic.lines).toContain(`mikrotik_uptime_seconds ${7 * 86400 + 3600 + 10 * 60 + 14}`);
    });
  });
});

describe('unifi and unifi_os modules', () => {
  // device_metrics.json: the U6-Lite "My device" (sanitised MAC 1:1:1:1:1:1); its radios
  // ra0 (2.4 GHz, "ng") and rai0 (5 GHz, "na"); its SSIDs "My network" as VAPs ra0 and rai1.
  const dev = 'device="My device",mac="1:1:1:1:1:1"';
  const ra0 = `band="ng",${dev},radio="ra0"`;
  const rai0 = `band="na",${dev},radio="rai0"`;
  const vap0 = `${dev.replace(',', ',essid="My network",')},radio="ra0",vap="ra0"`;
  const vap1 = `${dev.replace(',', ',essid="My network",')},radio="rai0",vap="rai1"`;
  const expected = [
    // client_metrics.json: one client (the capture was trimmed to one entry)
    'unifi_site_clients{site="default"} 1',
    'unifi_device_info{device="My device",mac="1:1:1:1:1:1",model="UAL6",site="default",type="uap",version="6.0.19.13671"} 1',
    `unifi_device_state{${dev}} 1`,
    `unifi_device_adopted{${dev}} 1`,
    `unifi_device_upgradable{${dev}} 0`,
    `unifi_device_uptime_seconds{${dev}} 577775`,
    // sys_stats: load averages and memory, the load averages as strings
    `unifi_device_load1{${dev}} 0.55`,
    `unifi_device_load5{${dev}} 0.56`,
    `unifi_device_load15{${dev}} 0.58`,
    `unifi_device_memory_used_bytes{${dev}} 82505728`,
    `unifi_device_memory_size_bytes{${dev}} 259833856`,
    // system-stats.cpu "3.4" (%)
    `unifi_device_cpu_usage_ratio{${dev}} ${3.4 * 0.01}`,
    // user-num_sta 4, guest-num_sta 0; satisfaction 95
    `unifi_device_clients{${dev},network="user"} 4`,
    `unifi_device_clients{${dev},network="guest"} 0`,
    `unifi_device_satisfaction_ratio{${dev}} ${95 * 0.01}`,
    // uplink: wired eth0 at 100 Mbit/s
    `unifi_device_uplink_up{${dev}} 1`,
    `unifi_device_uplink_speed_bytes{${dev}} ${100 * 125000}`,
    `unifi_device_uplink_receive_bytes_total{${dev}} 14722767279`,
    `unifi_device_uplink_transmit_bytes_total{${dev}} 1151258249`,
    `unifi_device_uplink_receive_packets_total{${dev}} 13364374`,
    `unifi_device_uplink_transmit_packets_total{${dev}} 3904033`,
    `unifi_device_uplink_receive_errors_total{${dev}} 1`,
    `unifi_device_uplink_transmit_errors_total{${dev}} 0`,
    `unifi_device_uplink_receive_drops_total{${dev}} 0`,
    `unifi_device_uplink_transmit_drops_total{${dev}} 0`,
    // radio_table_stats: ra0 on channel 11 at 17 dBm without clients (satisfaction -1:
    // no series), rai0 on channel 44 at 20 dBm with 4 clients at 95
    `unifi_radio_channel{${ra0}} 11`,
    `unifi_radio_channel{${rai0}} 44`,
    `unifi_radio_transmit_power_dbm{${ra0}} 17`,
    `unifi_radio_transmit_power_dbm{${rai0}} 20`,
    `unifi_radio_channel_utilization_ratio{${ra0}} ${2 * 0.01}`,
    `unifi_radio_channel_utilization_ratio{${rai0}} ${2 * 0.01}`,
    `unifi_radio_clients{${ra0}} 0`,
    `unifi_radio_clients{${rai0}} 4`,
    `unifi_radio_satisfaction_ratio{${rai0}} ${95 * 0.01}`,
    // vap_table: rai1 with 4 clients averaging -72 dBm; ra0 empty (its average signal 0
    // and satisfaction -1 are no readings: no series)
    `unifi_vap_clients{${vap0}} 0`,
    `unifi_vap_clients{${vap1}} 4`,
    `unifi_vap_client_signal_dbm{${vap1}} -72`,
    `unifi_vap_satisfaction_ratio{${vap1}} ${95 * 0.01}`,
    `unifi_vap_receive_bytes_total{${vap0}} 0`,
    `unifi_vap_receive_bytes_total{${vap1}} 895056402`,
    `unifi_vap_transmit_bytes_total{${vap0}} 0`,
    `unifi_vap_transmit_bytes_total{${vap1}} 1531247728`,
  ];

  it('unifi: a U6-Lite of site default, its radios and SSIDs, and the site\'s client count', async () => {
    const r = await probe('unifi-controller');
    expect(r.series.get('probe_success')).toBe(1);
    expect(sorted(r.hits)).toEqual(['/api/s/default/stat/device', '/api/s/default/stat/sta']);
    expect(sorted(r.deviceLines)).toEqual(sorted(expected));
    // No series per client: the one client's MAC, IP and name appear nowhere.
    expect(r.text).not.toContain('11:11:11:11:11:11');
  });

  it('unifi_os: the same series from the Network application under /proxy/network', async () => {
    const r = await probe('unifi-os-console');
    expect(r.series.get('probe_success')).toBe(1);
    expect(sorted(r.hits)).toEqual(['/proxy/network/api/s/default/stat/device', '/proxy/network/api/s/default/stat/sta']);
    expect(sorted(r.deviceLines)).toEqual(sorted(expected));
  });

  it('reads another site with &site=', async () => {
    await withDevice(catalogDevice('unifi-controller'), async (device) => {
      const r = await probeWith(exporter, { module: 'unifi', target: device.url, site: 'branch1' });
      expect(sorted(device.hits)).toEqual(['/api/s/branch1/stat/device', '/api/s/branch1/stat/sta']);
      // This controller has no such site: 404, no series.
      expect(r.series.get('probe_success')).toBe(0);
    });
  });

  // The controller's session: POST the credentials as JSON, get a cookie, send it back.
  // Without it the controller answers 401 api.err.LoginRequired.
  function sessionController(catalogName: string, loginPath: string, cookie: string): { spec: DeviceSpec; logins: () => number } {
    const token = `tok-${cookie}-${Date.now()}`;
    let logins = 0;
    const loginRequired = '{"meta":{"rc":"error","msg":"api.err.LoginRequired"},"data":[]}';
    const spec = guarded(catalogName, (req) => (req.headers.cookie ?? '').split(/;\s*/).includes(`${cookie}=${token}`), (req, res) => send(res, req, 401, loginRequired), [], {
      [loginPath]: (req, res) => {
        void readBody(req).then((body) => {
          const creds = JSON.parse(body || '{}') as { username?: string; password?: string };
          if (req.method !== 'POST' || creds.username !== 'monitor' || creds.password !== SECRETS.unifi) return send(res, req, 400, '{"meta":{"rc":"error","msg":"api.err.Invalid"},"data":[]}');
          logins++;
          res.setHeader('set-cookie', [`csrf_token=c5rf; Path=/; Secure`, `${cookie}=${token}; Path=/; Secure; HttpOnly`]);
          send(res, req, 200, '{"meta":{"rc":"ok"},"data":[]}');
        });
      },
    });
    return { spec, logins: () => logins };
  }

  it('unifi: logs in at /api/login (cookie unifises) once; without a session the controller answers 401', async () => {
    const c = sessionController('unifi-controller', '/api/login', 'unifises');
    await withDevice(c.spec, async (device) => {
      const none = await probeWith(exporter, { module: 'unifi', target: device.url });
      expect(none.series.get('probe_success')).toBe(0);
      expect(none.series.get('probe_http_status_code{request="devices"}')).toBe(401);
      expect(none.lines).toEqual([]);
      for (let i = 0; i < 2; i++) {
        const r = await probeWith(withAuths, { module: 'unifi', target: device.url, auth: 'unifi' });
        expect(r.series.get('probe_success')).toBe(1);
        expect(sorted(r.lines)).toEqual(sorted(expected));
      }
      expect(c.logins()).toBe(1);
    });
  });

  it('unifi_os: logs in at /api/auth/login (cookie TOKEN)', async () => {
    const c = sessionController('unifi-os-console', '/api/auth/login', 'TOKEN');
    await withDevice(c.spec, async (device) => {
      const none = await probeWith(exporter, { module: 'unifi_os', target: device.url });
      expect(none.series.get('probe_http_status_code{request="devices"}')).toBe(401);
      const r = await probeWith(withAuths, { module: 'unifi_os', target: device.url, auth: 'unifi_os' });
      expect(r.series.get('probe_success')).toBe(1);
      expect(sorted(r.lines)).toEqual(sorted(expected));
      expect(c.logins()).toBe(1);
    });
  });
});

describe('shelly and shelly_gen2 modules', () => {
  it('shelly: a Gen1 Plug S (/shelly and /status)', async () => {
    const r = await probe('shelly-plug-s');
    expect(r.series.get('probe_success')).toBe(1);
    expect(sorted(r.hits)).toEqual(['/shelly', '/status']);
    expect(sorted(r.deviceLines)).toEqual(sorted([
      // shelly: type SHPLG-S, firmware 1.14.0, no password
      'shelly_device_info{firmware="20230913-113421/v1.14.0-gcb84623",mac="AABBCCDDEEFF",name="Test Name",type="SHPLG-S"} 1',
      'shelly_auth_enabled 0',
      // status
      'shelly_uptime_seconds 2589909',
      'shelly_memory_free_bytes 40428',
      'shelly_memory_size_bytes 52056',
      'shelly_filesystem_free_bytes 166915',
      'shelly_filesystem_size_bytes 233681',
      'shelly_wifi_rssi_dbm -76',
      'shelly_cloud_connected 0',
      'shelly_mqtt_connected 0',
      'shelly_update_available 0',
      'shelly_temperature_celsius{component="device"} 24.14',
      'shelly_overtemperature 0',
      // relay 0 off; meter 0: 0 W, total 2632 watt-minutes
      'shelly_output_on{component="relay:0"} 0',
      'shelly_overpower{component="relay:0"} 0',
      'shelly_power_watts{component="meter:0"} 0',
      `shelly_energy_joules_total{component="meter:0"} ${2632 * 60}`,
    ]));
  });

  it('shelly_gen2: a Plus Plug S (switch:0 on, metering, its temperature; a beta update offered)', async () => {
    const r = await probe('shelly-plus-plug-s');
    expect(r.series.get('probe_success')).toBe(1);
    expect(sorted(r.hits)).toEqual(['/rpc/Shelly.GetStatus', '/shelly']);
    expect(sorted(r.deviceLines)).toEqual(sorted([
      'shelly_device_info{app="PlusPlugS",firmware="20231219-134003/1.1.0-g34b5d4f",generation="2",id="shellyplusplugs-aabbccddeeff",mac="AABBCCDDEEFF",name="Test Name",type="SNPL-00112EU"} 1',
      'shelly_auth_enabled 0',
      'shelly_uptime_seconds 4319353',
      'shelly_memory_free_bytes 141748',
      'shelly_memory_size_bytes 246084',
      'shelly_filesystem_free_bytes 139264',
      'shelly_filesystem_size_bytes 458752',
      'shelly_restart_required 0',
      'shelly_update_info{channel="beta",version="1.2.0-beta1"} 1',
      'shelly_wifi_rssi_dbm -53',
      'shelly_cloud_connected 1',
      'shelly_mqtt_connected 0',
      'shelly_temperature_celsius{component="switch:0"} 32.1',
      'shelly_output_on{component="switch:0"} 1',
      'shelly_power_watts{component="switch:0"} 2.7',
      'shelly_voltage_volts{component="switch:0"} 227.9',
      'shelly_current_amperes{component="switch:0"} 0.121',
      `shelly_energy_joules_total{component="switch:0"} ${7258.589 * 3600}`,
    ]));
  });

  it('shelly_gen2: a Pro 3EM (em:0 per phase and in total, emdata:0 energies; on Ethernet: no Wi-Fi signal)', async () => {
    const r = await probe('shelly-pro-3em');
    expect(r.series.get('probe_success')).toBe(1);
    const em = 'component="em:0"';
    const ed = 'component="emdata:0"';
    const phases = (name: string, a: number, b: number, c: number, scale = 1, comp = em) => [
      `${name}{${comp},phase="a"} ${scale === 1 ? a : a * scale}`,
      `${name}{${comp},phase="b"} ${scale === 1 ? b : b * scale}`,
      `${name}{${comp},phase="c"} ${scale === 1 ? c : c * scale}`,
    ];
    expect(sorted(r.deviceLines)).toEqual(sorted([
      'shelly_device_info{app="Pro3EM",firmware="20231219-134001/1.1.0-g34b5d4f",generation="2",id="shellypro3em-aabbccddeeff",mac="AABBCCDDEEFF",name="Test Name",profile="triphase",type="SPEM-003CEBEU"} 1',
      'shelly_auth_enabled 0',
      'shelly_uptime_seconds 2085615',
      'shelly_memory_free_bytes 125084',
      'shelly_memory_size_bytes 241568',
      'shelly_filesystem_free_bytes 184320',
      'shelly_filesystem_size_bytes 524288',
      'shelly_restart_required 0',
      'shelly_update_info{channel="beta",version="1.2.0-beta1"} 1',
      'shelly_cloud_connected 1',
      'shelly_mqtt_connected 0',
      'shelly_temperature_celsius{component="temperature:0"} 46.6',
      // em:0 totals (n_current null: no series)
      `shelly_power_watts{${em}} 558.965`,
      `shelly_current_amperes{${em}} 3.856`,
      `shelly_apparent_power_voltamperes{${em}} 882.413`,
      ...phases('shelly_phase_power_watts', 375.5, 170.8, 12.7),
      ...phases('shelly_phase_apparent_power_voltamperes', 547.4, 237.2, 97.8),
      ...phases('shelly_phase_voltage_volts', 229.0, 229.0, 229.2),
      ...phases('shelly_phase_current_amperes', 2.392, 1.037, 0.428),
      ...phases('shelly_phase_power_factor', 0.76, 0.78, 0.53),
      ...phases('shelly_phase_frequency_hertz', 50.0, 50.0, 50.0),
      // emdata:0, Wh → J
      `shelly_energy_joules_total{${ed}} ${2589773.39 * 3600}`,
      `shelly_returned_energy_joules_total{${ed}} ${1026.61 * 3600}`,
      ...phases('shelly_phase_energy_joules_total', 2034616.71, 185686.89, 369469.8, 3600, ed),
      ...phases('shelly_phase_returned_energy_joules_total', 0.0, 40.7, 985.91, 3600, ed),
    ]));
  });

  it('shelly_gen2 with a password: digest SHA-256 on the RPC calls; without credentials 401 and the probe fails', async () => {
    const digest = shellyDigest('shellyplusplugs-aabbccddeeff', SECRETS.shelly);
    const spec = guarded('shelly-plus-plug-s', digest.allowed, digest.refuse, ['/shelly']);
    await withDevice(spec, async (device) => {
      const none = await probeWith(exporter, { module: 'shelly_gen2', target: device.url });
      expect(none.series.get('probe_success')).toBe(0);
      expect(none.series.get('probe_http_status_code{request="status"}')).toBe(401);
      // /shelly needs no credentials: the identity is still there.
      expect(none.lines).toEqual([
        'shelly_auth_enabled 0',
        'shelly_device_info{app="PlusPlugS",firmware="20231219-134003/1.1.0-g34b5d4f",generation="2",id="shellyplusplugs-aabbccddeeff",mac="AABBCCDDEEFF",name="Test Name",type="SNPL-00112EU"} 1',
      ]);
      const r = await probeWith(withAuths, { module: 'shelly_gen2', target: device.url, auth: 'shelly' });
      expect(r.series.get('probe_success')).toBe(1);
      expect(r.lines).toContain('shelly_power_watts{component="switch:0"} 2.7');
    });
  });
});

describe('tasmota module', () => {
  it('a Sonoff NSPanel on Tasmota 14.4.1: Status 0 in one request', async () => {
    const r = await probe('tasmota-nspanel');
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.hits).toEqual(['/cm?user=admin&cmnd=Status%200']);
    expect(sorted(r.deviceLines)).toEqual(sorted([
      'tasmota_device_info{core="3_1_0",device_name="NSPanel 4 Test",hardware="ESP32-D0WD-V3 v3.1",hostname="ns-panel4-0112",mac="A0:B7:A5:54:C0:71",topic="ns_panel4",version="14.4.1(release-nspanel)"} 1',
      'tasmota_restart_info{reason="Vbat power on reset"} 1',
      'tasmota_uptime_seconds 448',
      'tasmota_boots_total 59',
      `tasmota_heap_free_bytes ${146 * 1024}`,
      'tasmota_mqtt_connections_total 1',
      'tasmota_wifi_signal_dbm -77',
      `tasmota_wifi_quality_ratio ${46 * 0.01}`,
      'tasmota_wifi_channel 7',
      'tasmota_wifi_connections_total 1',
      // POWER1 and POWER2 both OFF
      'tasmota_relay_on{relay="POWER1"} 0',
      'tasmota_relay_on{relay="POWER2"} 0',
      // StatusSNS: ANALOG Temperature1 -3.2, TempUnit C
      'tasmota_temperature_celsius{sensor="ANALOG"} -3.2',
    ]));
  });

  it('with a web password: sends it in the query; without it Tasmota answers a warning and the probe fails', async () => {
    // Tasmota's answer to /cm without the right user and password: HTTP 200, a JSON warning.
    const warning = '{"WARNING":"Need user=<username>&password=<password>"}';
    const spec = guarded('tasmota-nspanel', (req) => {
      const q = new URL(req.url!, 'http://x').searchParams;
      return q.get('user') === 'admin' && q.get('password') === SECRETS.tasmota;
    }, (req, res) => send(res, req, 200, warning));
    await withDevice(spec, async (device) => {
      const none = await probeWith(exporter, { module: 'tasmota', target: device.url });
      expect(none.series.get('probe_success')).toBe(0);
      expect(none.series.get('probe_http_status_code{request="status"}')).toBe(200);
      expect(none.series.get('probe_mapping_errors')).toBe(1);
      expect(none.lines).toEqual([]);
      const r = await probeWith(withAuths, { module: 'tasmota', target: device.url, auth: 'tasmota' });
      expect(r.series.get('probe_success')).toBe(1);
      expect(r.lines).toContain('tasmota_uptime_seconds 448');
      expect(device.hits.at(-1)).toBe(`/cm?user=admin&cmnd=Status%200&password=${SECRETS.tasmota}`);
    });
  });
});

describe('jenkins module', () => {
  /** The seven series of a job: its last result among five, building, disabled. */
  const job = (name: string, result: string | undefined, building: 0 | 1, disabled: 0 | 1) => [
    ...['success', 'unstable', 'failure', 'aborted', 'not_built'].map((r) => `jenkins_job_last_build_result{jenkins_job="${name}",result="${r}"} ${r === result ? 1 : 0}`),
    `jenkins_job_building{jenkins_job="${name}"} ${building}`,
    `jenkins_job_disabled{jenkins_job="${name}"} ${disabled}`,
  ];
  /** A node whose monitors report nothing (offline): response time 5000 ms only. */
  const offlineNode = (name: string, executors: number) => [
    `jenkins_node_info{node="${name}"} 1`,
    `jenkins_node_offline{node="${name}"} 1`,
    `jenkins_node_temporarily_offline{node="${name}"} 0`,
    `jenkins_node_executors{node="${name}"} ${executors}`,
    `jenkins_node_response_time_seconds{node="${name}"} ${5000 * 0.001}`,
  ];
  const onlineNode = (name: string, arch: string, executors: number, m: { disk: number; temp: number; mem: [number, number]; swap: [number, number]; response: number; clock: number }) => [
    `jenkins_node_info{architecture="${arch}",node="${name}"} 1`,
    `jenkins_node_offline{node="${name}"} 0`,
    `jenkins_node_temporarily_offline{node="${name}"} 0`,
    `jenkins_node_executors{node="${name}"} ${executors}`,
    `jenkins_node_disk_free_bytes{node="${name}"} ${m.disk}`,
    `jenkins_node_temp_free_bytes{node="${name}"} ${m.temp}`,
    `jenkins_node_memory_available_bytes{node="${name}"} ${m.mem[0]}`,
    `jenkins_node_memory_size_bytes{node="${name}"} ${m.mem[1]}`,
    `jenkins_node_swap_available_bytes{node="${name}"} ${m.swap[0]}`,
    `jenkins_node_swap_size_bytes{node="${name}"} ${m.swap[1]}`,
    `jenkins_node_response_time_seconds{node="${name}"} ${m.response * 0.001}`,
    `jenkins_node_clock_difference_seconds{node="${name}"} ${m.clock * 0.001}`,
  ];

  it('jobs by colour, nodes and executors, the queue', async () => {
    const r = await probe('jenkins');
    expect(r.series.get('probe_success')).toBe(1);
    expect(sorted(r.hits)).toEqual(['/api/json', '/computer/api/json', '/queue/api/json']);
    expect(sorted(r.deviceLines)).toEqual(sorted([
      // jobs.json: not quieting down; 8 jobs, 5 blue (last build successful), 3 disabled
      'jenkins_quieting_down 0',
      'jenkins_jobs 8',
      ...job('cicloud_git', 'success', 0, 0),
      ...job('DTS', 'success', 0, 0),
      ...job('easy_plm', 'success', 0, 0),
      ...job('summary', 'success', 0, 0),
      ...job('VMP', 'success', 0, 0),
      ...job('WeCI', undefined, 0, 1),
      ...job('WeCIWeb', undefined, 0, 1),
      ...job('WeCIWeb_copy', undefined, 0, 1),
      // computer.json: 5 executors online, 1 busy
      'jenkins_executors 5',
      'jenkins_executors_busy 1',
      ...onlineNode('master', 'Linux (amd64)', 2, { disk: 13811769344, temp: 602546176, mem: [296132608, 4129214464], swap: [384086016, 501702656], response: 0, clock: 0 }),
      ...offlineNode('alpine-i686', 1),
      ...offlineNode('arm-greg', 2),
      ...offlineNode('i686-epian533-greg', 1),
      ...offlineNode('macos-giles', 2),
      ...offlineNode('osx-ppc-greg', 2),
      ...offlineNode('solaris-greg', 2),
      ...onlineNode('thomas-armv7', 'Linux (arm)', 1, { disk: 11712028672, temp: 483831808, mem: [16617472, 967942144], swap: [0, 0], response: 241, clock: -51 }),
      ...onlineNode('thomas-armv8', 'Linux (aarch64)', 1, { disk: 25846784000, temp: 460984320, mem: [48705536, 922046464], swap: [0, 0], response: 283, clock: 4 }),
      ...onlineNode('thomas-mips', 'Linux (mips)', 1, { disk: 5367590912, temp: 5367590912, mem: [11415552, 128274432], swap: [0, 0], response: 3006, clock: -314 }),
      // queue.json: two waiting builds
      'jenkins_queue_items 2',
    ]));
  });

  it('reads a Jenkins under a context path with &prefix=', async () => {
    const spec = catalogDevice('jenkins');
    const routes = Object.fromEntries(Object.entries(spec.routes!).map(([p, f]) => [`/jenkins${p}`, f]));
    await withDevice({ ...spec, routes }, async (device) => {
      const r = await probeWith(exporter, { module: 'jenkins', target: device.url, prefix: 'jenkins/' });
      expect(r.series.get('probe_success')).toBe(1);
      expect(sorted(device.hits)).toEqual(['/jenkins/api/json', '/jenkins/computer/api/json', '/jenkins/queue/api/json']);
      expect(r.lines).toContain('jenkins_queue_items 2');
    });
  });

  it('with security on, sends the user and API token as basic credentials; anonymous gets 403 and the probe fails', async () => {
    const spec = guarded('jenkins', (req) => req.headers.authorization === basicAuth('monitor', SECRETS.jenkins), (req, res) => {
      res.setHeader('x-you-are-authenticated-as', 'anonymous');
      send(res, req, 403, '<html><body>Authentication required</body></html>', 'text/html;charset=utf-8');
    });
    await withDevice(spec, async (device) => {
      const none = await probeWith(exporter, { module: 'jenkins', target: device.url });
      expect(none.series.get('probe_success')).toBe(0);
      expect(none.series.get('probe_http_status_code{request="jobs"}')).toBe(403);
      expect(none.lines).toEqual([]);
      const r = await probeWith(withAuths, { module: 'jenkins', target: device.url, auth: 'jenkins' });
      expect(r.series.get('probe_success')).toBe(1);
      expect(r.lines).toContain('jenkins_executors_busy 1');
    });
  });
});

describe('traefik module', () => {
  const objects = (name: string, values: Record<string, [number, number, number]>) =>
    Object.entries(values).flatMap(([protocol, [m, r, sv]]) => [
      `${name}{kind="middlewares",protocol="${protocol}"} ${m}`,
      `${name}{kind="routers",protocol="${protocol}"} ${r}`,
      `${name}{kind="services",protocol="${protocol}"} ${sv}`,
    ]);
  const states = ['enabled', 'warning', 'disabled'];
  const expected = [
    // overview-dynamic.json: totals, warnings, errors of middlewares, routers, services
    'traefik_features_info{access_log="false",hub="false"} 1',
    ...objects('traefik_config_objects', { http: [3, 3, 3], tcp: [3, 3, 3], udp: [3, 0, 0] }),
    ...objects('traefik_config_warnings', { http: [0, 1, 1], tcp: [0, 1, 1], udp: [0, 0, 0] }),
    ...objects('traefik_config_errors', { http: [1, 1, 1], tcp: [1, 1, 1], udp: [1, 0, 0] }),
    // routers.json: two enabled routers to foo-service
    'traefik_router_info{provider="myprovider",router="bar@myprovider",rule="Host(`foo.bar`)",service="foo-service@myprovider"} 1',
    'traefik_router_info{provider="myprovider",router="test@myprovider",rule="Host(`foo.bar.other`)",service="foo-service@myprovider"} 1',
    ...stateset('traefik_router_status', 'router="bar@myprovider"', states, 'enabled'),
    ...stateset('traefik_router_status', 'router="test@myprovider"', states, 'enabled'),
    // services.json: two services with one server each, both UP; no status, no type
    'traefik_service_info{provider="myprovider",service="bar@myprovider"} 1',
    'traefik_service_info{provider="myprovider",service="baz@myprovider"} 1',
    'traefik_service_servers{service="bar@myprovider"} 1',
    'traefik_service_servers{service="baz@myprovider"} 1',
  ];

  it('the overview by protocol and kind, the HTTP routers, the services and their servers', async () => {
    const r = await probe('traefik');
    expect(r.series.get('probe_success')).toBe(1);
    expect(sorted(r.hits)).toEqual(['/api/http/routers?per_page=1000', '/api/http/services?per_page=1000', '/api/overview']);
    expect(sorted(r.deviceLines)).toEqual(sorted([
      ...expected,
      ...stateset('traefik_service_server_status', 'service="bar@myprovider",url="http://127.0.0.1"', ['UP', 'DOWN'], 'UP'),
      ...stateset('traefik_service_server_status', 'service="baz@myprovider",url="http://127.0.0.2"', ['UP', 'DOWN'], 'UP'),
    ]));
  });

  it('a server DOWN (health check failing) shows in its stateset; the probe still succeeds', async () => {
    // services.json with baz's one server reported DOWN, as Traefik reports a server
    // whose health check fails. Edited here, for this test only.
    const services = readFileSync(path.join(FIXTURES, 'traefik/services.json'), 'utf8');
    const down = services.replace('"http://127.0.0.2": "UP"', '"http://127.0.0.2": "DOWN"');
    expect(down).not.toBe(services);
    const spec = catalogDevice('traefik');
    await withDevice({ ...spec, routes: { ...spec.routes, '/api/http/services': (req, res) => send(res, req, 200, down) } }, async (device) => {
      const r = await probeWith(exporter, { module: 'traefik', target: device.url });
      expect(r.series.get('probe_success')).toBe(1);
      expect(sorted(r.lines)).toEqual(sorted([
        ...expected,
        ...stateset('traefik_service_server_status', 'service="bar@myprovider",url="http://127.0.0.1"', ['UP', 'DOWN'], 'UP'),
        ...stateset('traefik_service_server_status', 'service="baz@myprovider",url="http://127.0.0.2"', ['UP', 'DOWN'], 'DOWN'),
      ]));
    });
  });

  it('without the API (not enabled: 404) the probe fails', async () => {
    await withDevice({ name: 'no-api', routes: {} }, async (device) => {
      const r = await probeWith(exporter, { module: 'traefik', target: device.url });
      expect(r.series.get('probe_success')).toBe(0);
      expect(r.series.get('probe_http_status_code{request="overview"}')).toBe(404);
      expect(r.lines).toEqual([]);
    });
  });
});

describe('promtool check metrics', () => {
  for (const d of FLEET_CATALOG) {
    it(`finds nothing to report in /probe?module=${d.module} against ${d.name}`, async (ctx) => {
      promtool.skipIfMissing(ctx);
      const r = await probe(d.name);
      expect(r.series.get('probe_success')).toBe(1);
      expect(await checkMetrics(r.text)).toEqual({ code: 0, lines: [] });
    });
  }
});
