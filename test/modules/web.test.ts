// The web-server modules (nginx, apache, haproxy, phpfpm) through the shipped
// configuration, against the simulated devices of test/sim/catalog/web.ts serving the
// real payloads in test/fixtures. Every expected line below was written from the
// fixture by hand (values, units, which fields are empty); the order is the
// exposition's: metric names sorted, then series by label values in label-name order.
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startDevice } from '../sim/devices.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';
import { probeCatalogDevice, type DeviceProbe } from '../helpers/modules.js';
import { checkMetrics, promtool } from '../helpers/promtool.js';


let exporter: TestExporter;
beforeAll(async () => {
  exporter = await startExporter();
});
afterAll(async () => {
  await exporter.close();
});


/** Probes a catalog device and checks what every successful probe must satisfy. */
async function probeOk(name: string): Promise<DeviceProbe> {
  const res = await probeCatalogDevice(exporter, name);
  expect(res.status).toBe(200);
  expect(res.series.get('probe_success')).toBe(1);
  expect(res.series.get('probe_mapping_errors')).toBe(0);
  expect(res.series.get('probe_duplicate_series_dropped')).toBe(0);
  if (promtool.path) expect(await checkMetrics(res.text)).toEqual({ code: 0, lines: [] });
  return res;
}

/** Probes a one-off device whose only route answers with `body`. */
async function probeBody(module: string, route: string, contentType: string, body: string): Promise<Map<string, number> & { lines: string[] }> {
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };
  const device = await startDevice({ name: `${module}-malformed`, routes: { [route]: handler } });
  try {
    const res = await exporter.probe({ module, target: device.url });
    expect(res.status).toBe(200);
    expect(device.hits).toHaveLength(1);
    const series = parseSeries(res.text) as Map<string, number> & { lines: string[] };
    series.lines = res.text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('probe_'));
    return series;
  } finally {
    await device.close();
  }
}

describe('nginx module (stub_status, regex format)', () => {
  it('reads the stub_status example of the nginx documentation', async () => {
    const res = await probeOk('nginx');
    expect(res.hits).toEqual(['/nginx_status']);
    // "Active connections: 291 / 16630948 16630948 31070465 / Reading: 6 Writing: 179 Waiting: 106"
    expect(res.deviceLines).toEqual([
      'nginx_connections_accepted_total 16630948',
      'nginx_connections_active 291',
      'nginx_connections_handled_total 16630948',
      'nginx_connections_reading 6',
      'nginx_connections_waiting 106',
      'nginx_connections_writing 179',
      'nginx_http_requests_total 31070465',
    ]);
  });

  it('fails the probe on an HTML error page', async () => {
    const series = await probeBody('nginx', '/nginx_status', 'text/html',
      '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n');
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="status"}')).toBe(0);
    expect(series.lines).toEqual([]);
  });
});

