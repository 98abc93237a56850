import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDFISH_DEVICES, startDevice, type RunningDevice } from '../../src/sim/devices.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';

describe('redfish module against the DMTF public-rackmount1 mockup', () => {
  let exporter: TestExporter;
  let device: RunningDevice;
  beforeAll(async () => {
    exporter = await startExporter();
    device = await startDevice(REDFISH_DEVICES['dmtf-rackmount']!);
  });
  afterAll(async () => {
    await exporter.close();
    await device.close();
  });

  it('answers probe_success 1 with the temperature, fan, power and health series', async () => {
    const res = await exporter.probe({ module: 'redfish', target: device.url });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const s = parseSeries(res.text);
    expect(s.get('probe_success')).toBe(1);
    expect(s.get('redfish_temperature_celsius{chassis="1U",sensor="CPU1 Temp"}')).toBe(41);
    expect(s.get('redfish_temperature_celsius{chassis="1U",sensor="Chassis Intake Temp"}')).toBe(25);
    // CPU2 Temp has no reading in the mockup: no series at all.
    expect([...s.keys()].filter((k) => k.includes('CPU2 Temp') && k.startsWith('redfish_temperature_celsius'))).toEqual([]);
    expect(s.get('redfish_fan_speed_rpm{chassis="1U",fan="BaseBoard System Fan"}')).toBe(2100);
    expect(s.get('redfish_power_consumed_watts{chassis="1U",control="0"}')).toBe(344);
    expect(s.get('redfish_system_power_on{system="437XR1138R2"}')).toBe(1);
    expect(s.get('redfish_system_health{system="437XR1138R2",redfish_system_health="OK"}')).toBe(1);
    expect(s.get('redfish_system_health{system="437XR1138R2",redfish_system_health="Critical"}')).toBe(0);
    expect(s.get('redfish_power_supply_health{chassis="1U",name="Power Supply Bay",power_supply="0",redfish_power_supply_health="Warning"}')).toBe(1);
    expect(s.get('probe_request_fetches{request="processor"}')).toBe(3);
  });
});
