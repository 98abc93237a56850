// The TCP modules (modules/{nut,apcupsd,memcached,zookeeper,redis}.yml) probed through
// the real exporter, its shipped module files and the `tcp` protocol, against simulated
// devices speaking the real protocols on real captures (test/sim/tcp/devices.ts). Every
// expected line was written from the fixture by hand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseSeries, ROOT, startExporter, type TestExporter } from '../helpers/exporter.js';
import { checkMetrics, promtool } from '../helpers/promtool.js';
import { opensslSpkiPin, selfSigned } from '../helpers/tls.js';
import { expiryOf } from '../helpers/tls-device.js';
import { CATALOG } from '../sim/catalog/index.js';
import { TCP_CATALOG } from '../sim/catalog/tcp.js';
import { apcupsd, haproxySocket, memcached, nutVariables, redis, upsd, zookeeper, type SimDevice } from '../sim/tcp/devices.js';

let exporter: TestExporter;
beforeAll(async () => {
  exporter = await startExporter({
    configYaml: stringify({
      include: ['nut', 'apcupsd', 'memcached', 'zookeeper', 'redis', 'haproxy'].map((m) => path.join(ROOT, 'modules', `${m}.yml`)),
      auths: {
        upsmon: { basic: { username: 'monuser', password: 'pw' } },
        redis: { basic: { username: 'default', password: 'pw' } },
        token: { bearer: { token: 't' } },
      },
    }),
  });
});
afterAll(async () => {
  await exporter.close();
});

/**
 * Probes the module on the simulated device (target 127.0.0.1:<port>); the series a probe
 * must always have are checked here, the device's series (not probe_*) returned.
 */
async function probeModule(name: string, device: SimDevice, credentials?: { username: string; password: string }, extra: Record<string, string> = {}): Promise<{ lines: string[]; text: string; series: Map<string, number> }> {
  const auth: Record<string, string> = credentials === undefined ? {} : { auth: name === 'redis' ? 'redis' : 'upsmon' };
  const res = await exporter.probe({ module: name, target: `127.0.0.1:${device.port}`, ...auth, ...extra });
  expect(res.status).toBe(200);
  const series = parseSeries(res.text);
  expect(series.get('probe_success'), res.text).toBe(1);
  expect(series.get('probe_mapping_errors')).toBe(0);
  const request = [...series.keys()].find((k) => k.startsWith('probe_request_success{'))!;
  expect(series.get(request)).toBe(1);
  expect(series.get(request.replace('probe_request_success', 'probe_response_bytes'))).toBeGreaterThan(0);
  // An HTTP status means nothing to a TCP answer.
  expect(res.text).not.toContain('probe_http_status_code');
  if (promtool.path) expect(await checkMetrics(res.text)).toEqual({ code: 0, lines: [] });
  const lines = res.text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('probe_'));
  return { lines, text: res.text, series };
}

const devices: SimDevice[] = [];
async function sim(d: Promise<SimDevice>): Promise<SimDevice> {
  const device = await d;
  devices.push(device);
  return device;
}
afterAll(async () => {
  await Promise.all(devices.map((d) => d.close()));
});

const flags = (set: string[]): string[] =>
  ['ALARM', 'BOOST', 'BYPASS', 'CAL', 'CHRG', 'DISCHRG', 'FSD', 'HB', 'LB', 'OB', 'OFF', 'OL', 'OVER', 'RB', 'TEST', 'TRIM']
    .map((f) => `nut_ups_status{nut_ups_status="${f}"} ${set.includes(f) ? 1 : 0}`);

