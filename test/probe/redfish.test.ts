import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDFISH_DEVICES, startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';

let exporter: TestExporter;
beforeAll(async () => {
  exporter = await startExporter();
});
afterAll(async () => {
  await exporter.close();
});

async function probeDevice(name: string): Promise<{ text: string; series: Map<string, number>; device: RunningDevice }> {
  const device = await startDevice(REDFISH_DEVICES[name]!);
  try {
    const res = await exporter.probe({ module: 'redfish', target: device.url });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return { text: res.text, series: parseSeries(res.text), device };
  } finally {
    await device.close();
  }
}

function deviceSeries(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('redfish_'));
}

describe('redfish module against the DMTF public-rackmount1 mockup', () => {
  it('answers probe_success 1 with exactly the series the mockup holds', async () => {
    const { text, series, device } = await probeDevice('dmtf-rackmount');
    expect(series.get('probe_success')).toBe(1);
    // Checked by hand against test/fixtures/redfish/public-rackmount1: CPU2 Temp has a
    // null reading (no temperature series), DIMM4 and CPU2 are absent slots (no health).
    expect(deviceSeries(text)).toEqual([
    "redfish_chassis_health{chassis=\"1U\",redfish_chassis_health=\"Critical\"} 0",
    "redfish_chassis_health{chassis=\"1U\",redfish_chassis_health=\"OK\"} 1",
    "redfish_chassis_health{chassis=\"1U\",redfish_chassis_health=\"Warning\"} 0",
    "redfish_chassis_power_on{chassis=\"1U\"} 1",
    "redfish_fan_health{chassis=\"1U\",fan=\"BaseBoard System Fan\",redfish_fan_health=\"Critical\"} 0",
    "redfish_fan_health{chassis=\"1U\",fan=\"BaseBoard System Fan\",redfish_fan_health=\"OK\"} 1",
    "redfish_fan_health{chassis=\"1U\",fan=\"BaseBoard System Fan\",redfish_fan_health=\"Warning\"} 0",
    "redfish_fan_health{chassis=\"1U\",fan=\"BaseBoard System Fan Backup\",redfish_fan_health=\"Critical\"} 0",
    "redfish_fan_health{chassis=\"1U\",fan=\"BaseBoard System Fan Backup\",redfish_fan_health=\"OK\"} 1",
    "redfish_fan_health{chassis=\"1U\",fan=\"BaseBoard System Fan Backup\",redfish_fan_health=\"Warning\"} 0",
    "redfish_fan_speed_rpm{chassis=\"1U\",fan=\"BaseBoard System Fan\"} 2100",
    "redfish_fan_speed_rpm{chassis=\"1U\",fan=\"BaseBoard System Fan Backup\"} 2050",
    "redfish_memory_module_capacity_bytes{memory_module=\"DIMM1\",system=\"437XR1138R2\"} 34359738368",
    "redfish_memory_module_capacity_bytes{memory_module=\"DIMM2\",system=\"437XR1138R2\"} 34359738368",
    "redfish_memory_module_capacity_bytes{memory_module=\"DIMM3\",system=\"437XR1138R2\"} 34359738368",
    "redfish_memory_module_health{memory_module=\"DIMM1\",system=\"437XR1138R2\",redfish_memory_module_health=\"Critical\"} 0",
    "redfish_memory_module_health{memory_module=\"DIMM1\",system=\"437XR1138R2\",redfish_memory_module_health=\"OK\"} 1",
    "redfish_memory_module_health{memory_module=\"DIMM1\",system=\"437XR1138R2\",redfish_memory_module_health=\"Warning\"} 0",
    "redfish_memory_module_health{memory_module=\"DIMM2\",system=\"437XR1138R2\",redfish_memory_module_health=\"Critical\"} 0",
    "redfish_memory_module_health{memory_module=\"DIMM2\",system=\"437XR1138R2\",redfish_memory_module_health=\"OK\"} 1",
    "redfish_memory_module_health{memory_module=\"DIMM2\",system=\"437XR1138R2\",redfish_memory_module_health=\"Warning\"} 0",
    "redfish_memory_module_health{memory_module=\"DIMM3\",system=\"437XR1138R2\",redfish_memory_module_health=\"Critical\"} 0",
    "redfish_memory_module_health{memory_module=\"DIMM3\",system=\"437XR1138R2\",redfish_memory_module_health=\"OK\"} 1",
    "redfish_memory_module_health{memory_module=\"DIMM3\",system=\"437XR1138R2\",redfish_memory_module_health=\"Warning\"} 0",
    "redfish_power_consumed_watts{chassis=\"1U\",control=\"0\"} 344",
    "redfish_power_supply_health{chassis=\"1U\",name=\"Power Supply Bay\",power_supply=\"0\",redfish_power_supply_health=\"Critical\"} 0",
    "redfish_power_supply_health{chassis=\"1U\",name=\"Power Supply Bay\",power_supply=\"0\",redfish_power_supply_health=\"OK\"} 0",
    "redfish_power_supply_health{chassis=\"1U\",name=\"Power Supply Bay\",power_supply=\"0\",redfish_power_supply_health=\"Warning\"} 1",
    "redfish_power_supply_input_voltage_volts{chassis=\"1U\",power_supply=\"0\"} 120",
    "redfish_processor_health{processor=\"CPU1\",system=\"437XR1138R2\",redfish_processor_health=\"Critical\"} 0",
    "redfish_processor_health{processor=\"CPU1\",system=\"437XR1138R2\",redfish_processor_health=\"OK\"} 1",
    "redfish_processor_health{processor=\"CPU1\",system=\"437XR1138R2\",redfish_processor_health=\"Warning\"} 0",
    "redfish_processor_health{processor=\"FPGA1\",system=\"437XR1138R2\",redfish_processor_health=\"Critical\"} 0",
    "redfish_processor_health{processor=\"FPGA1\",system=\"437XR1138R2\",redfish_processor_health=\"OK\"} 1",
    "redfish_processor_health{processor=\"FPGA1\",system=\"437XR1138R2\",redfish_processor_health=\"Warning\"} 0",
    "redfish_system_health{system=\"437XR1138R2\",redfish_system_health=\"Critical\"} 0",
    "redfish_system_health{system=\"437XR1138R2\",redfish_system_health=\"OK\"} 1",
    "redfish_system_health{system=\"437XR1138R2\",redfish_system_health=\"Warning\"} 0",
    "redfish_system_health_rollup{system=\"437XR1138R2\",redfish_system_health_rollup=\"Critical\"} 0",
    "redfish_system_health_rollup{system=\"437XR1138R2\",redfish_system_health_rollup=\"OK\"} 1",
    "redfish_system_health_rollup{system=\"437XR1138R2\",redfish_system_health_rollup=\"Warning\"} 0",
    "redfish_system_info{bios_version=\"P79 v1.45 (12/06/2017)\",manufacturer=\"Contoso\",model=\"3500\",name=\"WebFrontEnd483\",serial_number=\"437XR1138R2\",system=\"437XR1138R2\"} 1",
    "redfish_system_memory_bytes{system=\"437XR1138R2\"} 103079215104",
    "redfish_system_power_on{system=\"437XR1138R2\"} 1",
    "redfish_system_processors{system=\"437XR1138R2\"} 2",
    "redfish_temperature_celsius{chassis=\"1U\",sensor=\"CPU1 Temp\"} 41",
    "redfish_temperature_celsius{chassis=\"1U\",sensor=\"Chassis Intake Temp\"} 25",
    "redfish_temperature_health{chassis=\"1U\",sensor=\"CPU1 Temp\",redfish_temperature_health=\"Critical\"} 0",
    "redfish_temperature_health{chassis=\"1U\",sensor=\"CPU1 Temp\",redfish_temperature_health=\"OK\"} 1",
    "redfish_temperature_health{chassis=\"1U\",sensor=\"CPU1 Temp\",redfish_temperature_health=\"Warning\"} 0",
    "redfish_temperature_health{chassis=\"1U\",sensor=\"Chassis Intake Temp\",redfish_temperature_health=\"Critical\"} 0",
    "redfish_temperature_health{chassis=\"1U\",sensor=\"Chassis Intake Temp\",redfish_temperature_health=\"OK\"} 1",
    "redfish_temperature_health{chassis=\"1U\",sensor=\"Chassis Intake Temp\",redfish_temperature_health=\"Warning\"} 0",
    ]);
    // Discovery walks the collections: systems → system → chassis → thermal/power,
    // system → processors → each processor, system → memory → each DIMM.
    expect(series.get('probe_request_fetches{request="processor"}')).toBe(3);
    expect(series.get('probe_request_fetches{request="memory_module"}')).toBe(4);
    expect(device.hits).toContain('/redfish/v1/Chassis/1U/Thermal');
    expect(device.hits.length).toBe(14);
  });
});

