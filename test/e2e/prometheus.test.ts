// A real Prometheus scraping the exporter with the configuration users copy:
// prometheus.example.yml, with only addresses and intervals changed for the test.
// Proves the relabeling (instance = device), the module parameter, the scrape
// timeout header, and that a device that is down is data (probe_success 0, up 1).
// A second job probes a UPS through NUT's upsd with the shipped nut module: the tcp
// protocol end to end.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REDFISH_DEVICES, startDevice, type RunningDevice } from '../sim/devices.js';
import { nutVariables, upsd, type SimDevice } from '../sim/tcp/devices.js';
import { ROOT, startExporter, tempDir as makeTempDir, type TestExporter } from '../helpers/exporter.js';
import { freePort, prometheusBin, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { eventually } from '../helpers/wait.js';


const EXAMPLE = path.join(ROOT, 'prometheus.example.yml');
/** The exporter address the example's relabeling sends scrapes to. */
const EXAMPLE_EXPORTER = 'localhost:7980';
/** Everything, startup included, must be visible through the query API within this. */
const READY_WITHIN_MS = 30_000;

interface RelabelConfig {
  source_labels?: string[];
  target_label?: string;
  replacement?: string;
}
interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs?: { targets: string[] }[];
  relabel_configs?: RelabelConfig[];
}
interface PromConfig {
  global?: Record<string, string>;
  scrape_configs: ScrapeConfig[];
}

/**
 * prometheus.example.yml with the devices and the exporter of this test, and 1s
 * intervals. Job names, metrics_path, params and relabel rules stay as shipped.
 */
function deriveConfig(exampleYaml: string, exporterAddress: string, deviceAddresses: string[]): PromConfig {
  const config = parse(exampleYaml) as PromConfig;
  config.global = { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  const probeJob = config.scrape_configs.find((j) => j.metrics_path === '/probe');
  if (!probeJob) throw new Error('prometheus.example.yml has no job with metrics_path /probe');
  const toExporter = probeJob.relabel_configs?.filter((r) => r.target_label === '__address__') ?? [];
  if (toExporter.length !== 1 || toExporter[0]!.replacement !== EXAMPLE_EXPORTER) {
    throw new Error(`prometheus.example.yml: expected one relabel rule setting __address__ to ${EXAMPLE_EXPORTER} in job ${probeJob.job_name}`);
  }
  toExporter[0]!.replacement = exporterAddress;
  probeJob.static_configs = [{ targets: deviceAddresses }];
  const selfJobs = config.scrape_configs.filter((j) => j !== probeJob);
  for (const job of selfJobs) {
    if (!job.static_configs?.every((sc) => sc.targets.every((t) => t === EXAMPLE_EXPORTER))) {
      throw new Error(`prometheus.example.yml: job ${job.job_name} is expected to scrape only the exporter (${EXAMPLE_EXPORTER})`);
    }
    job.static_configs = [{ targets: [exporterAddress] }];
  }
  for (const job of config.scrape_configs) {
    job.scrape_interval = '1s';
    job.scrape_timeout = '1s';
  }
  return config;
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(prometheusUrl: string, promql: string): Promise<VectorSample[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: VectorSample[] } };
  if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`query ${promql}: ${res.status} ${body.error ?? JSON.stringify(body)}`);
  return body.data.result;
}

/** instance label → value, for a query returning one series per instance. */
async function byInstance(prometheusUrl: string, promql: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await query(prometheusUrl, promql)) {
    const instance = s.metric.instance ?? '';
    if (instance in out) throw new Error(`query ${promql}: two series for instance ${instance}`);
    out[instance] = Number(s.value[1]);
  }
  return out;
}