describe('apache module (mod_status ?auto, kv format)', () => {
  it('Apache 2.4.18, event MPM: connections, no TLS session cache', async () => {
    const res = await probeOk('apache-2.4.18');
    expect(res.hits).toEqual(['/server-status?auto']);
    expect(res.deviceLines).toEqual([
      'apache_accesses_total 167',
      'apache_async_connections{state="closing"} 3',
      'apache_async_connections{state="keepalive"} 2',
      'apache_async_connections{state="writing"} 1',
      'apache_connections 6',
      'apache_cpu_seconds_total{mode="children_system"} 11.2',
      'apache_cpu_seconds_total{mode="children_user"} 10.1',
      'apache_cpu_seconds_total{mode="system"} 6750.8',
      'apache_cpu_seconds_total{mode="user"} 14076.6',
      'apache_generation{type="config"} 1',
      'apache_generation{type="mpm"} 0',
      'apache_info{mpm="event",version="Apache/2.4.18 (Unix)"} 1',
      'apache_load1 0.02',
      'apache_load15 0.05',
      'apache_load5 0.01',
      'apache_sent_bytes_total 64512', // Total kBytes: 63 (KiB)
      'apache_uptime_seconds_total 1026782',
      'apache_workers{state="busy"} 1',
      'apache_workers{state="idle"} 99',
    ]);
  });

  it('Apache 2.4.23, prefork MPM: no connection counts, a TLS session cache', async () => {
    const res = await probeOk('apache-2.4.23');
    expect(res.deviceLines).toEqual([
      'apache_accesses_total 2181',
      'apache_cpu_seconds_total{mode="children_system"} 0',
      'apache_cpu_seconds_total{mode="children_user"} 0',
      'apache_cpu_seconds_total{mode="system"} 1.22',
      'apache_cpu_seconds_total{mode="user"} 8.4',
      'apache_generation{type="config"} 1',
      'apache_generation{type="mpm"} 0',
      'apache_info{mpm="prefork",version="Apache/2.4.23 (CentOS) OpenSSL/1.0.1e-fips"} 1',
      'apache_load1 0',
      'apache_load15 0.05',
      'apache_load5 0.01',
      'apache_sent_bytes_total 54352896', // Total kBytes: 53079 (KiB)
      'apache_tls_session_cache_discards_total 0',
      'apache_tls_session_cache_entries 0',
      'apache_tls_session_cache_expires_total 35',
      'apache_tls_session_cache_index_usage_ratio 0', // CacheIndexUsage: 0%
      'apache_tls_session_cache_info{type="SHMCB"} 1',
      'apache_tls_session_cache_memory_bytes 512000',
      'apache_tls_session_cache_removals_total{result="hit"} 0',
      'apache_tls_session_cache_removals_total{result="miss"} 0',
      'apache_tls_session_cache_replaces_total 0',
      'apache_tls_session_cache_retrievals_total{result="hit"} 0',
      'apache_tls_session_cache_retrievals_total{result="miss"} 89',
      'apache_tls_session_cache_stores_total 35',
      'apache_tls_session_cache_usage_ratio 0', // CacheUsage: 0%
      'apache_uptime_seconds_total 31873',
      'apache_workers{state="busy"} 1',
      'apache_workers{state="idle"} 9',
    ]);
  });

  it('Apache 2.4.24 capture (the server reports 2.4.25), event MPM, 55 s after start', async () => {
    const res = await probeOk('apache-2.4.24');
    expect(res.deviceLines).toEqual([
      'apache_accesses_total 18',
      'apache_async_connections{state="closing"} 0',
      'apache_async_connections{state="keepalive"} 0',
      'apache_async_connections{state="writing"} 0',
      'apache_connections 0',
      'apache_cpu_seconds_total{mode="children_system"} 0',
      'apache_cpu_seconds_total{mode="children_user"} 0',
      'apache_cpu_seconds_total{mode="system"} 0.01', // CPUSystem: .01
      'apache_cpu_seconds_total{mode="user"} 0',
      'apache_generation{type="config"} 1',
      'apache_generation{type="mpm"} 0',
      'apache_info{mpm="event",version="Apache/2.4.25 (Ubuntu)"} 1',
      'apache_load1 0.69',
      'apache_load15 0.58',
      'apache_load5 0.61',
      'apache_sent_bytes_total 23552', // Total kBytes: 23 (KiB)
      'apache_uptime_seconds_total 55',
      'apache_workers{state="busy"} 1',
      'apache_workers{state="idle"} 49',
    ]);
  });

  it('fails the probe on the HTML status page (a path without ?auto)', async () => {
    // The kv parser finds "key: value" pairs in HTML too, so this is not a parse
    // failure: BusyWorkers and IdleWorkers (on_missing: error) are what fail it.
    const html = [
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">',
      '<html><head>',
      '<title>Apache Status</title>',
      '</head><body>',
      '<h1>Apache Server Status for localhost (via 127.0.0.1)</h1>',
      '',
      '<dl><dt>Server Version: Apache/2.4.25 (Ubuntu)</dt>',
      '<dt>Server MPM: event</dt>',
      '<dt>Server Built: 2017-02-10T16:53:43',
      '</dt></dl><hr /><dl>',
      '<dt>Current Time: Monday, 27-Mar-2017 15:39:28 UTC</dt>',
      '<dt>1 requests currently being processed, 49 idle workers</dt>',
      '</dl></body></html>',
      '',
    ].join('\n');
    const series = await probeBody('apache', '/server-status', 'text/html; charset=ISO-8859-1', html);
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="status"}')).toBe(1);
    expect(series.get('probe_mapping_errors')).toBe(2);
    // No series at all: an info metric none of whose labels were found is left out.
    expect(series.lines).toEqual([]);
  });
});