describe('redfish module against vendor payloads', () => {
  it('HPE iLO 5: fans in percent become ratios, PSUs by MemberId', async () => {
    const { series } = await probeDevice('hpe-ilo5');
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('redfish_temperature_celsius{sensor="01-Inlet Ambient"}')).toBe(19);
    expect(series.get('redfish_temperature_celsius{sensor="44-P/S 2 Zone"}')).toBe(34);
    expect(series.get('redfish_fan_speed_ratio{fan="Fan 1"}')).toBe(0.23);
    expect(series.get('redfish_power_consumed_watts{control="0"}')).toBe(221);
    expect(series.get('redfish_power_supply_health{name="HpeServerPowerSupply",power_supply="1",redfish_power_supply_health="OK"}')).toBe(1);
    expect(series.get('redfish_system_power_on{system="1"}')).toBe(1);
    expect(series.get('redfish_system_health{system="1",redfish_system_health="OK"}')).toBe(1);
    // This fixture set has no Processors/Memory resources: those optional requests
    // fail visibly without failing the probe.
    expect(series.get('probe_request_success{request="processors"}')).toBe(0);
    expect(series.get('probe_http_status_code{request="processors"}')).toBe(404);
    expect(series.get('probe_request_success{request="processor"}')).toBe(0);
  });

  it('HPE iLO 4: the older FanName/CurrentReading/Units fan schema', async () => {
    const { series } = await probeDevice('hpe-ilo4');
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('redfish_fan_speed_ratio{fan="Fan 1"}')).toBe(0.17);
    expect(series.get('redfish_fan_health{fan="Fan 1",redfish_fan_health="OK"}')).toBe(1);
  });

  it('Dell iDRAC: RPM fans, one PSU, chassis System.Embedded.1', async () => {
    const { text, series } = await probeDevice('dell-idrac');
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('redfish_temperature_celsius{chassis="System.Embedded.1",sensor="CPU1 Temp"}')).toBe(40);
    expect(deviceSeries(text).filter((l) => l.startsWith('redfish_fan_speed_rpm{'))).toHaveLength(16);
    expect(series.get('redfish_fan_speed_rpm{chassis="System.Embedded.1",fan="System Board Fan1A"}')).toBe(17760);
    expect(series.get('redfish_fan_speed_rpm{chassis="System.Embedded.1",fan="System Board Fan8B"}')).toBe(15840);
    expect(series.get('redfish_power_consumed_watts{chassis="System.Embedded.1",control="PowerControl"}')).toBe(429);
    expect(series.get('redfish_power_supply_input_voltage_volts{chassis="System.Embedded.1",power_supply="PSU.Slot.1"}')).toBe(206);
    expect(series.get('redfish_chassis_health{chassis="System.Embedded.1",redfish_chassis_health="OK"}')).toBe(1);
  });
});