describe('Prometheus scraping the exporter with prometheus.example.yml', () => {
  let exporter: TestExporter | undefined;
  let dmtf: RunningDevice;
  let dell: RunningDevice;
  let ups: SimDevice | undefined;
  let nutTarget: string;
  let prometheus: RunningPrometheus | undefined;
  let tempDir: string | undefined;
  /** A device that is down: nothing listens on this port. */
  let down: string;
  let exporterAddress: string;

  beforeAll(async () => {
    if (!prometheusBin.path) return;
    // The shipped redfish module, speaking http: BMCs use https, the simulated
    // devices plain http, and the targets must stay bare host:port as in the example.
    const modules = parse(await readFile(path.join(ROOT, 'modules/redfish.yml'), 'utf8')) as { modules: { redfish: { target?: Record<string, unknown> } } };
    modules.modules.redfish.target = { ...modules.modules.redfish.target, scheme: 'http' };
    exporter = await startExporter({ configYaml: stringify({ include: [path.join(ROOT, 'modules/nut.yml')], ...modules }) });
    exporterAddress = new URL(exporter.url).host;
    dmtf = await startDevice(REDFISH_DEVICES['dmtf-rackmount']!);
    dell = await startDevice(REDFISH_DEVICES['dell-idrac']!);
    down = `127.0.0.1:${await freePort()}`;
    ups = await upsd({ upses: { ups: { vars: nutVariables('nut/homeassistant-CP1500PFCLCD.json') } } });
    nutTarget = `127.0.0.1:${ups.port}`;

    tempDir = await makeTempDir('apiprobe-prometheus-');
    const configFile = path.join(tempDir, 'prometheus.yml');
    const config = deriveConfig(await readFile(EXAMPLE, 'utf8'), exporterAddress, [dmtf.address, dell.address, down]);
    // The example's probe job as it is, for the nut module and the UPS.
    const probeJob = config.scrape_configs.find((j) => j.metrics_path === '/probe')!;
    config.scrape_configs.push({ ...structuredClone(probeJob), job_name: 'nut', params: { module: ['nut'] }, static_configs: [{ targets: [nutTarget] }] });
    await writeFile(configFile, stringify(config));
    prometheus = await startPrometheus(configFile, path.join(tempDir, 'data'));

    // Scrapes start a few seconds after startup (discovery and the scrape manager
    // batch their updates); wait until every target has been scraped once.
    const expected = [dmtf.address, dell.address, down, nutTarget].sort();
    let seen: string[] = [];
    let selfUp = false;
    const [p, ex] = [prometheus, exporter];
    await eventually(
      () =>
        `every target scraped: within ${READY_WITHIN_MS / 1000}s Prometheus had probe_success for ${JSON.stringify(seen)} (want ${JSON.stringify(expected)}) and up{job="apiprobe"} ${selfUp ? 'present' : 'absent'}\n` +
        `prometheus log:\n${p.logs()}\nexporter log (last 20):\n${ex.logs.slice(-20).join('\n')}`,
      async () => {
        seen = Object.keys(await byInstance(p.url, 'probe_success')).sort();
        selfUp = (await query(p.url, 'up{job="apiprobe"}')).length > 0;
        return selfUp && expected.every((a) => seen.includes(a));
      },
      { timeout: READY_WITHIN_MS, interval: 250 },
    );
  }, READY_WITHIN_MS + 20_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
    await dmtf?.close();
    await dell?.close();
    await ups?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }, 15_000);

  beforeEach((ctx) => prometheusBin.skipIfMissing(ctx));

  it('labels each probe with the device as instance, and probe_success says which device answered', async () => {
    expect(await byInstance(prometheus!.url, 'probe_success{job="redfish"}')).toEqual({
      [dmtf.address]: 1,
      [dell.address]: 1,
      [down]: 0,
    });
  });

  it('scrapes every device target successfully, the one that is down included', async () => {
    // The exporter answered 200 for the dead device: upstream failure is data.
    expect(await byInstance(prometheus!.url, 'up{job="redfish"}')).toEqual({
      [dmtf.address]: 1,
      [dell.address]: 1,
      [down]: 1,
    });
  });

  it('stores the device metrics under the device instance', async () => {
    // The DMTF mockup's CPU sensor (37 °C, from its Sensors collection) and the iDRAC's (40 °C, from Thermal).
    expect(await byInstance(prometheus!.url, 'redfish_temperature_celsius{job="redfish",sensor=~"CPU1 Temp|CPU #1 Temperature"}')).toEqual({ [dmtf.address]: 37, [dell.address]: 40 });
    expect(await byInstance(prometheus!.url, 'redfish_power_consumed_watts{job="redfish"}')).toEqual({ [dmtf.address]: 374, [dell.address]: 429 });
    // Nothing from the device that is down but the probe's own series.
    expect(await query(prometheus!.url, `{job="redfish",instance="${down}",__name__=~"redfish_.*"}`)).toEqual([]);
  });

  it('passes the scrape timeout to the exporter, which keeps the offset for itself', async () => {
    // scrape_timeout 1s, --timeout-offset 0.5s (startExporter's default).
    expect(await byInstance(prometheus!.url, 'probe_timeout_seconds{job="redfish"}')).toEqual({
      [dmtf.address]: 0.5,
      [dell.address]: 0.5,
      [down]: 0.5,
    });
  });

  it("scrapes the exporter's own /metrics, which counts the probes", async () => {
    expect(await byInstance(prometheus!.url, 'up{job="apiprobe"}')).toEqual({ [exporterAddress]: 1 });
    // The self-scrape may have come before the first probes: give it a few intervals.
    const probeCounts = async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await query(prometheus!.url, 'apiprobe_probes_total{job="apiprobe",module="redfish"}')).map((s): [string, number] => [s.metric.result ?? '', Number(s.value[1])]),
      );
    await expect
      .poll(probeCounts, { timeout: 5_000, interval: 250 })
      // vitest types its asymmetric matchers as any: each stands for a count here.
      .toEqual({ success: expect.toSatisfy((n: number) => n >= 2) as number, failure: expect.toSatisfy((n: number) => n >= 1) as number });
  });

  it('probes a UPS through NUT upsd (the tcp protocol) and stores its series under the UPS as instance', async () => {
    expect(await byInstance(prometheus!.url, 'probe_success{job="nut"}')).toEqual({ [nutTarget]: 1 });
    expect(await byInstance(prometheus!.url, 'up{job="nut"}')).toEqual({ [nutTarget]: 1 });
    // homeassistant-CP1500PFCLCD.json: battery.runtime 10530, battery.charge 100, ups.status OL.
    expect(await byInstance(prometheus!.url, 'nut_battery_runtime_seconds{job="nut"}')).toEqual({ [nutTarget]: 10530 });
    expect(await byInstance(prometheus!.url, 'nut_battery_charge_ratio{job="nut"}')).toEqual({ [nutTarget]: 1 });
    expect(await byInstance(prometheus!.url, 'nut_ups_status{job="nut",nut_ups_status="OL"}')).toEqual({ [nutTarget]: 1 });
    expect(await byInstance(prometheus!.url, 'probe_request_success{job="nut",request="vars"}')).toEqual({ [nutTarget]: 1 });
    // A TCP answer has no HTTP status: the series is not there at all.
    expect(await query(prometheus!.url, 'probe_http_status_code{job="nut"}')).toEqual([]);
    expect(ups!.received.slice(0, 2)).toEqual(['LIST VAR ups', 'LOGOUT']);
  });
});