describe('nut module (upsd LIST VAR, nut format)', () => {
  it('CyberPower CP1500PFCLCD (Home Assistant capture): on line', async () => {
    const d = await sim(upsd({ upses: { ups: { vars: nutVariables('nut/homeassistant-CP1500PFCLCD.json') } } }));
    const { lines } = await probeModule('nut', d);
    expect(lines).toEqual([
      'nut_battery_charge_low_ratio 0.1',
      'nut_battery_charge_ratio 1',
      'nut_battery_runtime_low_seconds 300',
      'nut_battery_runtime_seconds 10530',
      'nut_battery_voltage_nominal_volts 24',
      'nut_battery_voltage_volts 24',
      'nut_input_transfer_high_volts 139',
      'nut_input_transfer_low_volts 88',
      'nut_input_voltage_nominal_volts 120',
      'nut_input_voltage_volts 122',
      'nut_output_voltage_volts 138',
      'nut_ups_info{driver="usbhid-ups",driver_version="2.7.4",manufacturer="CPS",model="CP1500PFCLCD",serial="000000000000"} 1',
      'nut_ups_load_ratio 0',
      'nut_ups_realpower_nominal_watts 900',
      ...flags(['OL']),
    ]);
    expect(d.received).toEqual(['LIST VAR ups', 'LOGOUT']);
  });

  it('Eaton 5E 650i (Home Assistant capture): on line and charging, output frequency', async () => {
    const d = await sim(upsd({ upses: { ups: { vars: nutVariables('nut/homeassistant-5E650I.json') } } }));
    const { lines } = await probeModule('nut', d);
    expect(lines).toEqual([
      'nut_battery_charge_ratio 1',
      'nut_battery_runtime_seconds 1032',
      'nut_input_voltage_volts 239',
      'nut_output_frequency_hertz 49.9',
      'nut_output_voltage_nominal_volts 230',
      'nut_output_voltage_volts 238',
      'nut_ups_info{driver="usbhid-ups",driver_version="DSM6-2-2-24922-broadwell-fmp-repack-24922-190507",firmware="03.08.0018",manufacturer="EATON",model="5E 650i"} 1',
      'nut_ups_load_ratio 0.28',
      'nut_ups_power_nominal_voltamperes 650',
      ...flags(['OL', 'CHRG']),
    ]);
  });

  it('APC Back-UPS ES 600M1 (Home Assistant capture), logging in', async () => {
    const d = await sim(upsd({ upses: { ups: { vars: nutVariables('nut/homeassistant-BACKUPSES600M1.json') } }, users: { monuser: 'pw' } }));
    const { lines } = await probeModule('nut', d, { username: 'monuser', password: 'pw' });
    expect(d.received).toEqual(['USERNAME monuser', 'PASSWORD pw', 'LIST VAR ups', 'LOGOUT']);
    expect(lines).toContain('nut_ups_info{driver="usbhid-ups",driver_version="2.7.4",firmware="928.a5 .D",manufacturer="American Power Conversion",model="Back-UPS ES 600M1",serial="4B1713P32195 "} 1');
    expect(lines).toContain('nut_battery_voltage_volts 13.7');
    expect(lines).toContain('nut_battery_charge_low_ratio 0.1');
    expect(lines).toContain('nut_ups_load_ratio 0.22');
    expect(lines).toContain('nut_battery_runtime_seconds 1968');
  });

  it('Telegraf\'s CyberPower CP900EPFCLCD upsc dump', async () => {
    const d = await sim(upsd({ upses: { ups: { vars: nutVariables('nut-upsc/telegraf-CyberPowerSystems_CP900EPFCLCD-variables.dev') } } }));
    const { lines } = await probeModule('nut', d);
    expect(lines).toContain('nut_battery_runtime_seconds 4020');
    expect(lines).toContain('nut_battery_charge_ratio 1');
    expect(lines.filter((l) => l.startsWith('nut_ups_status') && l.endsWith(' 1'))).toEqual(['nut_ups_status{nut_ups_status="OL"} 1']);
  });
});

