// The module author's commands: apiprobe probe (--explain, --file), check, init.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftModule } from '../../src/commands/init.js';
import { probeCommand, type ProbeCommand } from '../../src/commands/probe.js';
import { loadConfig } from '../../src/config/load.js';
import { FIXTURES, REDFISH_DEVICES, startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, ROOT, SHIPPED_CONFIG, writeTempFiles } from '../helpers/exporter.js';

// Each test starts processes (node, tsx, chromium, promtool): seconds on a quiet machine,
// many more on a loaded one.
const SLOW = { timeout: 90_000 };

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const base: ProbeCommand = { configFile: SHIPPED_CONFIG, configFormat: 'auto', module: 'redfish', target: undefined, auth: undefined, params: [], files: [], explain: false, timeoutSeconds: undefined };

// The DMTF mockup as a capture: one file per URL path.
const MOCKUP = path.join(FIXTURES, 'redfish/public-rackmount1');
const mockupFiles = globSync('redfish/v1/**/index.json', { cwd: MOCKUP }).map((f) => `/${path.dirname(f)}=${path.join(MOCKUP, f)}`);

describe('apiprobe probe', SLOW, () => {
  let device: RunningDevice;
  beforeAll(async () => {
    device = await startDevice(REDFISH_DEVICES['dmtf-rackmount']!);
  });
  afterAll(async () => {
    await device.close();
  });

  it('probes a device and prints the metrics', async () => {
    const r = await probeCommand({ ...base, target: device.url });
    expect(r.exitCode).toBe(0);
    expect(parseSeries(r.output).get('redfish_temperature_celsius{chassis="1U",sensor="CPU #1 Temperature"}')).toBe(37);
  });

  it('runs offline from saved answers, with the same series as against the device', async () => {
    const online = await probeCommand({ ...base, target: device.url });
    const offline = await probeCommand({ ...base, files: mockupFiles });
    expect(offline.exitCode).toBe(0);
    const strip = (t: string): string[] => t.split('\n').filter((l) => l.startsWith('redfish_'));
    expect(strip(offline.output)).toEqual(strip(online.output));
    expect(strip(offline.output).length).toBe(100);
  });

  it('explains what was fetched, what each path matched and why a series was skipped', async () => {
    const r = await probeCommand({ ...base, files: mockupFiles, explain: true });
    expect(r.output).toMatch(/^What the probe did:\n/);
    expect(r.output).toContain('sensors: GET /redfish/v1/Chassis/1U/Sensors?$expand=. -> 200');
    // Per follow: how many links it found, why it was not followed, and when it found nothing.
    expect(r.output).toContain('sensor: $.Members[*]["@odata.id"] matched 41 links in GET /redfish/v1/Chassis/1U/Sensors?$expand=.');
    expect(r.output).toContain('thermal: not followed from GET /redfish/v1/Chassis/1U: when !@.ThermalSubsystem does not hold');
    expect(r.output).toContain('power_supply_metrics: $.Metrics["@odata.id"] matched nothing in GET /redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/Bay2 (0 links)');
    // Per mapping: the first item, what a condition left out, and what was skipped.
    // (Saved answers are read as they come: which sensor is first is not fixed.)
    expect(r.output).toMatch(/\(redfish_temperature_celsius\): first item: chassis=\{chassis\} → "1U"; sensor=\$\.Name → "[^"]+ Temperature"; value \$\.Reading → [\d.]+\n/);
    expect(r.output).toContain('(redfish_temperature_celsius): when @.ReadingType == "Temperature" || (!@.ReadingType && @.ReadingUnits == "Cel") left out 33 items');
    expect(r.output).toContain('(redfish_temperature_celsius): 8 series from 41 responses of sensor');
    expect(r.output).toContain('(redfish_fan_speed_rpm): value not found {chassis="1U",fan="Fan for CPU 1"}');
    expect(r.output).toContain('\nMetrics:\n');
  });

  it('exits 1 when the probe fails and 2 when it cannot run', async () => {
    const dir = await writeTempFiles({ 'service-root.json': '{"Systems": ' });
    const failed = await probeCommand({ ...base, files: [`/redfish/v1=${path.join(dir, 'service-root.json')}`] });
    expect(failed.exitCode).toBe(1);
    expect(parseSeries(failed.output).get('probe_success')).toBe(0);
    const usage = await probeCommand({ ...base, module: 'nosuch', target: '127.0.0.1' });
    expect(usage).toEqual({ output: 'unknown module "nosuch"\n', exitCode: 2 });
  });

  it('exits 2 with one line when a --file cannot be read', async () => {
    const missing = await probeCommand({ ...base, files: ['/redfish/v1/Systems=/nonexistent.json'] });
    expect(missing).toEqual({ output: '--file /redfish/v1/Systems=/nonexistent.json: cannot read /nonexistent.json (ENOENT)\n', exitCode: 2 });
    const r = await cli(['probe', '--module', 'nginx', '--file', 'status=/nonexistent.txt']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: '--file status=/nonexistent.txt: cannot read /nonexistent.txt (ENOENT)\n' });
  });

  it('is wired into the command line', async () => {
    const r = await cli(['probe', '--module', 'nginx', '--file', `status=${path.join(FIXTURES, 'nginx/nginx-docs-stub_status-example.txt')}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nginx_connections_active 291');
  });
});

describe('apiprobe check', SLOW, () => {
  it('exits 0 with a summary for a valid configuration and 1 with located problems', async () => {
    const ok = await cli(['check', '--config.file', 'apiprobe.yml']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/apiprobe\.yml: \d+ modules from \d+ files, all valid\n$/);
    const dir = await writeTempFiles({ 'bad.yml': 'modules:\n  m:\n    requests: { s: { path: nope } }\n' });
    const bad = await cli(['check', '--config.file', path.join(dir, 'bad.yml')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`${path.join(dir, 'bad.yml')}:3:28 modules.m.requests.s.path: path must start with "/" (got "nope")\n`);
  });
});

describe('apiprobe init', () => {
  const SAMPLE = {
    hostname: 'pdu-7',
    firmware: '3.2.1',
    status: 'OK',
    uptime_seconds: 86400,
    requests_total: 1234,
    enabled: true,
    temperature: { inlet: 21.5, exhaust: '33.0' },
    outlets: [
      { id: 1, name: 'A1', power_watts: 120, state: 'on', health: 'OK' },
      { id: 2, name: 'A2', power_watts: 0, state: 'off', health: 'Warning' },
    ],
  };

  async function draftAndProbe(sample: unknown, name: string): Promise<{ yaml: string; series: Map<string, number>; exitCode: number }> {
    const yaml = draftModule(sample, { name, path: '/status' });
    const dir = await writeTempFiles({ 'apiprobe.yml': 'include: [draft.yml]\n', 'draft.yml': yaml, 'sample.json': JSON.stringify(sample) });
    await loadConfig(path.join(dir, 'apiprobe.yml'));
    const r = await probeCommand({ ...base, configFile: path.join(dir, 'apiprobe.yml'), module: name, files: [`status=${path.join(dir, 'sample.json')}`] });
    return { yaml, series: parseSeries(r.output), exitCode: r.exitCode };
  }

  it('drafts gauges, counters, statesets, an info metric and per-element series; the draft passes check and maps its sample', async () => {
    const { yaml, series, exitCode } = await draftAndProbe(SAMPLE, 'pdu');
    expect(exitCode).toBe(0);
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('pdu_uptime_seconds')).toBe(86400);
    expect(series.get('pdu_requests_total')).toBe(1234);
    expect(yaml).toMatch(/name: pdu_requests_total\n\s+help: .*\n\s+type: counter/);
    expect(series.get('pdu_enabled')).toBe(1);
    expect(series.get('pdu_temperature_inlet')).toBe(21.5);
    expect(series.get('pdu_temperature_exhaust')).toBe(33);
    expect(series.get('pdu_status{pdu_status="OK"}')).toBe(1);
    expect(series.get('pdu_status{pdu_status="Critical"}')).toBe(0);
    expect(series.get('pdu_info{firmware="3.2.1",hostname="pdu-7"}')).toBe(1);
    expect(series.get('pdu_outlets_power_watts{id="1"}')).toBe(120);
    expect(series.get('pdu_outlets_power_watts{id="2"}')).toBe(0);
    expect(series.get('pdu_outlets_health{id="2",pdu_outlets_health="Warning"}')).toBe(1);
    expect(series.get('pdu_outlets_state{id="2",pdu_outlets_state="off"}')).toBe(1);
    expect(series.get('pdu_outlets_info{id="1",name="A1"}')).toBe(1);
  });

  it('proposes a stateset for a string field named like a state, and info labels for other strings, in lists too', async () => {
    const heater = { state: 'heating', model: 'X200', temp: 61.5, boilers: [{ id: 'b1', mode: 'eco', vendor: 'Acme', temp: 50 }] };
    const { yaml, series, exitCode } = await draftAndProbe(heater, 'heater');
    expect(exitCode).toBe(0);
    expect(series.get('heater_state{heater_state="heating"}')).toBe(1);
    expect(yaml).toMatch(/name: heater_state\n\s+help: state from the sample \(list the other states it takes\)\n\s+type: stateset/);
    expect(series.get('heater_info{model="X200"}')).toBe(1);
    expect(series.get('heater_boilers_mode{id="b1",heater_boilers_mode="eco"}')).toBe(1);
    expect(series.get('heater_boilers_info{id="b1",vendor="Acme"}')).toBe(1);
    expect(series.get('heater_boilers_temp{id="b1"}')).toBe(50);
  });

  it.each([
    ['rabbitmq/telegraf-set2-overview.json', 'rabbitmq'],
    ['php-fpm/telegraf-phpfpm-full.json', 'phpfpm'],
    ['elasticsearch/clusterhealth-7.13.1.json', 'es'],
  ])('drafts a working module from the real %s', async (file, name) => {
    const sample: unknown = JSON.parse((await import('node:fs')).readFileSync(path.join(FIXTURES, file), 'utf8'));
    const { series, exitCode } = await draftAndProbe(sample, name);
    expect(exitCode).toBe(0);
    expect([...series.keys()].filter((k) => k.startsWith(`${name}_`)).length).toBeGreaterThan(5);
  });

  it('is wired into the command line', async () => {
    const dir = await writeTempFiles({ 'device-status.json': JSON.stringify(SAMPLE) });
    const r = await cli(['init', '--from', path.join(dir, 'device-status.json'), '--path', '/api/status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('modules:\n  device_status:\n');
    expect(r.stdout).toContain('path: /api/status');
    await writeFile(path.join(dir, 'apiprobe.yml'), 'include: [m.yml]\n');
    await writeFile(path.join(dir, 'm.yml'), r.stdout);
    expect((await cli(['check', '--config.file', path.join(dir, 'apiprobe.yml')])).code).toBe(0);
  });
});