describe('haproxy module (stats CSV, csv format)', () => {
  it('reads every frontend, listener, backend and server row; empty fields give no series', async () => {
    const res = await probeOk('haproxy');
    expect(res.hits).toEqual(['/haproxy?stats;csv']);
    expect(res.deviceLines).toEqual([
      // Backends www, git, demo (demo has no servers: no downtime, weight 0).
      'haproxy_backend_active_servers{proxy="demo"} 0',
      'haproxy_backend_active_servers{proxy="git"} 1',
      'haproxy_backend_active_servers{proxy="www"} 1',
      'haproxy_backend_backup_servers{proxy="demo"} 0',
      'haproxy_backend_backup_servers{proxy="git"} 1',
      'haproxy_backend_backup_servers{proxy="www"} 1',
      'haproxy_backend_bytes_in_total{proxy="demo"} 7876647',
      'haproxy_backend_bytes_in_total{proxy="git"} 8082393',
      'haproxy_backend_bytes_in_total{proxy="www"} 674684790',
      'haproxy_backend_bytes_out_total{proxy="demo"} 659864417',
      'haproxy_backend_bytes_out_total{proxy="git"} 303747668',
      'haproxy_backend_bytes_out_total{proxy="www"} 64813732170',
      'haproxy_backend_check_last_change_seconds{proxy="demo"} 5218087',
      'haproxy_backend_check_last_change_seconds{proxy="git"} 5218087',
      'haproxy_backend_check_last_change_seconds{proxy="www"} 5218087',
      'haproxy_backend_check_up_down_total{proxy="demo"} 0',
      'haproxy_backend_check_up_down_total{proxy="git"} 0',
      'haproxy_backend_check_up_down_total{proxy="www"} 0',
      'haproxy_backend_connection_errors_total{proxy="demo"} 1',
      'haproxy_backend_connection_errors_total{proxy="git"} 2',
      'haproxy_backend_connection_errors_total{proxy="www"} 130',
      'haproxy_backend_current_queue{proxy="demo"} 0',
      'haproxy_backend_current_queue{proxy="git"} 0',
      'haproxy_backend_current_queue{proxy="www"} 0',
      'haproxy_backend_current_sessions{proxy="demo"} 1',
      'haproxy_backend_current_sessions{proxy="git"} 0',
      'haproxy_backend_current_sessions{proxy="www"} 0',
      'haproxy_backend_downtime_seconds_total{proxy="git"} 0',
      'haproxy_backend_downtime_seconds_total{proxy="www"} 0',
      'haproxy_backend_http_requests_total{proxy="demo"} 24062',
      'haproxy_backend_http_requests_total{proxy="git"} 14541',
      'haproxy_backend_http_requests_total{proxy="www"} 1721835',
      'haproxy_backend_http_responses_total{code="1xx",proxy="demo"} 0',
      'haproxy_backend_http_responses_total{code="1xx",proxy="git"} 0',
      'haproxy_backend_http_responses_total{code="1xx",proxy="www"} 0',
      'haproxy_backend_http_responses_total{code="2xx",proxy="demo"} 23983',
      'haproxy_backend_http_responses_total{code="2xx",proxy="git"} 5668',
      'haproxy_backend_http_responses_total{code="2xx",proxy="www"} 1145518',
      'haproxy_backend_http_responses_total{code="3xx",proxy="demo"} 21',
      'haproxy_backend_http_responses_total{code="3xx",proxy="git"} 8710',
      'haproxy_backend_http_responses_total{code="3xx",proxy="www"} 481813',
      'haproxy_backend_http_responses_total{code="4xx",proxy="demo"} 0',
      'haproxy_backend_http_responses_total{code="4xx",proxy="git"} 140',
      'haproxy_backend_http_responses_total{code="4xx",proxy="www"} 88664',
      'haproxy_backend_http_responses_total{code="5xx",proxy="demo"} 1',
      'haproxy_backend_http_responses_total{code="5xx",proxy="git"} 23',
      'haproxy_backend_http_responses_total{code="5xx",proxy="www"} 5719',
      'haproxy_backend_http_responses_total{code="other",proxy="demo"} 57',
      'haproxy_backend_http_responses_total{code="other",proxy="git"} 0',
      'haproxy_backend_http_responses_total{code="other",proxy="www"} 121',
      'haproxy_backend_limit_sessions{proxy="demo"} 20',
      'haproxy_backend_limit_sessions{proxy="git"} 2',
      'haproxy_backend_limit_sessions{proxy="www"} 100',
      'haproxy_backend_max_queue{proxy="demo"} 0',
      'haproxy_backend_max_queue{proxy="git"} 6',
      'haproxy_backend_max_queue{proxy="www"} 25',
      'haproxy_backend_max_sessions{proxy="demo"} 5',
      'haproxy_backend_max_sessions{proxy="git"} 8',
      'haproxy_backend_max_sessions{proxy="www"} 46',
      'haproxy_backend_redispatch_warnings_total{proxy="demo"} 0',
      'haproxy_backend_redispatch_warnings_total{proxy="git"} 0',
      'haproxy_backend_redispatch_warnings_total{proxy="www"} 0',
      'haproxy_backend_requests_denied_total{proxy="demo"} 48',
      'haproxy_backend_requests_denied_total{proxy="git"} 0',
      'haproxy_backend_requests_denied_total{proxy="www"} 314',
      'haproxy_backend_response_errors_total{proxy="demo"} 0',
      'haproxy_backend_response_errors_total{proxy="git"} 21',
      'haproxy_backend_response_errors_total{proxy="www"} 5285',
      'haproxy_backend_responses_denied_total{proxy="demo"} 0',
      'haproxy_backend_responses_denied_total{proxy="git"} 0',
      'haproxy_backend_responses_denied_total{proxy="www"} 0',
      'haproxy_backend_retry_warnings_total{proxy="demo"} 0',
      'haproxy_backend_retry_warnings_total{proxy="git"} 0',
      'haproxy_backend_retry_warnings_total{proxy="www"} 22',
      'haproxy_backend_sessions_total{proxy="demo"} 24063',
      'haproxy_backend_sessions_total{proxy="git"} 14541',
      'haproxy_backend_sessions_total{proxy="www"} 1721835',
      'haproxy_backend_status{proxy="demo",haproxy_backend_status="DOWN"} 0',
      'haproxy_backend_status{proxy="demo",haproxy_backend_status="UP"} 1',
      'haproxy_backend_status{proxy="git",haproxy_backend_status="DOWN"} 0',
      'haproxy_backend_status{proxy="git",haproxy_backend_status="UP"} 1',
      'haproxy_backend_status{proxy="www",haproxy_backend_status="DOWN"} 0',
      'haproxy_backend_status{proxy="www",haproxy_backend_status="UP"} 1',
      'haproxy_backend_weight{proxy="demo"} 0',
      'haproxy_backend_weight{proxy="git"} 1',
      'haproxy_backend_weight{proxy="www"} 1',
      // Frontend http-in (its queue, error and check columns are empty).
      'haproxy_frontend_bytes_in_total{proxy="http-in"} 813557487',
      'haproxy_frontend_bytes_out_total{proxy="http-in"} 65937668635',
      'haproxy_frontend_current_sessions{proxy="http-in"} 3',
      'haproxy_frontend_http_requests_total{proxy="http-in"} 2754255',
      'haproxy_frontend_http_responses_total{code="1xx",proxy="http-in"} 0',
      'haproxy_frontend_http_responses_total{code="2xx",proxy="http-in"} 1514640',
      'haproxy_frontend_http_responses_total{code="3xx",proxy="http-in"} 606647',
      'haproxy_frontend_http_responses_total{code="4xx",proxy="http-in"} 136264',
      'haproxy_frontend_http_responses_total{code="5xx",proxy="http-in"} 496535',
      'haproxy_frontend_http_responses_total{code="other",proxy="http-in"} 14948',
      'haproxy_frontend_limit_sessions{proxy="http-in"} 100',
      'haproxy_frontend_max_sessions{proxy="http-in"} 100',
      'haproxy_frontend_request_errors_total{proxy="http-in"} 47567',
      'haproxy_frontend_requests_denied_total{proxy="http-in"} 505252',
      'haproxy_frontend_responses_denied_total{proxy="http-in"} 0',
      'haproxy_frontend_sessions_total{proxy="http-in"} 2639994',
      'haproxy_frontend_status{proxy="http-in",haproxy_frontend_status="FULL"} 0',
      'haproxy_frontend_status{proxy="http-in",haproxy_frontend_status="OPEN"} 1',
      'haproxy_frontend_status{proxy="http-in",haproxy_frontend_status="PAUSED"} 0',
      'haproxy_frontend_status{proxy="http-in",haproxy_frontend_status="STOP"} 0',
      // Listeners of http-in: IPv4-cached, IPv4-direct, IPv6-direct, local, local-https.
      'haproxy_listener_bytes_in_total{listener="IPv4-cached",proxy="http-in"} 644395819',
      'haproxy_listener_bytes_in_total{listener="IPv4-direct",proxy="http-in"} 57445827',
      'haproxy_listener_bytes_in_total{listener="IPv6-direct",proxy="http-in"} 92414745',
      'haproxy_listener_bytes_in_total{listener="local",proxy="http-in"} 0',
      'haproxy_listener_bytes_in_total{listener="local-https",proxy="http-in"} 19301096',
      'haproxy_listener_bytes_out_total{listener="IPv4-cached",proxy="http-in"} 57905460294',
      'haproxy_listener_bytes_out_total{listener="IPv4-direct",proxy="http-in"} 1503928881',
      'haproxy_listener_bytes_out_total{listener="IPv6-direct",proxy="http-in"} 6205208728',
      'haproxy_listener_bytes_out_total{listener="local",proxy="http-in"} 0',
      'haproxy_listener_bytes_out_total{listener="local-https",proxy="http-in"} 323070732',
      'haproxy_listener_current_sessions{listener="IPv4-cached",proxy="http-in"} 0',
      'haproxy_listener_current_sessions{listener="IPv4-direct",proxy="http-in"} 3',
      'haproxy_listener_current_sessions{listener="IPv6-direct",proxy="http-in"} 0',
      'haproxy_listener_current_sessions{listener="local",proxy="http-in"} 0',
      'haproxy_listener_current_sessions{listener="local-https",proxy="http-in"} 0',
      'haproxy_listener_limit_sessions{listener="IPv4-cached",proxy="http-in"} 100',
      'haproxy_listener_limit_sessions{listener="IPv4-direct",proxy="http-in"} 100',
      'haproxy_listener_limit_sessions{listener="IPv6-direct",proxy="http-in"} 100',
      'haproxy_listener_limit_sessions{listener="local",proxy="http-in"} 100',
      'haproxy_listener_limit_sessions{listener="local-https",proxy="http-in"} 100',
      'haproxy_listener_max_sessions{listener="IPv4-cached",proxy="http-in"} 33',
      'haproxy_listener_max_sessions{listener="IPv4-direct",proxy="http-in"} 41',
      'haproxy_listener_max_sessions{listener="IPv6-direct",proxy="http-in"} 100',
      'haproxy_listener_max_sessions{listener="local",proxy="http-in"} 0',
      'haproxy_listener_max_sessions{listener="local-https",proxy="http-in"} 5',
      'haproxy_listener_request_errors_total{listener="IPv4-cached",proxy="http-in"} 1',
      'haproxy_listener_request_errors_total{listener="IPv4-direct",proxy="http-in"} 287',
      'haproxy_listener_request_errors_total{listener="IPv6-direct",proxy="http-in"} 47279',
      'haproxy_listener_request_errors_total{listener="local",proxy="http-in"} 0',
      'haproxy_listener_request_errors_total{listener="local-https",proxy="http-in"} 0',
      'haproxy_listener_requests_denied_total{listener="IPv4-cached",proxy="http-in"} 60511',
      'haproxy_listener_requests_denied_total{listener="IPv4-direct",proxy="http-in"} 269899',
      'haproxy_listener_requests_denied_total{listener="IPv6-direct",proxy="http-in"} 3399',
      'haproxy_listener_requests_denied_total{listener="local",proxy="http-in"} 0',
      'haproxy_listener_requests_denied_total{listener="local-https",proxy="http-in"} 171443',
      'haproxy_listener_responses_denied_total{listener="IPv4-cached",proxy="http-in"} 0',
      'haproxy_listener_responses_denied_total{listener="IPv4-direct",proxy="http-in"} 0',
      'haproxy_listener_responses_denied_total{listener="IPv6-direct",proxy="http-in"} 0',
      'haproxy_listener_responses_denied_total{listener="local",proxy="http-in"} 0',
      'haproxy_listener_responses_denied_total{listener="local-https",proxy="http-in"} 0',
      'haproxy_listener_sessions_total{listener="IPv4-cached",proxy="http-in"} 1786155',
      'haproxy_listener_sessions_total{listener="IPv4-direct",proxy="http-in"} 349801',
      'haproxy_listener_sessions_total{listener="IPv6-direct",proxy="http-in"} 325619',
      'haproxy_listener_sessions_total{listener="local",proxy="http-in"} 0',
      'haproxy_listener_sessions_total{listener="local-https",proxy="http-in"} 188347',
      'haproxy_listener_status{listener="IPv4-cached",proxy="http-in",haproxy_listener_status="FULL"} 0',
      'haproxy_listener_status{listener="IPv4-cached",proxy="http-in",haproxy_listener_status="OPEN"} 1',
      'haproxy_listener_status{listener="IPv4-cached",proxy="http-in",haproxy_listener_status="WAITING"} 0',
      'haproxy_listener_status{listener="IPv4-direct",proxy="http-in",haproxy_listener_status="FULL"} 0',
      'haproxy_listener_status{listener="IPv4-direct",proxy="http-in",haproxy_listener_status="OPEN"} 1',
      'haproxy_listener_status{listener="IPv4-direct",proxy="http-in",haproxy_listener_status="WAITING"} 0',
      'haproxy_listener_status{listener="IPv6-direct",proxy="http-in",haproxy_listener_status="FULL"} 0',
      'haproxy_listener_status{listener="IPv6-direct",proxy="http-in",haproxy_listener_status="OPEN"} 1',
      'haproxy_listener_status{listener="IPv6-direct",proxy="http-in",haproxy_listener_status="WAITING"} 0',
      'haproxy_listener_status{listener="local",proxy="http-in",haproxy_listener_status="FULL"} 0',
      'haproxy_listener_status{listener="local",proxy="http-in",haproxy_listener_status="OPEN"} 1',
      'haproxy_listener_status{listener="local",proxy="http-in",haproxy_listener_status="WAITING"} 0',
      'haproxy_listener_status{listener="local-https",proxy="http-in",haproxy_listener_status="FULL"} 0',
      'haproxy_listener_status{listener="local-https",proxy="http-in",haproxy_listener_status="OPEN"} 1',
      'haproxy_listener_status{listener="local-https",proxy="http-in",haproxy_listener_status="WAITING"} 0',
      // Servers git/bck, git/www, www/bck, www/www (no dreq column for servers).
      'haproxy_server_backup{proxy="git",server="bck"} 1',
      'haproxy_server_backup{proxy="git",server="www"} 0',
      'haproxy_server_backup{proxy="www",server="bck"} 1',
      'haproxy_server_backup{proxy="www",server="www"} 0',
      'haproxy_server_bytes_in_total{proxy="git",server="bck"} 0',
      'haproxy_server_bytes_in_total{proxy="git",server="www"} 5228218',
      'haproxy_server_bytes_in_total{proxy="www",server="bck"} 537137',
      'haproxy_server_bytes_in_total{proxy="www",server="www"} 672044109',
      'haproxy_server_bytes_out_total{proxy="git",server="bck"} 0',
      'haproxy_server_bytes_out_total{proxy="git",server="www"} 303747244',
      'haproxy_server_bytes_out_total{proxy="www",server="bck"} 7544118',
      'haproxy_server_bytes_out_total{proxy="www",server="www"} 64806076656',
      'haproxy_server_check_duration_seconds{proxy="git",server="bck"} 0.002',
      'haproxy_server_check_duration_seconds{proxy="git",server="www"} 0.003',
      'haproxy_server_check_duration_seconds{proxy="www",server="bck"} 0.002',
      'haproxy_server_check_duration_seconds{proxy="www",server="www"} 0.005',
      'haproxy_server_check_failures_total{proxy="git",server="bck"} 2',
      'haproxy_server_check_failures_total{proxy="git",server="www"} 559',
      'haproxy_server_check_failures_total{proxy="www",server="bck"} 4',
      'haproxy_server_check_failures_total{proxy="www",server="www"} 561',
      'haproxy_server_check_last_change_seconds{proxy="git",server="bck"} 5218087',
      'haproxy_server_check_last_change_seconds{proxy="git",server="www"} 1036557',
      'haproxy_server_check_last_change_seconds{proxy="www",server="bck"} 5218087',
      'haproxy_server_check_last_change_seconds{proxy="www",server="www"} 1036557',
      'haproxy_server_check_up_down_total{proxy="git",server="bck"} 0',
      'haproxy_server_check_up_down_total{proxy="git",server="www"} 84',
      'haproxy_server_check_up_down_total{proxy="www",server="bck"} 0',
      'haproxy_server_check_up_down_total{proxy="www",server="www"} 84',
      'haproxy_server_connection_errors_total{proxy="git",server="bck"} 0',
      'haproxy_server_connection_errors_total{proxy="git",server="www"} 0',
      'haproxy_server_connection_errors_total{proxy="www",server="bck"} 0',
      'haproxy_server_connection_errors_total{proxy="www",server="www"} 0',
      'haproxy_server_current_queue{proxy="git",server="bck"} 0',
      'haproxy_server_current_queue{proxy="git",server="www"} 0',
      'haproxy_server_current_queue{proxy="www",server="bck"} 0',
      'haproxy_server_current_queue{proxy="www",server="www"} 0',
      'haproxy_server_current_sessions{proxy="git",server="bck"} 0',
      'haproxy_server_current_sessions{proxy="git",server="www"} 0',
      'haproxy_server_current_sessions{proxy="www",server="bck"} 0',
      'haproxy_server_current_sessions{proxy="www",server="www"} 0',
      'haproxy_server_downtime_seconds_total{proxy="git",server="bck"} 0',
      'haproxy_server_downtime_seconds_total{proxy="git",server="www"} 3352',
      'haproxy_server_downtime_seconds_total{proxy="www",server="bck"} 0',
      'haproxy_server_downtime_seconds_total{proxy="www",server="www"} 3356',
      'haproxy_server_http_responses_total{code="1xx",proxy="git",server="bck"} 0',
      'haproxy_server_http_responses_total{code="1xx",proxy="git",server="www"} 0',
      'haproxy_server_http_responses_total{code="1xx",proxy="www",server="bck"} 0',
      'haproxy_server_http_responses_total{code="1xx",proxy="www",server="www"} 671',
      'haproxy_server_http_responses_total{code="2xx",proxy="git",server="bck"} 0',
      'haproxy_server_http_responses_total{code="2xx",proxy="git",server="www"} 5668',
      'haproxy_server_http_responses_total{code="2xx",proxy="www",server="bck"} 629',
      'haproxy_server_http_responses_total{code="2xx",proxy="www",server="www"} 1144889',
      'haproxy_server_http_responses_total{code="3xx",proxy="git",server="bck"} 0',
      'haproxy_server_http_responses_total{code="3xx",proxy="git",server="www"} 8710',
      'haproxy_server_http_responses_total{code="3xx",proxy="www",server="bck"} 99',
      'haproxy_server_http_responses_total{code="3xx",proxy="www",server="www"} 481714',
      'haproxy_server_http_responses_total{code="4xx",proxy="git",server="bck"} 0',
      'haproxy_server_http_responses_total{code="4xx",proxy="git",server="www"} 140',
      'haproxy_server_http_responses_total{code="4xx",proxy="www",server="bck"} 755',
      'haproxy_server_http_responses_total{code="4xx",proxy="www",server="www"} 87038',
      'haproxy_server_http_responses_total{code="5xx",proxy="git",server="bck"} 0',
      'haproxy_server_http_responses_total{code="5xx",proxy="git",server="www"} 0',
      'haproxy_server_http_responses_total{code="5xx",proxy="www",server="bck"} 0',
      'haproxy_server_http_responses_total{code="5xx",proxy="www",server="www"} 4',
      'haproxy_server_http_responses_total{code="other",proxy="git",server="bck"} 0',
      'haproxy_server_http_responses_total{code="other",proxy="git",server="www"} 0',
      'haproxy_server_http_responses_total{code="other",proxy="www",server="bck"} 0',
      'haproxy_server_http_responses_total{code="other",proxy="www",server="www"} 0',
      'haproxy_server_limit_sessions{proxy="git",server="bck"} 2',
      'haproxy_server_limit_sessions{proxy="git",server="www"} 2',
      'haproxy_server_limit_sessions{proxy="www",server="bck"} 10',
      'haproxy_server_limit_sessions{proxy="www",server="www"} 20',
      'haproxy_server_max_queue{proxy="git",server="bck"} 0',
      'haproxy_server_max_queue{proxy="git",server="www"} 0',
      'haproxy_server_max_queue{proxy="www",server="bck"} 0',
      'haproxy_server_max_queue{proxy="www",server="www"} 0',
      'haproxy_server_max_sessions{proxy="git",server="bck"} 0',
      'haproxy_server_max_sessions{proxy="git",server="www"} 2',
      'haproxy_server_max_sessions{proxy="www",server="bck"} 10',
      'haproxy_server_max_sessions{proxy="www",server="www"} 20',
      'haproxy_server_redispatch_warnings_total{proxy="git",server="bck"} 0',
      'haproxy_server_redispatch_warnings_total{proxy="git",server="www"} 0',
      'haproxy_server_redispatch_warnings_total{proxy="www",server="bck"} 0',
      'haproxy_server_redispatch_warnings_total{proxy="www",server="www"} 0',
      'haproxy_server_response_errors_total{proxy="git",server="bck"} 0',
      'haproxy_server_response_errors_total{proxy="git",server="www"} 21',
      'haproxy_server_response_errors_total{proxy="www",server="bck"} 0',
      'haproxy_server_response_errors_total{proxy="www",server="www"} 5285',
      'haproxy_server_responses_denied_total{proxy="git",server="bck"} 0',
      'haproxy_server_responses_denied_total{proxy="git",server="www"} 0',
      'haproxy_server_responses_denied_total{proxy="www",server="bck"} 0',
      'haproxy_server_responses_denied_total{proxy="www",server="www"} 0',
      'haproxy_server_retry_warnings_total{proxy="git",server="bck"} 0',
      'haproxy_server_retry_warnings_total{proxy="git",server="www"} 0',
      'haproxy_server_retry_warnings_total{proxy="www",server="bck"} 0',
      'haproxy_server_retry_warnings_total{proxy="www",server="www"} 22',
      'haproxy_server_sessions_total{proxy="git",server="bck"} 0',
      'haproxy_server_sessions_total{proxy="git",server="www"} 14539',
      'haproxy_server_sessions_total{proxy="www",server="bck"} 1483',
      'haproxy_server_sessions_total{proxy="www",server="www"} 1719698',
      'haproxy_server_status{proxy="git",server="bck",haproxy_server_status="DOWN"} 0',
      'haproxy_server_status{proxy="git",server="bck",haproxy_server_status="DRAIN"} 0',
      'haproxy_server_status{proxy="git",server="bck",haproxy_server_status="MAINT"} 0',
      'haproxy_server_status{proxy="git",server="bck",haproxy_server_status="NOLB"} 0',
      'haproxy_server_status{proxy="git",server="bck",haproxy_server_status="UP"} 1',
      'haproxy_server_status{proxy="git",server="bck",haproxy_server_status="no check"} 0',
      'haproxy_server_status{proxy="git",server="www",haproxy_server_status="DOWN"} 0',
      'haproxy_server_status{proxy="git",server="www",haproxy_server_status="DRAIN"} 0',
      'haproxy_server_status{proxy="git",server="www",haproxy_server_status="MAINT"} 0',
      'haproxy_server_status{proxy="git",server="www",haproxy_server_status="NOLB"} 0',
      'haproxy_server_status{proxy="git",server="www",haproxy_server_status="UP"} 1',
      'haproxy_server_status{proxy="git",server="www",haproxy_server_status="no check"} 0',
      'haproxy_server_status{proxy="www",server="bck",haproxy_server_status="DOWN"} 0',
      'haproxy_server_status{proxy="www",server="bck",haproxy_server_status="DRAIN"} 0',
      'haproxy_server_status{proxy="www",server="bck",haproxy_server_status="MAINT"} 0',
      'haproxy_server_status{proxy="www",server="bck",haproxy_server_status="NOLB"} 0',
      'haproxy_server_status{proxy="www",server="bck",haproxy_server_status="UP"} 1',
      'haproxy_server_status{proxy="www",server="bck",haproxy_server_status="no check"} 0',
      'haproxy_server_status{proxy="www",server="www",haproxy_server_status="DOWN"} 0',
      'haproxy_server_status{proxy="www",server="www",haproxy_server_status="DRAIN"} 0',
      'haproxy_server_status{proxy="www",server="www",haproxy_server_status="MAINT"} 0',
      'haproxy_server_status{proxy="www",server="www",haproxy_server_status="NOLB"} 0',
      'haproxy_server_status{proxy="www",server="www",haproxy_server_status="UP"} 1',
      'haproxy_server_status{proxy="www",server="www",haproxy_server_status="no check"} 0',
      'haproxy_server_weight{proxy="git",server="bck"} 1',
      'haproxy_server_weight{proxy="git",server="www"} 1',
      'haproxy_server_weight{proxy="www",server="bck"} 1',
      'haproxy_server_weight{proxy="www",server="www"} 1',
    ]);
  });

  it('a TCP-mode proxy, a server without checks and one going down: no HTTP series, no error', async () => {
    // The fixture's header row, and rows with only some fields filled, as HAProxy
    // writes them for a TCP frontend/backend (no HTTP columns) and servers in
    // transitional or unchecked states (no check columns).
    const header = readFileSync(path.join(FIXTURES, 'haproxy/telegraf-sample_output.csv'), 'utf8').split('\n')[1]!;
    const columns = header.replace(/^# /, '').split(',');
    const row = (fields: Record<string, string>): string => columns.map((c) => fields[c] ?? '').join(',');
    const base = { scur: '0', smax: '1', stot: '7', bin: '100', bout: '200' };
    const csv = [
      header,
      row({ ...base, pxname: 'db', svname: 'FRONTEND', slim: '50', dreq: '0', dresp: '0', ereq: '0', status: 'OPEN', type: '0' }),
      row({ ...base, pxname: 'db', svname: 'pg1', qcur: '0', qmax: '0', dresp: '0', econ: '0', eresp: '0', wretr: '0', wredis: '0', status: 'UP 1/3', weight: '1', act: '1', bck: '0', chkfail: '1', chkdown: '0', lastchg: '12', downtime: '0', type: '2', check_duration: '1' }),
      row({ ...base, pxname: 'db', svname: 'pg2', qcur: '0', qmax: '0', dresp: '0', econ: '0', eresp: '0', wretr: '0', wredis: '0', status: 'no check', weight: '1', act: '1', bck: '0', lastchg: '12', type: '2' }),
      row({ ...base, pxname: 'db', svname: 'BACKEND', qcur: '0', qmax: '0', slim: '5', dreq: '0', dresp: '0', econ: '0', eresp: '0', wretr: '0', wredis: '0', status: 'UP', weight: '2', act: '2', bck: '0', chkdown: '0', lastchg: '12', downtime: '0', type: '1' }),
      '',
    ].join('\n');
    const series = await probeBody('haproxy', '/haproxy', 'text/plain', csv);
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_mapping_errors')).toBe(0);
    expect(series.lines.filter((l) => l.includes('http_'))).toEqual([]);
    expect(series.lines.filter((l) => l.startsWith('haproxy_server_status{'))).toEqual([
      // "UP 1/3" (up, one failed check of three before going down) is none of the states.
      'haproxy_server_status{proxy="db",server="pg1",haproxy_server_status="DOWN"} 0',
      'haproxy_server_status{proxy="db",server="pg1",haproxy_server_status="DRAIN"} 0',
      'haproxy_server_status{proxy="db",server="pg1",haproxy_server_status="MAINT"} 0',
      'haproxy_server_status{proxy="db",server="pg1",haproxy_server_status="NOLB"} 0',
      'haproxy_server_status{proxy="db",server="pg1",haproxy_server_status="UP"} 0',
      'haproxy_server_status{proxy="db",server="pg1",haproxy_server_status="no check"} 0',
      'haproxy_server_status{proxy="db",server="pg2",haproxy_server_status="DOWN"} 0',
      'haproxy_server_status{proxy="db",server="pg2",haproxy_server_status="DRAIN"} 0',
      'haproxy_server_status{proxy="db",server="pg2",haproxy_server_status="MAINT"} 0',
      'haproxy_server_status{proxy="db",server="pg2",haproxy_server_status="NOLB"} 0',
      'haproxy_server_status{proxy="db",server="pg2",haproxy_server_status="UP"} 0',
      'haproxy_server_status{proxy="db",server="pg2",haproxy_server_status="no check"} 1',
    ]);
    // pg2 has no checks: no check, downtime or limit series; pg1 has all of them but a limit.
    expect(series.lines.filter((l) => l.includes('server="pg2"') && !l.startsWith('haproxy_server_status{'))).toEqual([
      'haproxy_server_backup{proxy="db",server="pg2"} 0',
      'haproxy_server_bytes_in_total{proxy="db",server="pg2"} 100',
      'haproxy_server_bytes_out_total{proxy="db",server="pg2"} 200',
      'haproxy_server_check_last_change_seconds{proxy="db",server="pg2"} 12',
      'haproxy_server_connection_errors_total{proxy="db",server="pg2"} 0',
      'haproxy_server_current_queue{proxy="db",server="pg2"} 0',
      'haproxy_server_current_sessions{proxy="db",server="pg2"} 0',
      'haproxy_server_max_queue{proxy="db",server="pg2"} 0',
      'haproxy_server_max_sessions{proxy="db",server="pg2"} 1',
      'haproxy_server_redispatch_warnings_total{proxy="db",server="pg2"} 0',
      'haproxy_server_response_errors_total{proxy="db",server="pg2"} 0',
      'haproxy_server_responses_denied_total{proxy="db",server="pg2"} 0',
      'haproxy_server_retry_warnings_total{proxy="db",server="pg2"} 0',
      'haproxy_server_sessions_total{proxy="db",server="pg2"} 7',
      'haproxy_server_weight{proxy="db",server="pg2"} 1',
    ]);
    expect(series.get('haproxy_server_check_duration_seconds{proxy="db",server="pg1"}')).toBe(0.001);
    expect(series.get('haproxy_server_downtime_seconds_total{proxy="db",server="pg1"}')).toBe(0);
    expect(series.get('haproxy_frontend_status{proxy="db",haproxy_frontend_status="OPEN"}')).toBe(1);
    expect(series.get('haproxy_backend_status{proxy="db",haproxy_backend_status="UP"}')).toBe(1);
  });

  it('fails the probe on the HTML statistics page (a stats uri without ;csv)', async () => {
    const html = [
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"',
      '"http://www.w3.org/TR/html4/loose.dtd">',
      '<html><head><title>Statistics Report for HAProxy</title>',
      '<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">',
      '</head><body><h1>Statistics Report</h1></body></html>',
      '',
    ].join('\n');
    const series = await probeBody('haproxy', '/haproxy', 'text/html', html);
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="stats"}')).toBe(0);
    expect(series.lines).toEqual([]);
  });
});

