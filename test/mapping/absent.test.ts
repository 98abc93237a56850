// A metric definition that finds nothing in the answer is not silent: a typo'd field, or
// a field a firmware update renamed, is counted (probe_metrics_absent), logged once per
// module, target and definition at a level shown by default, and said by `apiprobe probe`
// on stderr. on_missing: skip declares the metric optional, and then it stays quiet.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { probeCommand } from '../../src/commands/probe.js';
import { createLogger } from '../../src/log.js';
import { warnAbsent } from '../../src/server/observers.js';
import type { ProbeResult } from '../../src/probe/pipeline.js';
import type { ResolvedProbe } from '../../src/probe/resolve.js';
import { parseSeries, startExporter, writeTempFiles } from '../helpers/exporter.js';
import { CATALOG } from '../sim/catalog/index.js';
import { probeCatalogDevice } from '../helpers/modules.js';
import { startDevice } from '../sim/devices.js';
import { mapDoc } from './helpers.js';

const BOILER = { uptime_seconds: 86400, boilers: [{ id: 'b1', temp: 61 }, { id: 'b2', temp: 58 }], alarms: [], state: 'heating' };
const uptime = (value: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'heater_uptime_seconds', from: 'doc', value, ...more });
const temp = (each: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'heater_boiler_celsius', from: 'doc', each, labels: { boiler: '$.id' }, value: '$.temp', ...more });

describe('a metric definition that finds nothing', () => {
  it('is reported for a typo in value and in each, with what was not found', () => {
    expect(mapDoc(BOILER, uptime('$.uptime_second')).report.absents).toEqual(['test.metrics[0] (heater_uptime_seconds): no series: value $.uptime_second not found']);
    expect(mapDoc(BOILER, temp('$.boiler[*]')).report.absents).toEqual(['test.metrics[0] (heater_boiler_celsius): no series: each $.boiler[*] matched nothing']);
    expect(mapDoc(BOILER, temp('$.boilers[*]', { value: '$.temperature' })).report.absents).toEqual(['test.metrics[0] (heater_boiler_celsius): no series: value $.temperature not found']);
  });

  it('is not reported when the definition makes a series, or finds the device has none of the things', () => {
    const ok = mapDoc(BOILER, uptime('$.uptime_seconds'), temp('$.boilers[*]'));
    expect(ok.report.absents).toEqual([]);
    expect(ok.set.count).toBe(3);
    // An empty list: a device with no alarms, not a path that does not fit.
    expect(mapDoc(BOILER, { name: 'heater_alarm', from: 'doc', each: '$.alarms[*]', labels: { code: '$.code' }, value: 1 }).report.absents).toEqual([]);
    // A filter that matches no item, and a condition that holds for none: choices of the module.
    expect(mapDoc(BOILER, temp('$.boilers[?@.temp > 100]')).report.absents).toEqual([]);
    expect(mapDoc(BOILER, temp('$.boilers[*]', { when: '@.temp > 100' })).report.absents).toEqual([]);
    // null and "" are the device saying "no reading now".
    expect(mapDoc({ uptime_seconds: null }, uptime('$.uptime_seconds')).report.absents).toEqual([]);
    // Some items without the value: the definition still made series.
    expect(mapDoc({ boilers: [{ id: 'b1', temp: 61 }, { id: 'b2' }] }, temp('$.boilers[*]')).report.absents).toEqual([]);
  });

  it('is quiet with on_missing: skip, and a mapping error (not an absence) with on_missing: error', () => {
    const skip = mapDoc(BOILER, uptime('$.uptime_second', { on_missing: 'skip' }), temp('$.boiler[*]', { on_missing: 'skip' }));
    expect(skip.report.absents).toEqual([]);
    expect(skip.report.errors).toEqual([]);
    const error = mapDoc(BOILER, uptime('$.uptime_second', { on_missing: 'error' }));
    expect(error.report.absents).toEqual([]);
    expect(error.report.errors).toHaveLength(1);
  });
});