describe('apcupsd module (NIS status records, kv format)', () => {
  it('reads Telegraf\'s apcupsd records', async () => {
    const d = await sim(apcupsd());
    const { lines } = await probeModule('apcupsd', d);
    expect(lines).toEqual([
      'apcupsd_battery_cumulative_time_on_seconds_total 85',
      'apcupsd_battery_time_left_seconds 2790',
      'apcupsd_battery_time_on_seconds 0',
      'apcupsd_battery_voltage_nominal_volts 12',
      'apcupsd_info{firmware="857.L3 .I USB FW:L3",hostname="example",model="Model 12345",serial="ABC123",ups_name="BERTHA"} 1',
      'apcupsd_input_voltage_nominal_volts 230',
      'apcupsd_load_ratio 0.13',
      'apcupsd_nominal_power_watts 865',
      'apcupsd_transfers_total 1',
      'apcupsd_ups_status{apcupsd_ups_status="BOOST"} 0',
      'apcupsd_ups_status{apcupsd_ups_status="CAL"} 0',
      'apcupsd_ups_status{apcupsd_ups_status="COMMLOST"} 0',
      'apcupsd_ups_status{apcupsd_ups_status="LOWBATT"} 0',
      'apcupsd_ups_status{apcupsd_ups_status="ONBATT"} 0',
      'apcupsd_ups_status{apcupsd_ups_status="ONLINE"} 1',
      'apcupsd_ups_status{apcupsd_ups_status="OVERLOAD"} 0',
      'apcupsd_ups_status{apcupsd_ups_status="REPLACEBATT"} 0',
      'apcupsd_ups_status{apcupsd_ups_status="SHUTTING_DOWN"} 0',
      'apcupsd_ups_status{apcupsd_ups_status="TRIM"} 0',
    ]);
  });
});

describe('memcached module (stats, regex format)', () => {
  it('reads Telegraf\'s memcached 1.6.14 stats', async () => {
    const d = await sim(memcached());
    const { lines } = await probeModule('memcached', d);
    expect(d.received).toEqual(['stats', 'quit']);
    expect(lines).toEqual([
      'memcached_commands_total{command="decr",status="hit"} 0',
      'memcached_commands_total{command="decr",status="miss"} 0',
      'memcached_commands_total{command="delete",status="hit"} 0',
      'memcached_commands_total{command="delete",status="miss"} 0',
      'memcached_commands_total{command="flush",status="hit"} 0',
      'memcached_commands_total{command="get",status="expired"} 0',
      'memcached_commands_total{command="get",status="hit"} 0',
      'memcached_commands_total{command="get",status="miss"} 0',
      'memcached_commands_total{command="incr",status="hit"} 0',
      'memcached_commands_total{command="incr",status="miss"} 0',
      'memcached_commands_total{command="set",status="hit"} 0',
      'memcached_commands_total{command="touch",status="hit"} 0',
      'memcached_commands_total{command="touch",status="miss"} 0',
      'memcached_connections_rejected_total 0',
      'memcached_connections_total 3',
      'memcached_current_bytes 0',
      'memcached_current_connections 2',
      'memcached_current_items 0',
      'memcached_info{libevent="2.1.11-stable",version="1.6.14_5_ge03751b"} 1',
      'memcached_items_evicted_total 0',
      'memcached_items_reclaimed_total 0',
      'memcached_items_total 0',
      'memcached_limit_bytes 67108864',
      'memcached_max_connections 1024',
      'memcached_process_system_cpu_seconds_total 0.05933',
      'memcached_process_user_cpu_seconds_total 0.080905',
      'memcached_read_bytes_total 6',
      'memcached_threads 4',
      'memcached_uptime_seconds 11',
      'memcached_written_bytes_total 0',
    ]);
  });
});

describe('zookeeper module (mntr, kv format with tabs)', () => {
  it('reads Apache ZooKeeper\'s mntr sample of a 3.4.0 follower', async () => {
    const d = await sim(zookeeper());
    const { lines } = await probeModule('zookeeper', d);
    expect(lines).toEqual([
      'zookeeper_approximate_data_size_bytes 27',
      'zookeeper_ephemeral_znodes 0',
      'zookeeper_info{version="3.4.0--1, built on 06/19/2010 15:07 GMT"} 1',
      'zookeeper_latency_average_seconds 0.001',
      'zookeeper_latency_max_seconds 0.132',
      'zookeeper_latency_min_seconds 0',
      'zookeeper_max_file_descriptors 1024',
      'zookeeper_open_file_descriptors 22',
      'zookeeper_outstanding_requests 0',
      'zookeeper_packets_received_total 640',
      'zookeeper_packets_sent_total 639',
      'zookeeper_server_state{zookeeper_server_state="follower"} 1',
      'zookeeper_server_state{zookeeper_server_state="leader"} 0',
      'zookeeper_server_state{zookeeper_server_state="observer"} 0',
      'zookeeper_server_state{zookeeper_server_state="read-only"} 0',
      'zookeeper_server_state{zookeeper_server_state="standalone"} 0',
      'zookeeper_watches 0',
      'zookeeper_znodes 4',
    ]);
  });
});