describe('phpfpm module (status JSON)', () => {
  it('pool summary only (?json)', async () => {
    const res = await probeOk('php-fpm-pool');
    expect(res.hits).toEqual(['/status?json']);
    expect(res.deviceLines).toEqual([
      'phpfpm_accepted_connections_total{pool="www"} 18',
      'phpfpm_active_processes{pool="www"} 1',
      'phpfpm_idle_processes{pool="www"} 1',
      'phpfpm_listen_queue{pool="www"} 0',
      'phpfpm_listen_queue_length{pool="www"} 0',
      'phpfpm_max_active_processes{pool="www"} 1',
      'phpfpm_max_children_reached_total{pool="www"} 0',
      'phpfpm_max_listen_queue{pool="www"} 0',
      'phpfpm_pool_info{pool="www",process_manager="dynamic"} 1',
      'phpfpm_slow_requests_total{pool="www"} 0',
      'phpfpm_start_time_seconds{pool="www"} 1551792028',
      'phpfpm_total_processes{pool="www"} 2',
    ]);
  });

  it('full page (?json&full): the per-process list is left out', async () => {
    const res = await probeOk('php-fpm-full');
    expect(res.deviceLines).toEqual([
      'phpfpm_accepted_connections_total{pool="www"} 3879',
      'phpfpm_active_processes{pool="www"} 1',
      'phpfpm_idle_processes{pool="www"} 9',
      'phpfpm_listen_queue{pool="www"} 0',
      'phpfpm_listen_queue_length{pool="www"} 0',
      'phpfpm_max_active_processes{pool="www"} 3',
      'phpfpm_max_children_reached_total{pool="www"} 0',
      'phpfpm_max_listen_queue{pool="www"} 0',
      'phpfpm_pool_info{pool="www",process_manager="static"} 1',
      'phpfpm_slow_requests_total{pool="www"} 0',
      'phpfpm_start_time_seconds{pool="www"} 1702044927',
      'phpfpm_total_processes{pool="www"} 10',
    ]);
  });

  it('fails the probe on an HTML error page', async () => {
    const series = await probeBody('phpfpm', '/status', 'text/html',
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n');
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="status"}')).toBe(0);
    expect(series.lines).toEqual([]);
  });

  it('fails the probe on JSON that is not a PHP-FPM status page', async () => {
    const series = await probeBody('phpfpm', '/status', 'application/json', '{"status":"ok"}');
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="status"}')).toBe(1);
    // accepted conn, listen queue, idle, active and total processes are required.
    expect(series.get('probe_mapping_errors')).toBe(5);
    expect(series.lines).toEqual([]);
  });
});