const MODULE = `modules:
  heater:
    requests:
      status: { path: /status.json }
    metrics:
      - { name: heater_uptime_seconds, from: status, value: '$.uptime_second' }
      - { name: heater_boiler_celsius, from: status, each: '$.boiler[*]', labels: { boiler: '$.id' }, value: '$.temp' }
      - { name: heater_state_info, type: info, from: status, labels: { state: '$.state' } }
      - { name: heater_firmware_info, type: info, from: status, labels: { firmware: '$.firmware' }, on_missing: skip }
`;

describe('probe_metrics_absent, the log and the command line', () => {
  it('counts the definitions in the probe, which still succeeds, and logs each once per module and target at warn', async () => {
    const device = await startDevice({ name: 'heater', routes: { '/status.json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(BOILER)) } });
    const exporter = await startExporter({ configYaml: MODULE });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await exporter.probe({ module: 'heater', target: device.url });
        const series = parseSeries(r.text);
        expect(series.get('probe_success')).toBe(1);
        expect(series.get('probe_metrics_absent')).toBe(2);
        expect(series.get('heater_state_info{state="heating"}')).toBe(1);
      }
      const warned = exporter.logs.filter((l) => l.includes('level=warn') && l.includes('metric absent'));
      expect(warned).toHaveLength(2);
      expect(warned[0]).toContain('module=heater');
      expect(warned[0]).toContain(`target=${device.url}`);
      expect(warned.join('\n')).toContain('heater.metrics[0] (heater_uptime_seconds): no series: value $.uptime_second not found');
      expect(warned.join('\n')).toContain('heater.metrics[1] (heater_boiler_celsius): no series: each $.boiler[*] matched nothing');
    } finally {
      await exporter.close();
      await device.close();
    }
  });

  it('apiprobe probe says it on stderr and exits 0', async () => {
    const dir = await writeTempFiles({ 'apiprobe.yml': MODULE, 'status.json': JSON.stringify(BOILER) });
    const r = await probeCommand({ configFile: `${dir}/apiprobe.yml`, configFormat: 'auto', module: 'heater', target: undefined, auth: undefined, params: [], files: [`status=${dir}/status.json`], explain: false, timeoutSeconds: undefined });
    expect(r.exitCode).toBe(0);
    expect(parseSeries(r.output).get('probe_metrics_absent')).toBe(2);
    expect(r.warnings).toBe(
      'warning: heater.metrics[0] (heater_uptime_seconds): no series: value $.uptime_second not found (on_missing: skip makes it optional)\n' +
        'warning: heater.metrics[1] (heater_boiler_celsius): no series: each $.boiler[*] matched nothing (on_missing: skip makes it optional)\n',
    );
  });

  it('remembers a bounded number of logged absences, the least recently seen forgotten first', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const observe = warnAbsent(createLogger('info', 'logfmt', sink), 2);
    const probeOf = (target: string): ResolvedProbe => ({ target } as unknown as ResolvedProbe);
    const result = { modules: [{ name: 'heater', success: true, absent: ['m0 not found'] }] } as unknown as ProbeResult;
    for (const t of ['a', 'b', 'a', 'c', 'a', 'b']) observe(probeOf(t), result);
    // a, b logged; a seen again (kept young); c logged and b forgotten; a still known; b logged again.
    expect(lines.map((l) => /target=(\w)/.exec(l)![1])).toEqual(['a', 'b', 'c', 'b']);
  });
});

describe('the shipped modules', () => {
  it('declare optional what some versions of their devices do not have: no absence against any simulated device', { timeout: 120_000 }, async () => {
    const exporter = await startExporter();
    try {
      const absent: string[] = [];
      for (const d of CATALOG) {
        const r = await probeCatalogDevice(exporter, d.name);
        if (r.series.get('probe_metrics_absent') !== 0) absent.push(`${d.name}: ${r.series.get('probe_metrics_absent')}`);
      }
      expect(absent).toEqual([]);
      expect(exporter.logs.filter((l) => l.includes('metric absent'))).toEqual([]);
    } finally {
      await exporter.close();
    }
  });
});