describe('redis module (INFO over RESP, kv format)', () => {
  it('reads Telegraf\'s Redis 6.0.9 INFO, logging in with AUTH', async () => {
    const d = await sim(redis({ password: 'pw' }));
    const { lines } = await probeModule('redis', d, { username: 'default', password: 'pw' });
    expect(d.received).toEqual(['AUTH default pw', 'INFO', 'QUIT']);
    expect(lines).toEqual([
      'redis_blocked_clients 0',
      'redis_commands_processed_total 1',
      'redis_connected_clients 1',
      'redis_connected_replicas 2',
      'redis_connections_received_total 2',
      'redis_connections_rejected_total 0',
      'redis_cpu_sys_seconds_total 0.14',
      'redis_cpu_user_seconds_total 0.05',
      'redis_db_keys{db="db0"} 2',
      'redis_db_keys_expiring{db="db0"} 0',
      'redis_info{mode="standalone",role="master",version="6.0.9"} 1',
      'redis_keys_evicted_total 0',
      'redis_keys_expired_total 0',
      'redis_keyspace_hits_total 1',
      'redis_keyspace_misses_total 1',
      'redis_memory_fragmentation_ratio 0.81',
      'redis_memory_max_bytes 0',
      'redis_memory_used_bytes 1003936',
      'redis_memory_used_peak_bytes 1003936',
      'redis_memory_used_rss_bytes 811008',
      'redis_net_input_bytes_total 381',
      'redis_net_output_bytes_total 71521',
      'redis_rdb_changes_since_last_save 0',
      'redis_rdb_last_save_timestamp_seconds 1428427941',
      'redis_uptime_seconds 238',
    ]);
  });
});

