// json_exporter configuration files loaded unchanged: the same series, labels, values,
// HELP and TYPE as json_exporter gives for the same config and document, plus
// apiprobe's probe_* meta-metrics. Every field of a json_exporter module is exercised
// against a device serving documents of our own.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeries, startExporter, writeTempFiles, type TestExporter } from '../helpers/exporter.js';
import { selfSigned } from '../helpers/tls.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, 'fixtures');

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Device {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

type Route = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

function json(doc: unknown, status = 200): Route {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof doc === 'string' ? doc : JSON.stringify(doc));
  };
}

async function startDevice(routes: Record<string, Route>, tls?: { cert: Buffer; key: Buffer }): Promise<Device> {
  const seen: Seen[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const route = routes[(req.url ?? '').split('?')[0]!];
      if (!route) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      route(req, res, body);
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

/** The exposition without apiprobe's probe_* families: what json_exporter would serve. */
function deviceFamilies(text: string, format: 'text' | 'openmetrics' = 'text'): string {
  const blocks = format === 'text' ? text.split('\n\n') : text.replace(/# EOF\n$/, '').split(/\n(?=# HELP )/);
  return blocks
    .filter((b) => !b.startsWith('# HELP probe_'))
    .map((b) => b.replace(/\n$/, ''))
    .join(format === 'text' ? '\n\n' : '\n') + '\n';
}

function meta(text: string, name: string): number | undefined {
  return parseSeries(text).get(name);
}

describe('a json_exporter config and data file', () => {
  let exporter: TestExporter;
  let device: Device;

  beforeAll(async () => {
    device = await startDevice({ '/status.json': json(readFileSync(path.join(FIXTURES, 'station.json'), 'utf8')) });
    exporter = await startExporter({ configFile: path.join(FIXTURES, 'station.yml') });
  });
  afterAll(async () => {
    await exporter.close();
    await device.close();
  });

  it('give exactly the series json_exporter gives, in text 0.0.4', async () => {
    const res = await exporter.probe({ module: 'default', target: `${device.url}/status.json` });
    expect(res.status).toBe(200);
    expect(deviceFamilies(res.text)).toBe(`# HELP station_queue_depth_current station_queue_depth
# TYPE station_queue_depth_current untyped
station_queue_depth_current{limit="1e+06",queue="ingest"} 12
station_queue_depth_current{limit="500",queue="export"} 0

# HELP station_sensor_ok Sensors that report
# TYPE station_sensor_ok gauge
station_sensor_ok{kind="temperature",sensor="s1"} 1 1700000000123
station_sensor_ok{kind="temperature",sensor="s2"} 0 1700000000456

# HELP station_sensor_present Sensors that report
# TYPE station_sensor_present gauge
station_sensor_present{kind="temperature",sensor="s1"} 1 1700000000123
station_sensor_present{kind="temperature",sensor="s2"} 1 1700000000456

# HELP station_sensor_reading Sensors that report
# TYPE station_sensor_reading gauge
station_sensor_reading{kind="temperature",sensor="s1"} 21.5 1700000000123
station_sensor_reading{kind="temperature",sensor="s2"} 19.25 1700000000456

# HELP station_uptime_seconds Seconds since the station started
# TYPE station_uptime_seconds counter
station_uptime_seconds{release="2.4.1",site="planet-mars",tier="gold"} 86400
`);
    // The missing firmware build (allow_missing_key) is no error.
    expect(meta(res.text, 'probe_success')).toBe(1);
    expect(meta(res.text, 'probe_mapping_errors')).toBe(0);
    // Accept: application/json as json_exporter sends it, and the module's headers.
    const got = device.seen.at(-1)!;
    expect(got.method).toBe('GET');
    expect(got.url).toBe('/status.json');
    expect(got.headers.accept).toBe('application/json');
    expect(got.headers['x-station-client']).toBe('monitoring');
  });

  it('give the same series in OpenMetrics: timestamps in seconds, a counter without _total keeps its name', async () => {
    const res = await exporter.probe({ module: 'default', target: `${device.url}/status.json` }, { accept: 'application/openmetrics-text' });
    expect(deviceFamilies(res.text, 'openmetrics')).toBe(`# HELP station_queue_depth_current station_queue_depth
# TYPE station_queue_depth_current unknown
station_queue_depth_current{limit="1e+06",queue="ingest"} 12
station_queue_depth_current{limit="500",queue="export"} 0
# HELP station_sensor_ok Sensors that report
# TYPE station_sensor_ok gauge
station_sensor_ok{kind="temperature",sensor="s1"} 1 1700000000.123
station_sensor_ok{kind="temperature",sensor="s2"} 0 1700000000.456
# HELP station_sensor_present Sensors that report
# TYPE station_sensor_present gauge
station_sensor_present{kind="temperature",sensor="s1"} 1 1700000000.123
station_sensor_present{kind="temperature",sensor="s2"} 1 1700000000.456
# HELP station_sensor_reading Sensors that report
# TYPE station_sensor_reading gauge
station_sensor_reading{kind="temperature",sensor="s1"} 21.5 1700000000.123
station_sensor_reading{kind="temperature",sensor="s2"} 19.25 1700000000.456
# HELP station_uptime_seconds Seconds since the station started
# TYPE station_uptime_seconds unknown
station_uptime_seconds{release="2.4.1",site="planet-mars",tier="gold"} 86400
`);
    expect(res.text.endsWith('# EOF\n')).toBe(true);
  });

  it('take the module from the default name and the target as a full URL with a query', async () => {
    const res = await exporter.probe({ target: `${device.url}/status.json?station=7` });
    expect(res.status).toBe(200);
    expect(device.seen.at(-1)!.url).toBe('/status.json?station=7');
    expect(meta(res.text, 'station_uptime_seconds{release="2.4.1",site="planet-mars",tier="gold"}')).toBe(86400);
  });

  it('answer 200 with probe_success 0 where json_exporter answers 503', async () => {
    const res = await exporter.probe({ module: 'default', target: `${device.url}/missing.json` });
    expect(res.status).toBe(200);
    expect(meta(res.text, 'probe_success')).toBe(0);
    expect(meta(res.text, 'probe_http_status_code{request="json"}')).toBe(404);
    expect(res.text).not.toMatch(/^station_/m);
  });
});

const FIELDS = `
modules:
  filters:
    metrics:
    - name: port_speed
      type: object
      path: '{ .ports[?(@.admin == "up")] }'
      labels: { port: '{.name}' }
      values: { mbps: '{.speed}' }
    - name: port_errors_total
      valuetype: counter
      type: object
      path: '{.ports[?(@.errors > 0)]}'
      labels: { port: '{.name}' }
      values: { count: '{.errors}' }
    - name: port_first_speed
      path: '{.ports[0].speed}'
    - name: port_fast
      type: object
      path: '{.ports[?(@.name =~ "^eth")]}'
      labels: { port: '{.name}' }
      values: { seen: 1 }
  nested:
    metrics:
    - name: cluster_node_memory_bytes
      type: object
      path: '{.cluster.nodes[*]}'
      valuetype: gauge
      labels:
        node: 'node-{.host.name}/{.host.zone}'
        cluster: '{$.name}'
      values:
        used: '{.memory.used}'
        free: '{.memory.free}'
    - name: cluster_leader_term
      path: '{.cluster.leader.term}'
      labels: { leader: '{.cluster.leader.host.name}' }
  toplevel:
    metrics:
    - name: animal_population
      type: object
      path: '{ [*] }'
      labels: { name: '{ .noun }', predator: '{ .predator }' }
      values: { count: '{ .population }' }
  booleans:
    metrics:
    - name: flag
      type: object
      path: '{.flags[*]}'
      labels: { name: '{.name}' }
      values: { "on": '{.value}' }
  missing:
    metrics:
    - name: strict_value
      path: '{.absent}'
    - name: strict_present
      path: '{.present}'
  lenient:
    metrics:
    - name: lenient_value
      path: '{.absent}'
      allow_missing_key: true
    - name: lenient_item
      type: object
      path: '{.items[*]}'
      allow_missing_key: true
      labels: { id: '{.id}' }
      values: { size: '{.size}' }
    - name: lenient_present
      path: '{.present}'
      allow_missing_key: true
  texts:
    metrics:
    - name: text_value
      type: object
      path: '{.readings[*]}'
      labels: { id: '{.id}', raw: '{.v}' }
      values: { v: '{.v}' }
  converter:
    metrics:
    - name: service
      type: object
      path: '{.services[*]}'
      labels: { name: '{.name}' }
      values: { state: '{.state}', restarts: '{.restarts}' }
      valueconverter:
        '{.state}': { running: 1, STOPPED: 0 }
  stamped:
    metrics:
    - name: reading_celsius
      path: '{.celsius}'
      epochTimestamp: '{.at}'
      valuetype: gauge
    - name: reading_lagging
      path: '{.celsius}'
      epochtimestamp: '{.missing_at}'
      allow_missing_key: true
  statuses:
    valid_status_codes: [200, 503]
    metrics:
    - name: maintenance_mode
      path: '{.maintenance}'
  posting:
    headers:
      Content-Type: application/json
      Accept: application/vnd.api+json
    body:
      content: |
        {"site": {{ .site | first | quote }}, "depth": "{{ .depth | first | default "3" }}", "all": "{{ .tags }}"}
      templatize: true
    metrics:
    - name: search_hits
      path: '{.hits}'
  literal_body:
    body:
      content: '{"query": {"match_all": {}}}'
    metrics:
    - name: search_hits
      path: '{.hits}'
  redirected:
    metrics:
    - name: moved_value
      path: '{.value}'
  not_redirected:
    http_client_config:
      follow_redirects: false
    metrics:
    - name: moved_value
      path: '{.value}'
`;

describe('each field of a json_exporter module', () => {
  let exporter: TestExporter;
  let device: Device;

  beforeAll(async () => {
    device = await startDevice({
      '/ports': json({
        ports: [
          { name: 'eth0', admin: 'up', speed: 1000, errors: 3 },
          { name: 'eth1', admin: 'down', speed: 100, errors: 0 },
          { name: 'wlan0', admin: 'up', speed: '54', errors: 1 },
        ],
      }),
      '/cluster': json({
        name: 'prod',
        cluster: {
          leader: { term: 42, host: { name: 'a', zone: 'z1' } },
          nodes: [
            { host: { name: 'a', zone: 'z1' }, memory: { used: 1.5e9, free: 5e8 } },
            { host: { name: 'b', zone: 'z2' }, memory: { used: 2e9, free: 0 } },
          ],
        },
      }),
      '/animals': json([
        { noun: 'lion', population: 123, predator: true },
        { noun: 'deer', population: 456, predator: false },
      ]),
      '/flags': json({
        flags: [
          { name: 'bool-true', value: true },
          { name: 'bool-false', value: false },
          { name: 'string-true', value: 'true' },
          { name: 'string-True', value: 'True' },
          { name: 'string-f', value: 'f' },
        ],
      }),
      '/partial': json({ present: 5, items: [{ id: 'a', size: 1 }, { id: 'b' }] }),
      '/texts': json({
        readings: [
          { id: 'int', v: 7 },
          { id: 'exp', v: '2.5e3' },
          { id: 'big', v: 12345678 },
          { id: 'null', v: null },
          { id: 'word', v: 'n/a' },
        ],
      }),
      '/services': json({ services: [{ name: 'web', state: 'Running', restarts: '2' }, { name: 'db', state: 'stopped', restarts: 0 }] }),
      '/reading': json({ celsius: 21.5, at: 1700000000000 }),
      '/maintenance': json({ maintenance: true }, 503),
      '/teapot': json({ maintenance: false }, 418),
      '/search': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/vnd.api+json' });
        res.end('{"hits": 17}');
      },
      '/old': (_req, res) => {
        res.writeHead(301, { location: '/new' });
        res.end();
      },
      '/new': json({ value: 9 }),
    });
    exporter = await startExporter({ configYaml: FIELDS });
  });
  afterAll(async () => {
    await exporter.close();
    await device.close();
  });

  const probe = async (module: string, p: string, extra: Record<string, string> = {}): Promise<{ text: string; series: Map<string, number> }> => {
    const res = await exporter.probe({ module, target: `${device.url}${p}`, ...extra });
    expect(res.status).toBe(200);
    return { text: res.text, series: parseSeries(res.text) };
  };
  const deviceSeries = (series: Map<string, number>): Record<string, number> =>
    Object.fromEntries([...series].filter(([k]) => !k.startsWith('probe_')));

  it('filter expressions: ==, > and =~ select the elements', async () => {
    const { series } = await probe('filters', '/ports');
    expect(deviceSeries(series)).toEqual({
      'port_speed_mbps{port="eth0"}': 1000,
      'port_speed_mbps{port="wlan0"}': 54,
      'port_errors_total_count{port="eth0"}': 3,
      'port_errors_total_count{port="wlan0"}': 1,
      port_first_speed: 1000,
      'port_fast_seen{port="eth0"}': 1,
      'port_fast_seen{port="eth1"}': 1,
    });
  });

  it('nested objects: paths into them, text around two paths; $ in an object metric is the element, as in json_exporter', async () => {
    const { series } = await probe('nested', '/cluster');
    // The elements have no "name": the label is empty (absent), as json_exporter leaves it.
    expect(deviceSeries(series)).toEqual({
      'cluster_node_memory_bytes_used{node="node-a/z1"}': 1.5e9,
      'cluster_node_memory_bytes_free{node="node-a/z1"}': 5e8,
      'cluster_node_memory_bytes_used{node="node-b/z2"}': 2e9,
      'cluster_node_memory_bytes_free{node="node-b/z2"}': 0,
      'cluster_leader_term{leader="a"}': 42,
    });
  });

  it('[*] at the top level iterates a document that is a list', async () => {
    const { series } = await probe('toplevel', '/animals');
    expect(deviceSeries(series)).toEqual({
      'animal_population_count{name="lion",predator="true"}': 123,
      'animal_population_count{name="deer",predator="false"}': 456,
    });
  });

  it('booleans, and the strings Go reads as booleans, are 1 and 0', async () => {
    const { series } = await probe('booleans', '/flags');
    expect(deviceSeries(series)).toEqual({
      'flag_on{name="bool-true"}': 1,
      'flag_on{name="bool-false"}': 0,
      'flag_on{name="string-true"}': 1,
      'flag_on{name="string-True"}': 1,
      'flag_on{name="string-f"}': 0,
    });
  });

  it('a missing key without allow_missing_key drops the series and is an error (probe_success 0)', async () => {
    const { series } = await probe('missing', '/partial');
    expect(deviceSeries(series)).toEqual({ strict_present: 5 });
    expect(series.get('probe_mapping_errors')).toBe(1);
    expect(series.get('probe_success')).toBe(0);
    expect(exporter.logs.some((l) => l.includes('strict_value') && l.includes('value not found'))).toBe(true);
  });

  it('a missing key with allow_missing_key drops the series silently', async () => {
    const { series } = await probe('lenient', '/partial');
    expect(deviceSeries(series)).toEqual({ lenient_present: 5, 'lenient_item_size{id="a"}': 1 });
    expect(series.get('probe_mapping_errors')).toBe(0);
    expect(series.get('probe_success')).toBe(1);
  });

  it('values and labels are read as Go prints and parses them: null is NaN, a word is a conversion error', async () => {
    const { text, series } = await probe('texts', '/texts');
    expect(deviceSeries(series)).toEqual({
      'text_value_v{id="int",raw="7"}': 7,
      'text_value_v{id="exp",raw="2.5e3"}': 2500,
      'text_value_v{id="big",raw="1.2345678e+07"}': 12345678,
      'text_value_v{id="null",raw="<nil>"}': NaN,
    });
    expect(text).toContain('text_value_v{id="null",raw="<nil>"} NaN\n');
    // "n/a" is not a number for Go either: the series is dropped, the error logged and counted.
    expect(series.get('probe_mapping_errors')).toBe(1);
    expect(exporter.logs.some((l) => l.includes('text_value_v') && l.includes('n/a'))).toBe(true);
  });

  it('valueconverter maps strings to numbers, ignoring case', async () => {
    const { series } = await probe('converter', '/services');
    expect(deviceSeries(series)).toEqual({
      'service_state{name="web"}': 1,
      'service_state{name="db"}': 0,
      'service_restarts{name="web"}': 2,
      'service_restarts{name="db"}': 0,
    });
  });

  it('epochTimestamp (or epochtimestamp) gives the series its timestamp; a missing one with allow_missing_key gives none', async () => {
    const res = await exporter.probe({ module: 'stamped', target: `${device.url}/reading` });
    expect(res.text).toContain('\nreading_celsius 21.5 1700000000000\n');
    expect(res.text).toContain('\nreading_lagging 21.5\n');
    const om = await exporter.probe({ module: 'stamped', target: `${device.url}/reading` }, { accept: 'application/openmetrics-text' });
    expect(om.text).toContain('\nreading_celsius 21.5 1700000000\n');
  });

  it('valid_status_codes: a listed status is success, another is probe_success 0', async () => {
    const ok = await probe('statuses', '/maintenance');
    expect(ok.series.get('maintenance_mode')).toBe(1);
    expect(ok.series.get('probe_success')).toBe(1);
    const bad = await probe('statuses', '/teapot');
    expect(bad.series.get('maintenance_mode')).toBeUndefined();
    expect(bad.series.get('probe_success')).toBe(0);
    expect(bad.series.get('probe_http_status_code{request="json"}')).toBe(418);
  });

  it('a templated body is POSTed with the probe\'s query parameters; headers replace the default Accept', async () => {
    const { series } = await probe('posting', '/search', { site: 'hq "north"', tags: 'a' });
    expect(series.get('search_hits')).toBe(17);
    const got = device.seen.at(-1)!;
    expect(got.method).toBe('POST');
    expect(got.body).toBe('{"site": "hq \\"north\\"", "depth": "3", "all": "[a]"}\n');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers.accept).toBe('application/vnd.api+json');
  });

  it('a parameter the template reads without a default is required (400 naming it)', async () => {
    const res = await exporter.probe({ module: 'posting', target: `${device.url}/search` });
    expect(res.status).toBe(400);
    expect(res.text).toContain('parameter "site" is required by module posting');
  });

  it('a body without templatize is sent as it is', async () => {
    await probe('literal_body', '/search');
    const got = device.seen.at(-1)!;
    expect(got.method).toBe('POST');
    expect(got.body).toBe('{"query": {"match_all": {}}}');
  });

  it('redirects are followed as json_exporter follows them, unless follow_redirects: false', async () => {
    const followed = await probe('redirected', '/old');
    expect(followed.series.get('moved_value')).toBe(9);
    const stopped = await probe('not_redirected', '/old');
    expect(stopped.series.get('moved_value')).toBeUndefined();
    expect(stopped.series.get('probe_http_status_code{request="json"}')).toBe(301);
    expect(stopped.series.get('probe_success')).toBe(0);
  });
});

describe('http_client_config', () => {
  let plain: Device;
  let secure: Device;
  let dir: string;

  beforeAll(async () => {
    const tls = await selfSigned();
    const needsAuth: Route = (req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('monitor:s3cret').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="api"' });
        res.end();
        return;
      }
      json({ up: 1 })(req, res, '');
    };
    const needsBearer: Route = (req, res) => {
      if (req.headers.authorization !== 'Bearer tok-123') {
        res.writeHead(401);
        res.end();
        return;
      }
      json({ up: 1 })(req, res, '');
    };
    plain = await startDevice({ '/basic': needsAuth, '/bearer': needsBearer });
    secure = await startDevice({ '/basic': needsAuth, '/open': json({ up: 1 }) }, tls);
    dir = await writeTempFiles({ 'password.txt': 's3cret\n', 'token.txt': 'tok-123\n' });
  });
  afterAll(async () => {
    await plain.close();
    await secure.close();
  });

  it('basic_auth (password and password_file), bearer_token_file and authorization, and TLS insecure_skip_verify', async () => {
    const config = `
modules:
  basic:
    http_client_config:
      basic_auth: { username: monitor, password: s3cret }
    metrics: [{ name: up, path: '{.up}' }]
  basic_file:
    http_client_config:
      basic_auth: { username: monitor, password_file: password.txt }
    metrics: [{ name: up, path: '{.up}' }]
  bearer_file:
    http_client_config:
      bearer_token_file: token.txt
    metrics: [{ name: up, path: '{.up}' }]
  authorization:
    http_client_config:
      authorization: { credentials: tok-123 }
    metrics: [{ name: up, path: '{.up}' }]
  insecure:
    http_client_config:
      tls_config: { insecure_skip_verify: true }
      basic_auth: { username: monitor, password: s3cret }
    metrics: [{ name: up, path: '{.up}' }]
  verifying:
    metrics: [{ name: up, path: '{.up}' }]
`;
    const file = path.join(dir, 'config.yml');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, config));
    const exporter = await startExporter({ configFile: file });
    try {
      const up = async (module: string, target: string): Promise<number | undefined> => parseSeries((await exporter.probe({ module, target })).text).get('up');
      expect(await up('basic', `${plain.url}/basic`)).toBe(1);
      expect(await up('basic_file', `${plain.url}/basic`)).toBe(1);
      expect(await up('bearer_file', `${plain.url}/bearer`)).toBe(1);
      expect(await up('authorization', `${plain.url}/bearer`)).toBe(1);
      expect(await up('insecure', `${secure.url}/basic`)).toBe(1);
      // Without insecure_skip_verify the self-signed certificate is refused, as Go refuses it.
      const refused = await exporter.probe({ module: 'verifying', target: `${secure.url}/open` });
      expect(parseSeries(refused.text).get('probe_success')).toBe(0);
      expect(parseSeries(refused.text).get('up')).toBeUndefined();
      // The secrets never show.
      expect(exporter.logs.join('\n')).not.toContain('s3cret');
    } finally {
      await exporter.close();
    }
  });

  it('a redirect to another host gets no credentials, and one to a forbidden address is refused', async () => {
    const other = await startDevice({ '/landing': json({ up: 1 }) });
    const hop = await startDevice({
      '/elsewhere': (_req, res) => {
        res.writeHead(302, { location: `${other.url}/landing` });
        res.end();
      },
      '/metadata': (_req, res) => {
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data' });
        res.end();
      },
    });
    const file = path.join(dir, 'redirects.yml');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, `
modules:
  default:
    http_client_config:
      basic_auth: { username: monitor, password: s3cret }
    metrics: [{ name: up, path: '{.up}' }]
`));
    const exporter = await startExporter({ configFile: file });
    try {
      const moved = parseSeries((await exporter.probe({ target: `${hop.url}/elsewhere` })).text);
      expect(moved.get('up')).toBe(1);
      expect(hop.seen.at(-1)!.headers.authorization).toMatch(/^Basic /);
      expect(other.seen.at(-1)!.headers.authorization).toBeUndefined();
      const res = await exporter.probe({ target: `${hop.url}/metadata`, debug: 'true' });
      expect(res.text).toMatch(/redirect to http:\/\/169\.254\.169\.254 refused/);
      expect(parseSeries(res.text.slice(res.text.indexOf('# HELP'))).get('probe_success')).toBe(0);
    } finally {
      await exporter.close();
      await other.close();
      await hop.close();
    }
  });
});