describe('the tcp protocol through the exporter', () => {
  const ups = (): Array<[string, string]> => nutVariables('nut/homeassistant-CP1500PFCLCD.json');

  it('a device refusing the request (ERR UNKNOWN-UPS) is probe_success 0, with its words in the log', async () => {
    const d = await sim(upsd({ upses: { ups: { vars: ups() } } }));
    const res = await exporter.probe({ module: 'nut', target: `127.0.0.1:${d.port}`, ups: 'other', debug: 'true' });
    expect(res.status).toBe(200);
    const series = parseSeries(res.text);
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="vars"}')).toBe(0);
    expect(res.text).toMatch(/vars: tcp 127\.0\.0\.1:\d+ LIST VAR other: .*ERR UNKNOWN-UPS.*\(tcp read\)/);
    expect(d.received).toEqual(['LIST VAR other']);
  });

  it('a device that never answers fails at the module\'s deadline, not later', async () => {
    const d = await sim(upsd({ upses: { ups: { vars: ups() } }, hostile: 'silent' }));
    const started = performance.now();
    const res = await exporter.probe({ module: 'nut', target: `127.0.0.1:${d.port}`, debug: 'true' }, { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(parseSeries(res.text).get('probe_success')).toBe(0);
    expect(res.text).toMatch(/vars: tcp 127\.0\.0\.1:\d+ LIST VAR ups: deadline of [\d.]+s exceeded/);
  });

  it('probes of one device at the same moment share one exchange (coalescing, as for HTTP)', async () => {
    const d = await sim(upsd({ upses: { ups: { vars: ups() } }, latencyMs: 200 }));
    const results = await Promise.all([1, 2, 3].map(() => exporter.probe({ module: 'nut', target: `127.0.0.1:${d.port}` })));
    for (const r of results) expect(parseSeries(r.text).get('nut_battery_runtime_seconds')).toBe(10530);
    expect(d.connections).toBe(1);
    expect(d.received).toEqual(['LIST VAR ups', 'LOGOUT']);
  });

  it('the default port is the request\'s, and a target without a port takes it', async () => {
    // Whatever answers on 3493 here (most likely nothing), the request went there.
    const res = await exporter.probe({ module: 'nut', target: '127.0.0.1', debug: 'true' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/vars: tcp 127\.0\.0\.1:3493 LIST VAR ups/);
    const given = await exporter.probe({ module: 'nut', target: '127.0.0.1:80', debug: 'true' });
    expect(given.text).toMatch(/vars: tcp 127\.0\.0\.1:80 LIST VAR ups/);
  });

  it('refuses a URL as target, and an auth that is not basic, with a 400 of one line', async () => {
    const url = await exporter.probe({ module: 'nut', target: 'http://127.0.0.1:3493/' });
    expect(url.status).toBe(400);
    expect(url.text.trim()).toBe('module nut speaks TCP: give the target as host[:port], not a URL');
    const bearer = await exporter.probe({ module: 'nut', target: '127.0.0.1:3493', auth: 'token' });
    expect(bearer.status).toBe(400);
    expect(bearer.text.trim()).toBe('module nut: auth token is bearer: a tcp module logs in with a basic auth\'s username and password only');
    const path = await exporter.probe({ module: 'nut', target: '127.0.0.1:3493/x' });
    expect(path.status).toBe(400);
  });

  it('refuses credentials that would end their login line, before sending them', async () => {
    const ex = await startExporter({
      configYaml: stringify({ include: [path.join(ROOT, 'modules', 'nut.yml')], auths: { bad: { basic: { username: 'mon\nLIST VAR ups', password: 'pw' } } } }),
    });
    try {
      const d = await sim(upsd({ upses: { ups: { vars: ups() } } }));
      const res = await ex.probe({ module: 'nut', target: `127.0.0.1:${d.port}`, auth: 'bad', debug: 'true' });
      expect(parseSeries(res.text).get('probe_success')).toBe(0);
      expect(res.text).toContain('auth bad: the username or password holds CR, LF or NUL');
      expect(d.connections).toBe(0);
    } finally {
      await ex.close();
    }
  });
});

describe('haproxy_socket module (the stats socket over TCP, "show stat")', () => {
  it('gives the same series as the haproxy module reading the same CSV from the stats page', async () => {
    const csv = await readFile(path.join(ROOT, 'test/fixtures/haproxy/telegraf-sample_output.csv'));
    const page = http.createServer((req, res) => {
      expect(req.url).toBe('/haproxy?stats;csv');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(csv);
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    try {
      const socket = await sim(haproxySocket());
      const overTcp = await probeModule('haproxy_socket', socket);
      expect(socket.received).toEqual(['show stat']);
      const res = await exporter.probe({ module: 'haproxy', target: `127.0.0.1:${(page.address() as AddressInfo).port}` });
      expect(parseSeries(res.text).get('probe_success'), res.text).toBe(1);
      const overHttp = res.text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('probe_'));
      expect(overTcp.lines.length).toBeGreaterThan(100);
      expect(overTcp.lines).toEqual(overHttp);
      // One of them, read by hand from the fixture: frontend http-in, scur 3.
      expect(overTcp.series.get('haproxy_frontend_current_sessions{proxy="http-in"}')).toBe(3);
    } finally {
      await new Promise<void>((resolve) => page.close(() => resolve()));
    }
  });
});

describe('the TCP devices of npm run demo (test/sim/catalog/tcp.ts)', () => {
  it('have distinct names and demo ports, past the HTTP devices\' ports', () => {
    expect(new Set(TCP_CATALOG.map((d) => d.name)).size).toBe(TCP_CATALOG.length);
    const ports = TCP_CATALOG.map((d) => d.demoPort);
    expect(new Set(ports).size).toBe(ports.length);
    const http = new Set(CATALOG.map((d) => d.demoPort));
    expect(ports.filter((p) => http.has(p))).toEqual([]);
  });

  for (const d of TCP_CATALOG) {
    it(`${d.name}: probed by module ${d.module}, a successful probe`, async () => {
      const device = await sim(d.start());
      await probeModule(d.module, device);
    });
  }
});

describe('nut with cache_ttl', () => {
  it('answers a second probe from the cache, without asking upsd again', async () => {
    const mod = parse(await readFile(path.join(ROOT, 'modules', 'nut.yml'), 'utf8'), { merge: true }) as { modules: { nut: { requests: { vars: Record<string, unknown> } } } };
    const nut = mod.modules.nut;
    const ex = await startExporter({ configYaml: stringify({ modules: { nut_cached: { ...nut, requests: { vars: { ...nut.requests.vars, cache_ttl: '1m' } } } } }) });
    try {
      const d = await sim(upsd({ upses: { ups: { vars: nutVariables('nut/homeassistant-CP1500PFCLCD.json') } } }));
      const first = parseSeries((await ex.probe({ module: 'nut_cached', target: `127.0.0.1:${d.port}` })).text);
      const second = parseSeries((await ex.probe({ module: 'nut_cached', target: `127.0.0.1:${d.port}` })).text);
      expect(first.get('nut_battery_runtime_seconds')).toBe(10530);
      expect(second.get('nut_battery_runtime_seconds')).toBe(10530);
      expect(second.get('probe_request_cached_fetches{request="vars"}')).toBe(1);
      expect(d.connections).toBe(1);
    } finally {
      await ex.close();
    }
  });
});

describe('nut over STARTTLS, logging in (upsd with CERTFILE)', () => {
  it('verifies upsd\'s certificate against ca_file, logs in inside TLS, and counts only the clear-text login as insecure', async () => {
    const cert = await selfSigned();
    const mod = parse(await readFile(path.join(ROOT, 'modules', 'nut.yml'), 'utf8'), { merge: true }) as { modules: { nut: { requests: { vars: { tcp: Record<string, unknown> } }; tls?: unknown } } };
    const nut = mod.modules.nut;
    const tlsCopy = { ...nut, tls: { ca_file: cert.certFile, server_name: 'localhost' }, requests: { vars: { ...nut.requests.vars, tcp: { ...nut.requests.vars.tcp, tls: 'starttls' } } } };
    const ex = await startExporter({
      configYaml: stringify({ modules: { nut_tls: tlsCopy, nut_clear: nut }, auths: { upsmon: { basic: { username: 'monuser', password: 'pw' } } } }),
    });
    try {
      const d = await sim(upsd({ upses: { ups: { vars: nutVariables('nut/homeassistant-CP1500PFCLCD.json') } }, users: { monuser: 'pw' }, tls: { cert: cert.cert, key: cert.key } }));
      const r = await ex.probe({ module: 'nut_tls', target: `127.0.0.1:${d.port}`, auth: 'upsmon' });
      expect(parseSeries(r.text).get('probe_success'), r.text).toBe(1);
      expect(parseSeries(r.text).get('nut_battery_runtime_seconds')).toBe(10530);
      expect(d.received).toEqual(['STARTTLS', 'USERNAME monuser', 'PASSWORD pw', 'LIST VAR ups', 'LOGOUT']);
      // The certificate upsd presented, as an HTTPS probe reports it.
      expect(parseSeries(r.text).get('probe_tls_cert_expiry_timestamp_seconds')).toBe(expiryOf(cert));
      expect(parseSeries(r.text).get('probe_tls_verification_info{mode="ca"}')).toBe(1);
      if (promtool.path) expect(await checkMetrics(r.text)).toEqual({ code: 0, lines: [] });
      const clear = await ex.probe({ module: 'nut_clear', target: `127.0.0.1:${d.port}`, auth: 'upsmon' });
      expect(parseSeries(clear.text).get('probe_success')).toBe(1);
      expect(clear.text).not.toContain('probe_tls_');
      // A later exchange that sees no certificate reports none: nothing stale from the last one.
      await d.close();
      const gone = await ex.probe({ module: 'nut_tls', target: `127.0.0.1:${d.port}`, auth: 'upsmon' });
      expect(parseSeries(gone.text).get('probe_success')).toBe(0);
      expect(gone.text).not.toContain('probe_tls_');
      const metrics = parseSeries(await (await fetch(`${ex.url}/metrics`)).text());
      expect(metrics.get('apiprobe_insecure_credential_probes_total{module="nut_clear"}')).toBe(1);
      expect(metrics.has('apiprobe_insecure_credential_probes_total{module="nut_tls"}')).toBe(false);
    } finally {
      await ex.close();
    }
  });
});

describe('nut over STARTTLS with a self-signed certificate: pins and trust on first use', () => {
  it('accepts the pinned key and refuses another before the password is sent; first use records the key and refuses a new one', async () => {
    const [certA, certB] = await Promise.all([selfSigned('upsd-a'), selfSigned('upsd-b')]);
    const mod = parse(await readFile(path.join(ROOT, 'modules', 'nut.yml'), 'utf8'), { merge: true }) as { modules: { nut: { requests: { vars: { tcp: Record<string, unknown> } } } } };
    const nut = mod.modules.nut;
    const over = (tls: Record<string, unknown>): unknown => ({ ...nut, tls, requests: { vars: { ...nut.requests.vars, tcp: { ...nut.requests.vars.tcp, tls: 'starttls' } } } });
    const ex = await startExporter({
      configYaml: stringify({
        tls: { known_hosts_file: 'known_hosts' },
        modules: {
          nut_pinned: over({ pins: [opensslSpkiPin(certA)] }),
          nut_wrong_pin: over({ pins: [opensslSpkiPin(certB)] }),
          nut_tofu: over({ trust: 'first_use' }),
        },
        auths: { upsmon: { basic: { username: 'monuser', password: 'pw' } } },
      }),
    });
    const ups = { upses: { ups: { vars: nutVariables('nut/homeassistant-CP1500PFCLCD.json') } }, users: { monuser: 'pw' } };
    let d = await upsd({ ...ups, tls: { cert: certA.cert, key: certA.key } });
    const port = d.port;
    try {
      // Pinned: nothing vouches for the chain, the pin does.
      const pinned = await ex.probe({ module: 'nut_pinned', target: `127.0.0.1:${port}`, auth: 'upsmon' })
      const s = parseSeries(pinned.text);
      expect(s.get('probe_success'), pinned.text).toBe(1);
      expect(s.get('probe_tls_verification_info{mode="pin"}')).toBe(1);
      expect(s.get('probe_tls_cert_expiry_timestamp_seconds')).toBe(expiryOf(certA));
      expect(d.received).toEqual(['STARTTLS', 'USERNAME monuser', 'PASSWORD pw', 'LIST VAR ups', 'LOGOUT']);

      // Another pin: refused after the handshake, before the login lines.
      d.received.length = 0;
      const wrong = await ex.probe({ module: 'nut_wrong_pin', target: `127.0.0.1:${port}`, auth: 'upsmon', debug: 'true' });
      expect(wrong.text).toMatch(/matches no pin of .*credentials were not sent/);
      expect(d.received).toEqual(['STARTTLS']);

      // First use: the key is recorded, and the probe succeeds.
      const first = await ex.probe({ module: 'nut_tofu', target: `127.0.0.1:${port}`, auth: 'upsmon' });
      expect(parseSeries(first.text).get('probe_success'), first.text).toBe(1);
      expect(parseSeries(first.text).get('probe_tls_verification_info{mode="first_use"}')).toBe(1);

      // The same device (host:port) with a new key: refused, no password sent.
      await d.close();
      d = await upsd({ ...ups, port, tls: { cert: certB.cert, key: certB.key } });
      const changed = await ex.probe({ module: 'nut_tofu', target: `127.0.0.1:${port}`, auth: 'upsmon', debug: 'true' });
      expect(changed.text).toMatch(new RegExp(`the public key of 127\\.0\\.0\\.1:${port} changed`));
      expect(d.received).toEqual(['STARTTLS']);
      // Accepted (the key it presented when refused): the next probe goes through.
      const accepted = await fetch(`${ex.url}/-/tls/accept?target=127.0.0.1:${port}`, { method: 'POST' });
      expect(accepted.status, await accepted.text()).toBe(200);
      const after = await ex.probe({ module: 'nut_tofu', target: `127.0.0.1:${port}`, auth: 'upsmon' });
      expect(parseSeries(after.text).get('probe_success'), after.text).toBe(1);
      expect(parseSeries(after.text).get('probe_tls_cert_expiry_timestamp_seconds')).toBe(expiryOf(certB));
    } finally {
      await d.close();
      await ex.close();
    }
  });
});
