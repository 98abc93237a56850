// The redfish module on Redfish services shaped as the schema allows them, not only as
// one vendor shapes them: DMTF's rackmount (both models), tower (the current model with a
// Sensors collection, the deprecated resources beside it), bladed (an enclosure no system
// links to) and composability (a system without Links.Chassis) mockups, HPE iLO 4/5 and
// Dell iDRAC captures, and variants of those trees a conformant service may present.
// The expected series were checked against the fixture files (values as the files have
// them, times the module's documented scale).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, REDFISH_DEVICES, startDevice, type DeviceSpec, type Handler, type RunningDevice } from '../sim/devices.js';
import { parseSeries, startExporter, type TestExporter } from '../helpers/exporter.js';
import { checkMetrics, promtool } from '../helpers/promtool.js';

let exporter: TestExporter;
beforeAll(async () => {
  exporter = await startExporter();
});
afterAll(async () => {
  await exporter.close();
});

interface Probed {
  text: string;
  series: Map<string, number>;
  device: RunningDevice;
}

async function probeSpec(spec: DeviceSpec, debug = false): Promise<Probed> {
  const device = await startDevice(spec);
  try {
    const res = await exporter.probe({ module: 'redfish', target: device.url, ...(debug ? { debug: 'true' } : {}) });
    expect(res.status).toBe(200);
    const metrics = debug ? res.text.slice(res.text.indexOf('Metrics that would have been returned:')) : res.text;
    return { text: res.text, series: parseSeries(metrics), device };
  } finally {
    await device.close();
  }
}

const probeDevice = (name: string, debug = false): Promise<Probed> => probeSpec(REDFISH_DEVICES[name]!, debug);

function deviceSeries(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('redfish_'));
}

/** A fixture file served as JSON after `edit` changed what a variant of the device has. */
function edited(file: string, edit: (doc: Record<string, unknown>) => unknown): Handler {
  return (_req, res) => {
    void readFile(path.join(FIXTURES, file), 'utf8').then((text) => {
      const body = JSON.stringify(edit(JSON.parse(text) as Record<string, unknown>));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  };
}

/** A handler answering with this JSON. */
function json(doc: unknown): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  };
}

const DELL = 'redfish/telegraf-dell-idrac';

describe('redfish module, current model (DMTF public-rackmount1: ThermalSubsystem, PowerSubsystem, Sensors, EnvironmentMetrics beside the deprecated Thermal and Power)', () => {
  it('reads the current resources only, each reading once', async () => {
    const { text, series, device } = await probeDevice('dmtf-rackmount');
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_duplicate_series_dropped')).toBe(0);
    expect(deviceSeries(text)).toEqual([
      "redfish_battery_charge_ratio{battery=\"Module1\",chassis=\"1U\"} 1",
      "redfish_battery_health{battery=\"Module1\",chassis=\"1U\",redfish_battery_health=\"Critical\"} 0",
      "redfish_battery_health{battery=\"Module1\",chassis=\"1U\",redfish_battery_health=\"OK\"} 1",
      "redfish_battery_health{battery=\"Module1\",chassis=\"1U\",redfish_battery_health=\"Warning\"} 0",
      "redfish_battery_state_of_health_ratio{battery=\"Module1\",chassis=\"1U\"} 0.91",
      "redfish_chassis_health{chassis=\"1U\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"1U\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"1U\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_info{chassis=\"1U\",chassis_type=\"RackMount\",manufacturer=\"Contoso\",model=\"3500RX\",name=\"Computer System Chassis\",serial_number=\"437XR1138R2\"} 1",
      "redfish_chassis_power_on{chassis=\"1U\"} 1",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan Bay 1\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan Bay 1\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan Bay 1\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan Bay 2\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan Bay 2\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan Bay 2\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan for CPU 1\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan for CPU 1\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan for CPU 1\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan for CPU 2\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan for CPU 2\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"1U\",fan=\"Fan for CPU 2\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_speed_ratio{chassis=\"1U\",fan=\"Fan Bay 1\"} 0.45",
      "redfish_fan_speed_ratio{chassis=\"1U\",fan=\"Fan Bay 2\"} 0.45",
      "redfish_fan_speed_ratio{chassis=\"1U\",fan=\"Fan for CPU 1\"} 0.45",
      "redfish_fan_speed_ratio{chassis=\"1U\",fan=\"Fan for CPU 2\"} 0.45",
      "redfish_fan_speed_rpm{chassis=\"1U\",fan=\"Fan Bay 1\"} 2200",
      "redfish_fan_speed_rpm{chassis=\"1U\",fan=\"Fan Bay 2\"} 2400",
      "redfish_fan_speed_rpm{chassis=\"1U\",fan=\"Fan for CPU 2\"} 1490",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_info{firmware_version=\"1.45.455b66-rev4\",manager=\"BMC\",manager_type=\"BMC\",model=\"Joo Janta 200\",name=\"Manager\"} 1",
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
      "redfish_power_consumed_watts{chassis=\"1U\"} 374",
      "redfish_power_supply_health{chassis=\"1U\",name=\"Power Supply Bay 1\",power_supply=\"Bay1\",redfish_power_supply_health=\"Critical\"} 0",
      "redfish_power_supply_health{chassis=\"1U\",name=\"Power Supply Bay 1\",power_supply=\"Bay1\",redfish_power_supply_health=\"OK\"} 0",
      "redfish_power_supply_health{chassis=\"1U\",name=\"Power Supply Bay 1\",power_supply=\"Bay1\",redfish_power_supply_health=\"Warning\"} 1",
      "redfish_power_supply_input_power_watts{chassis=\"1U\",power_supply=\"Bay1\"} 937.4",
      "redfish_power_supply_input_voltage_volts{chassis=\"1U\",power_supply=\"Bay1\"} 230.2",
      "redfish_power_supply_output_power_watts{chassis=\"1U\",power_supply=\"Bay1\"} 937.4",
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
      "redfish_temperature_celsius{chassis=\"1U\",sensor=\"Ambient Temperature\"} 22.5",
      "redfish_temperature_celsius{chassis=\"1U\",sensor=\"Battery #1 Temperature\"} 33",
      "redfish_temperature_celsius{chassis=\"1U\",sensor=\"CPU #1 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"1U\",sensor=\"DIMM #1 Temperature\"} 44",
      "redfish_temperature_celsius{chassis=\"1U\",sensor=\"DIMM #2 Temperature\"} 44",
      "redfish_temperature_celsius{chassis=\"1U\",sensor=\"DIMM #3 Temperature\"} 44",
      "redfish_temperature_celsius{chassis=\"1U\",sensor=\"Fan Bay #1 Exhaust Temperature\"} 40.5",
      "redfish_temperature_celsius{chassis=\"1U\",sensor=\"Front Panel Intake Temperature\"} 24.8",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Ambient Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Ambient Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Ambient Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Battery #1 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Battery #1 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Battery #1 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"CPU #1 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"CPU #1 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"CPU #1 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #1 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #1 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #1 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #2 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #2 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #2 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #3 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #3 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"DIMM #3 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Fan Bay #1 Exhaust Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Fan Bay #1 Exhaust Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Fan Bay #1 Exhaust Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Front Panel Intake Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Front Panel Intake Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"1U\",sensor=\"Front Panel Intake Temperature\",redfish_temperature_health=\"Warning\"} 0",
    ]);
    // Temperatures from the Sensors collection (every sensor fetched once); ThermalMetrics,
    // Thermal and Power are not read when the current resources are there.
    expect(series.get('probe_request_fetches{request="sensor"}')).toBe(41);
    for (const skipped of ['thermal_metrics', 'thermal', 'power']) expect(series.get(`probe_request_fetches{request="${skipped}"}`)).toBe(0);
    expect(device.hits).not.toContain('/redfish/v1/Chassis/1U/Thermal');
    expect(device.hits).not.toContain('/redfish/v1/Chassis/1U/Power');
    expect(device.hits).not.toContain('/redfish/v1/Chassis/1U/ThermalSubsystem/ThermalMetrics');
    expect(new Set(device.hits).size).toBe(device.hits.length);
  });
});

describe('redfish module on DMTF public-tower (52 sensors, ThermalMetrics listing only two of them, absent PSU sensors and DIMM slots)', () => {
  it('takes every temperature from the Sensors collection, and nothing from an empty slot', async () => {
    const { text, series, device } = await probeDevice('dmtf-tower');
    expect(series.get('probe_success')).toBe(1);
    expect(deviceSeries(text)).toEqual([
      "redfish_chassis_health{chassis=\"Tower\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"Tower\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"Tower\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_info{chassis=\"Tower\",chassis_type=\"StandAlone\",manufacturer=\"Contoso\",model=\"3500TX\",name=\"Computer System Chassis\",serial_number=\"437XR1238R2\"} 1",
      "redfish_chassis_power_on{chassis=\"Tower\"} 1",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan Bay 1\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan Bay 1\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan Bay 1\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan Bay 2\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan Bay 2\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan Bay 2\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan for CPU 1\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan for CPU 1\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan for CPU 1\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan for CPU 2\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan for CPU 2\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"Tower\",fan=\"Fan for CPU 2\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_speed_ratio{chassis=\"Tower\",fan=\"Fan Bay 1\"} 0.45",
      "redfish_fan_speed_ratio{chassis=\"Tower\",fan=\"Fan Bay 2\"} 0.45",
      "redfish_fan_speed_ratio{chassis=\"Tower\",fan=\"Fan for CPU 1\"} 0.45",
      "redfish_fan_speed_ratio{chassis=\"Tower\",fan=\"Fan for CPU 2\"} 0.45",
      "redfish_fan_speed_rpm{chassis=\"Tower\",fan=\"Fan Bay 1\"} 2200",
      "redfish_fan_speed_rpm{chassis=\"Tower\",fan=\"Fan Bay 2\"} 2400",
      "redfish_fan_speed_rpm{chassis=\"Tower\",fan=\"Fan for CPU 2\"} 1490",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_info{firmware_version=\"1.45.455b66-rev4\",manager=\"BMC\",manager_type=\"BMC\",model=\"Joo Janta 200\",name=\"Manager\"} 1",
      "redfish_memory_module_capacity_bytes{memory_module=\"DIMM1\",system=\"437XR1238R2\"} 137438953472",
      "redfish_memory_module_capacity_bytes{memory_module=\"DIMM2\",system=\"437XR1238R2\"} 137438953472",
      "redfish_memory_module_capacity_bytes{memory_module=\"DIMM3\",system=\"437XR1238R2\"} 137438953472",
      "redfish_memory_module_capacity_bytes{memory_module=\"DIMM4\",system=\"437XR1238R2\"} 137438953472",
      "redfish_memory_module_capacity_bytes{memory_module=\"DIMM5\",system=\"437XR1238R2\"} 137438953472",
      "redfish_memory_module_capacity_bytes{memory_module=\"DIMM6\",system=\"437XR1238R2\"} 137438953472",
      "redfish_memory_module_capacity_bytes{memory_module=\"DIMM7\",system=\"437XR1238R2\"} 137438953472",
      "redfish_memory_module_capacity_bytes{memory_module=\"DIMM8\",system=\"437XR1238R2\"} 137438953472",
      "redfish_memory_module_health{memory_module=\"DIMM1\",system=\"437XR1238R2\",redfish_memory_module_health=\"Critical\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM1\",system=\"437XR1238R2\",redfish_memory_module_health=\"OK\"} 1",
      "redfish_memory_module_health{memory_module=\"DIMM1\",system=\"437XR1238R2\",redfish_memory_module_health=\"Warning\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM2\",system=\"437XR1238R2\",redfish_memory_module_health=\"Critical\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM2\",system=\"437XR1238R2\",redfish_memory_module_health=\"OK\"} 1",
      "redfish_memory_module_health{memory_module=\"DIMM2\",system=\"437XR1238R2\",redfish_memory_module_health=\"Warning\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM3\",system=\"437XR1238R2\",redfish_memory_module_health=\"Critical\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM3\",system=\"437XR1238R2\",redfish_memory_module_health=\"OK\"} 1",
      "redfish_memory_module_health{memory_module=\"DIMM3\",system=\"437XR1238R2\",redfish_memory_module_health=\"Warning\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM4\",system=\"437XR1238R2\",redfish_memory_module_health=\"Critical\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM4\",system=\"437XR1238R2\",redfish_memory_module_health=\"OK\"} 1",
      "redfish_memory_module_health{memory_module=\"DIMM4\",system=\"437XR1238R2\",redfish_memory_module_health=\"Warning\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM5\",system=\"437XR1238R2\",redfish_memory_module_health=\"Critical\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM5\",system=\"437XR1238R2\",redfish_memory_module_health=\"OK\"} 1",
      "redfish_memory_module_health{memory_module=\"DIMM5\",system=\"437XR1238R2\",redfish_memory_module_health=\"Warning\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM6\",system=\"437XR1238R2\",redfish_memory_module_health=\"Critical\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM6\",system=\"437XR1238R2\",redfish_memory_module_health=\"OK\"} 1",
      "redfish_memory_module_health{memory_module=\"DIMM6\",system=\"437XR1238R2\",redfish_memory_module_health=\"Warning\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM7\",system=\"437XR1238R2\",redfish_memory_module_health=\"Critical\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM7\",system=\"437XR1238R2\",redfish_memory_module_health=\"OK\"} 1",
      "redfish_memory_module_health{memory_module=\"DIMM7\",system=\"437XR1238R2\",redfish_memory_module_health=\"Warning\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM8\",system=\"437XR1238R2\",redfish_memory_module_health=\"Critical\"} 0",
      "redfish_memory_module_health{memory_module=\"DIMM8\",system=\"437XR1238R2\",redfish_memory_module_health=\"OK\"} 1",
      "redfish_memory_module_health{memory_module=\"DIMM8\",system=\"437XR1238R2\",redfish_memory_module_health=\"Warning\"} 0",
      "redfish_power_consumed_watts{chassis=\"Tower\"} 974",
      "redfish_power_supply_health{chassis=\"Tower\",name=\"Power Supply Bay 1\",power_supply=\"Bay1\",redfish_power_supply_health=\"Critical\"} 0",
      "redfish_power_supply_health{chassis=\"Tower\",name=\"Power Supply Bay 1\",power_supply=\"Bay1\",redfish_power_supply_health=\"OK\"} 0",
      "redfish_power_supply_health{chassis=\"Tower\",name=\"Power Supply Bay 1\",power_supply=\"Bay1\",redfish_power_supply_health=\"Warning\"} 1",
      "redfish_power_supply_health{chassis=\"Tower\",name=\"Power Supply Bay 2\",power_supply=\"Bay2\",redfish_power_supply_health=\"Critical\"} 0",
      "redfish_power_supply_health{chassis=\"Tower\",name=\"Power Supply Bay 2\",power_supply=\"Bay2\",redfish_power_supply_health=\"OK\"} 1",
      "redfish_power_supply_health{chassis=\"Tower\",name=\"Power Supply Bay 2\",power_supply=\"Bay2\",redfish_power_supply_health=\"Warning\"} 0",
      "redfish_power_supply_input_power_watts{chassis=\"Tower\",power_supply=\"Bay1\"} 487.4",
      "redfish_power_supply_input_power_watts{chassis=\"Tower\",power_supply=\"Bay2\"} 487.4",
      "redfish_power_supply_input_voltage_volts{chassis=\"Tower\",power_supply=\"Bay1\"} 116",
      "redfish_power_supply_input_voltage_volts{chassis=\"Tower\",power_supply=\"Bay2\"} 111",
      "redfish_power_supply_output_power_watts{chassis=\"Tower\",power_supply=\"Bay1\"} 463.1",
      "redfish_power_supply_output_power_watts{chassis=\"Tower\",power_supply=\"Bay2\"} 463",
      "redfish_processor_health{processor=\"CPU1\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU1\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU1\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU2\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU2\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU2\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU3\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU3\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU3\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU4\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU4\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU4\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU5\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU5\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU5\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU6\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU6\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU6\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU7\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU7\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU7\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU8\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU8\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU8\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"GPU1\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"GPU1\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"GPU1\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"GPU2\",system=\"437XR1238R2\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"GPU2\",system=\"437XR1238R2\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"GPU2\",system=\"437XR1238R2\",redfish_processor_health=\"Warning\"} 0",
      "redfish_system_health{system=\"437XR1238R2\",redfish_system_health=\"Critical\"} 0",
      "redfish_system_health{system=\"437XR1238R2\",redfish_system_health=\"OK\"} 1",
      "redfish_system_health{system=\"437XR1238R2\",redfish_system_health=\"Warning\"} 0",
      "redfish_system_health_rollup{system=\"437XR1238R2\",redfish_system_health_rollup=\"Critical\"} 0",
      "redfish_system_health_rollup{system=\"437XR1238R2\",redfish_system_health_rollup=\"OK\"} 1",
      "redfish_system_health_rollup{system=\"437XR1238R2\",redfish_system_health_rollup=\"Warning\"} 0",
      "redfish_system_info{bios_version=\"P79 v1.95 (12/06/2019)\",manufacturer=\"Contoso\",model=\"3500\",name=\"Dev-Render-2\",serial_number=\"437XR1238R2\",system=\"437XR1238R2\"} 1",
      "redfish_system_memory_bytes{system=\"437XR1238R2\"} 1099511627776",
      "redfish_system_power_on{system=\"437XR1238R2\"} 1",
      "redfish_system_processors{system=\"437XR1238R2\"} 8",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"Ambient Temperature\"} 22.5",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"CPU #1 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"CPU #2 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"CPU #3 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"CPU #4 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"CPU #5 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"CPU #6 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"CPU #7 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"CPU #8 Temperature\"} 37",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"DIMM #1 Temperature\"} 44",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"DIMM #2 Temperature\"} 44",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"DIMM #3 Temperature\"} 44",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"Fan Bay #1 Exhaust Temperature\"} 40.5",
      "redfish_temperature_celsius{chassis=\"Tower\",sensor=\"Front Panel Intake Temperature\"} 24.8",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Ambient Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Ambient Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Ambient Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #1 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #1 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #1 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #2 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #2 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #2 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #3 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #3 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #3 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #4 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #4 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #4 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #5 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #5 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #5 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #6 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #6 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #6 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #7 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #7 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #7 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #8 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #8 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"CPU #8 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #1 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #1 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #1 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #2 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #2 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #2 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #3 Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #3 Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"DIMM #3 Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Fan Bay #1 Exhaust Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Fan Bay #1 Exhaust Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Fan Bay #1 Exhaust Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Front Panel Intake Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Front Panel Intake Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Tower\",sensor=\"Front Panel Intake Temperature\",redfish_temperature_health=\"Warning\"} 0",
    ]);
    // 14 temperature sensors, each once; the other 38 sensors are not temperatures.
    expect(deviceSeries(text).filter((l) => l.startsWith('redfish_temperature_celsius{'))).toHaveLength(14);
    expect(series.get('probe_request_fetches{request="sensor"}')).toBe(52);
    // The eight Absent DIMM slots give no series at all.
    expect(text).not.toMatch(/memory_module="DIMM(9|1[0-6])"/);
    expect(device.hits.filter((h) => h.endsWith('/Thermal') || h.endsWith('/Power'))).toEqual([]);
  });
});

describe('redfish module on DMTF public-bladed (an enclosure no system links to, blades with their own Thermal)', () => {
  it('finds the enclosure in the Chassis collection and reads its fans and power supplies', async () => {
    const { text, series, device } = await probeDevice('dmtf-bladed');
    expect(series.get('probe_success')).toBe(1);
    expect(deviceSeries(text)).toEqual([
      "redfish_chassis_health{chassis=\"Blade1\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"Blade1\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"Blade1\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_health{chassis=\"Blade2\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"Blade2\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"Blade2\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_health{chassis=\"Blade3\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"Blade3\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"Blade3\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_health{chassis=\"Blade4\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"Blade4\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"Blade4\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_health{chassis=\"MultiBladeEncl\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"MultiBladeEncl\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"MultiBladeEncl\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_info{chassis=\"Blade1\",chassis_type=\"Blade\",manufacturer=\"Contoso\",model=\"SX1000\",name=\"Blade\",serial_number=\"529QB9450R6\"} 1",
      "redfish_chassis_info{chassis=\"Blade2\",chassis_type=\"Blade\",manufacturer=\"Contoso\",model=\"SX1000\",name=\"Blade\",serial_number=\"529QB9451R6\"} 1",
      "redfish_chassis_info{chassis=\"Blade3\",chassis_type=\"Blade\",manufacturer=\"Contoso\",model=\"SX1000\",name=\"Blade\",serial_number=\"529QB9452R6\"} 1",
      "redfish_chassis_info{chassis=\"Blade4\",chassis_type=\"Blade\",manufacturer=\"Contoso\",model=\"SX1000\",name=\"Blade\",serial_number=\"529QB9453R6\"} 1",
      "redfish_chassis_info{chassis=\"MultiBladeEncl\",chassis_type=\"Enclosure\",manufacturer=\"Contoso\",model=\"QB6000\",name=\"Quad Blade Enclosure\",serial_number=\"528QB1654R1\"} 1",
      "redfish_chassis_power_on{chassis=\"Blade1\"} 1",
      "redfish_chassis_power_on{chassis=\"Blade2\"} 1",
      "redfish_chassis_power_on{chassis=\"Blade3\"} 1",
      "redfish_chassis_power_on{chassis=\"Blade4\"} 1",
      "redfish_chassis_power_on{chassis=\"MultiBladeEncl\"} 1",
      "redfish_fan_health{chassis=\"Blade1\",fan=\"CPU Fan\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"Blade1\",fan=\"CPU Fan\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"Blade1\",fan=\"CPU Fan\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"Blade2\",fan=\"CPU Fan\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"Blade2\",fan=\"CPU Fan\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"Blade2\",fan=\"CPU Fan\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"Blade3\",fan=\"CPU Fan\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"Blade3\",fan=\"CPU Fan\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"Blade3\",fan=\"CPU Fan\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"Blade4\",fan=\"CPU Fan\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"Blade4\",fan=\"CPU Fan\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"Blade4\",fan=\"CPU Fan\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 0\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 0\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 0\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 1\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 1\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 1\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 2\",redfish_fan_health=\"Critical\"} 1",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 2\",redfish_fan_health=\"OK\"} 0",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 2\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 3\",redfish_fan_health=\"Critical\"} 0",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 3\",redfish_fan_health=\"OK\"} 1",
      "redfish_fan_health{chassis=\"MultiBladeEncl\",fan=\"System Fan 3\",redfish_fan_health=\"Warning\"} 0",
      "redfish_fan_speed_rpm{chassis=\"Blade1\",fan=\"CPU Fan\"} 6000",
      "redfish_fan_speed_rpm{chassis=\"Blade2\",fan=\"CPU Fan\"} 5800",
      "redfish_fan_speed_rpm{chassis=\"Blade3\",fan=\"CPU Fan\"} 9600",
      "redfish_fan_speed_rpm{chassis=\"Blade4\",fan=\"CPU Fan\"} 4800",
      "redfish_fan_speed_rpm{chassis=\"MultiBladeEncl\",fan=\"System Fan 0\"} 15100",
      "redfish_fan_speed_rpm{chassis=\"MultiBladeEncl\",fan=\"System Fan 1\"} 14800",
      "redfish_fan_speed_rpm{chassis=\"MultiBladeEncl\",fan=\"System Fan 2\"} 0",
      "redfish_fan_speed_rpm{chassis=\"MultiBladeEncl\",fan=\"System Fan 3\"} 15000",
      "redfish_manager_health{manager=\"Blade1BMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"Blade1BMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"Blade1BMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_health{manager=\"Blade2BMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"Blade2BMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"Blade2BMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_health{manager=\"Blade3BMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"Blade3BMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"Blade3BMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_health{manager=\"Blade4BMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"Blade4BMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"Blade4BMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_health{manager=\"MultiBladeBMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"MultiBladeBMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"MultiBladeBMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_info{firmware_version=\"1.00\",manager=\"Blade1BMC\",manager_type=\"BMC\",name=\"Blade Manager\"} 1",
      "redfish_manager_info{firmware_version=\"1.00\",manager=\"Blade2BMC\",manager_type=\"BMC\",name=\"Blade Manager\"} 1",
      "redfish_manager_info{firmware_version=\"1.00\",manager=\"Blade3BMC\",manager_type=\"BMC\",name=\"Blade Manager\"} 1",
      "redfish_manager_info{firmware_version=\"1.00\",manager=\"Blade4BMC\",manager_type=\"BMC\",name=\"Blade Manager\"} 1",
      "redfish_manager_info{firmware_version=\"1.00\",manager=\"MultiBladeBMC\",manager_type=\"EnclosureManager\",name=\"Enclosure Manager\"} 1",
      "redfish_power_supply_health{chassis=\"MultiBladeEncl\",name=\"Power Supply 0\",power_supply=\"0\",redfish_power_supply_health=\"Critical\"} 0",
      "redfish_power_supply_health{chassis=\"MultiBladeEncl\",name=\"Power Supply 0\",power_supply=\"0\",redfish_power_supply_health=\"OK\"} 1",
      "redfish_power_supply_health{chassis=\"MultiBladeEncl\",name=\"Power Supply 0\",power_supply=\"0\",redfish_power_supply_health=\"Warning\"} 0",
      "redfish_power_supply_health{chassis=\"MultiBladeEncl\",name=\"Power Supply 1\",power_supply=\"1\",redfish_power_supply_health=\"Critical\"} 0",
      "redfish_power_supply_health{chassis=\"MultiBladeEncl\",name=\"Power Supply 1\",power_supply=\"1\",redfish_power_supply_health=\"OK\"} 1",
      "redfish_power_supply_health{chassis=\"MultiBladeEncl\",name=\"Power Supply 1\",power_supply=\"1\",redfish_power_supply_health=\"Warning\"} 0",
      "redfish_power_supply_input_voltage_volts{chassis=\"MultiBladeEncl\",power_supply=\"0\"} 220",
      "redfish_power_supply_input_voltage_volts{chassis=\"MultiBladeEncl\",power_supply=\"1\"} 222",
      "redfish_power_supply_output_power_watts{chassis=\"MultiBladeEncl\",power_supply=\"0\"} 650",
      "redfish_power_supply_output_power_watts{chassis=\"MultiBladeEncl\",power_supply=\"1\"} 635",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9450R6\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9450R6\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9450R6\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9451R6\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9451R6\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9451R6\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9452R6\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9452R6\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9452R6\",redfish_processor_health=\"Warning\"} 0",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9453R6\",redfish_processor_health=\"Critical\"} 0",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9453R6\",redfish_processor_health=\"OK\"} 1",
      "redfish_processor_health{processor=\"CPU\",system=\"529QB9453R6\",redfish_processor_health=\"Warning\"} 0",
      "redfish_system_health{system=\"529QB9450R6\",redfish_system_health=\"Critical\"} 0",
      "redfish_system_health{system=\"529QB9450R6\",redfish_system_health=\"OK\"} 1",
      "redfish_system_health{system=\"529QB9450R6\",redfish_system_health=\"Warning\"} 0",
      "redfish_system_health{system=\"529QB9451R6\",redfish_system_health=\"Critical\"} 0",
      "redfish_system_health{system=\"529QB9451R6\",redfish_system_health=\"OK\"} 1",
      "redfish_system_health{system=\"529QB9451R6\",redfish_system_health=\"Warning\"} 0",
      "redfish_system_health{system=\"529QB9452R6\",redfish_system_health=\"Critical\"} 0",
      "redfish_system_health{system=\"529QB9452R6\",redfish_system_health=\"OK\"} 1",
      "redfish_system_health{system=\"529QB9452R6\",redfish_system_health=\"Warning\"} 0",
      "redfish_system_health{system=\"529QB9453R6\",redfish_system_health=\"Critical\"} 0",
      "redfish_system_health{system=\"529QB9453R6\",redfish_system_health=\"OK\"} 1",
      "redfish_system_health{system=\"529QB9453R6\",redfish_system_health=\"Warning\"} 0",
      "redfish_system_health_rollup{system=\"529QB9450R6\",redfish_system_health_rollup=\"Critical\"} 0",
      "redfish_system_health_rollup{system=\"529QB9450R6\",redfish_system_health_rollup=\"OK\"} 1",
      "redfish_system_health_rollup{system=\"529QB9450R6\",redfish_system_health_rollup=\"Warning\"} 0",
      "redfish_system_health_rollup{system=\"529QB9451R6\",redfish_system_health_rollup=\"Critical\"} 0",
      "redfish_system_health_rollup{system=\"529QB9451R6\",redfish_system_health_rollup=\"OK\"} 1",
      "redfish_system_health_rollup{system=\"529QB9451R6\",redfish_system_health_rollup=\"Warning\"} 0",
      "redfish_system_health_rollup{system=\"529QB9452R6\",redfish_system_health_rollup=\"Critical\"} 0",
      "redfish_system_health_rollup{system=\"529QB9452R6\",redfish_system_health_rollup=\"OK\"} 1",
      "redfish_system_health_rollup{system=\"529QB9452R6\",redfish_system_health_rollup=\"Warning\"} 0",
      "redfish_system_health_rollup{system=\"529QB9453R6\",redfish_system_health_rollup=\"Critical\"} 0",
      "redfish_system_health_rollup{system=\"529QB9453R6\",redfish_system_health_rollup=\"OK\"} 1",
      "redfish_system_health_rollup{system=\"529QB9453R6\",redfish_system_health_rollup=\"Warning\"} 0",
      "redfish_system_info{bios_version=\"P86 v1.58 (10/15/2015)\",manufacturer=\"Contoso\",model=\"SX1000\",name=\"Bladed System\",serial_number=\"529QB9450R6\",system=\"529QB9450R6\"} 1",
      "redfish_system_info{bios_version=\"P86 v1.58 (10/15/2015)\",manufacturer=\"Contoso\",model=\"SX1000\",name=\"Bladed System\",serial_number=\"529QB9451R6\",system=\"529QB9451R6\"} 1",
      "redfish_system_info{bios_version=\"P86 v1.58 (10/15/2015)\",manufacturer=\"Contoso\",model=\"SX1000\",name=\"Bladed System\",serial_number=\"529QB9452R6\",system=\"529QB9452R6\"} 1",
      "redfish_system_info{bios_version=\"P86 v1.58 (10/15/2015)\",manufacturer=\"Contoso\",model=\"SX1000\",name=\"Bladed System\",serial_number=\"529QB9453R6\",system=\"529QB9453R6\"} 1",
      "redfish_system_memory_bytes{system=\"529QB9450R6\"} 68719476736",
      "redfish_system_memory_bytes{system=\"529QB9451R6\"} 68719476736",
      "redfish_system_memory_bytes{system=\"529QB9452R6\"} 68719476736",
      "redfish_system_memory_bytes{system=\"529QB9453R6\"} 68719476736",
      "redfish_system_power_on{system=\"529QB9450R6\"} 1",
      "redfish_system_power_on{system=\"529QB9451R6\"} 1",
      "redfish_system_power_on{system=\"529QB9452R6\"} 1",
      "redfish_system_power_on{system=\"529QB9453R6\"} 1",
      "redfish_system_processors{system=\"529QB9450R6\"} 1",
      "redfish_system_processors{system=\"529QB9451R6\"} 1",
      "redfish_system_processors{system=\"529QB9452R6\"} 1",
      "redfish_system_processors{system=\"529QB9453R6\"} 1",
      "redfish_temperature_celsius{chassis=\"Blade1\",sensor=\"CPU Temp\"} 62",
      "redfish_temperature_celsius{chassis=\"Blade2\",sensor=\"CPU Temp\"} 57",
      "redfish_temperature_celsius{chassis=\"Blade3\",sensor=\"CPU Temp\"} 77",
      "redfish_temperature_celsius{chassis=\"Blade4\",sensor=\"CPU Temp\"} 50",
      "redfish_temperature_celsius{chassis=\"MultiBladeEncl\",sensor=\"Chassis Intake\"} 24",
      "redfish_temperature_health{chassis=\"Blade1\",sensor=\"CPU Temp\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Blade1\",sensor=\"CPU Temp\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Blade1\",sensor=\"CPU Temp\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Blade2\",sensor=\"CPU Temp\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Blade2\",sensor=\"CPU Temp\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Blade2\",sensor=\"CPU Temp\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"Blade3\",sensor=\"CPU Temp\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Blade3\",sensor=\"CPU Temp\",redfish_temperature_health=\"OK\"} 0",
      "redfish_temperature_health{chassis=\"Blade3\",sensor=\"CPU Temp\",redfish_temperature_health=\"Warning\"} 1",
      "redfish_temperature_health{chassis=\"Blade4\",sensor=\"CPU Temp\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"Blade4\",sensor=\"CPU Temp\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"Blade4\",sensor=\"CPU Temp\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"MultiBladeEncl\",sensor=\"Chassis Intake\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"MultiBladeEncl\",sensor=\"Chassis Intake\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"MultiBladeEncl\",sensor=\"Chassis Intake\",redfish_temperature_health=\"Warning\"} 0",
    ]);
    // Each blade is both in the collection and in its system's Links.Chassis: read once.
    for (const c of ['Blade1', 'Blade2', 'Blade3', 'Blade4', 'MultiBladeEncl']) {
      expect(device.hits.filter((h) => h === `/redfish/v1/Chassis/${c}`)).toHaveLength(1);
    }
    expect(series.get('probe_request_fetches{request="chassis"}')).toBe(5);
    expect(series.get('probe_duplicate_series_dropped')).toBe(0);
  });
});

describe('redfish module on DMTF public-composability (a composed system without Links.Chassis; a subset of the mockup)', () => {
  it('reads the chassis of the collection; the members not shipped with the fixture are the only failures', async () => {
    const { text, series } = await probeDevice('dmtf-composability', true);
    expect(series.get('redfish_system_info{name="Sample Composed System",system="ComposedSystem"}')).toBe(1);
    expect(series.get('redfish_fan_speed_rpm{chassis="ComposableEnclosure",fan="System Fan 0"}')).toBe(15100);
    expect(series.get('redfish_power_supply_input_voltage_volts{chassis="ComposableEnclosure",power_supply="1"}')).toBe(222);
    expect(series.get('redfish_temperature_celsius{chassis="ComposableEnclosure",sensor="Chassis Intake"}')).toBe(24);
    // Processors and DIMMs outside the system's own path (in resource blocks) are followed.
    expect(series.get('redfish_processor_health{processor="Block1CPU0",system="ComposedSystem",redfish_processor_health="OK"}')).toBe(1);
    expect(series.get('redfish_memory_module_capacity_bytes{memory_module="Block1DIMM3",system="ComposedSystem"}')).toBe(8589934592);
    // Only part of the mockup is in test/fixtures: the other members answer 404.
    const failures = text.split('\n').filter((l) => / error /.test(l));
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(f).toMatch(/: GET \/redfish\/v1\/(Systems|Chassis)\/[A-Za-z0-9]+: unexpected HTTP status 404$/);
    expect(series.get('probe_success')).toBe(0);
  });
});

describe('redfish module on DMTF public-pdu (no Systems; a rack PDU, a floor PDU and a transfer switch; chassis with only a Sensors collection)', () => {
  it('reads mains, branches and outlets of each piece of power equipment, and the temperatures of chassis that have only Sensors', async () => {
    const { text, series, device } = await probeDevice('dmtf-pdu');
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_duplicate_series_dropped')).toBe(0);
    expect(series.get('probe_mapping_errors')).toBe(0);
    expect(deviceSeries(text)).toEqual([
      "redfish_chassis_health{chassis=\"PDU\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"PDU\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"PDU\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_health{chassis=\"TransferSwitch1\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"TransferSwitch1\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"TransferSwitch1\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_info{chassis=\"PDU\",manufacturer=\"Contoso\",model=\"ZAP4000\",name=\"Rack PDU Chassis\",serial_number=\"29347ZT536\"} 1",
      "redfish_chassis_info{chassis=\"TransferSwitch1\",manufacturer=\"Contoso\",model=\"ZAP4000\",name=\"Transfer Switch Chassis\",serial_number=\"29347ZT536\"} 1",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_current_amperes{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\"} 5.19",
      "redfish_circuit_current_amperes{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 5.19",
      "redfish_circuit_current_amperes{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line1\"} 8.08",
      "redfish_circuit_current_amperes{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line2\"} 8.08",
      "redfish_circuit_current_amperes{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line1\"} 8.02",
      "redfish_circuit_current_amperes{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line2\"} 8.66",
      "redfish_circuit_current_amperes{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line3\"} 6.91",
      "redfish_circuit_current_amperes{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Neutral\"} 2.74",
      "redfish_circuit_current_amperes{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line1\"} 0",
      "redfish_circuit_current_amperes{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line2\"} 0",
      "redfish_circuit_current_amperes{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\"} 2.9",
      "redfish_circuit_current_amperes{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 5.95",
      "redfish_circuit_current_amperes{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 4.13",
      "redfish_circuit_energy_joules_total{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\"} 1172430000000",
      "redfish_circuit_energy_joules_total{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 1172430000000",
      "redfish_circuit_energy_joules_total{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\"} 46040400000",
      "redfish_circuit_energy_joules_total{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 397242000000",
      "redfish_circuit_energy_joules_total{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 437997600000",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_power_watts{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\"} 1050.5",
      "redfish_circuit_power_watts{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 937.4",
      "redfish_circuit_power_watts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line1ToLine2\"} 1500.1",
      "redfish_circuit_power_watts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line1ToLine2\"} 738.9",
      "redfish_circuit_power_watts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line1ToNeutral\"} 198.4",
      "redfish_circuit_power_watts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line2ToLine3\"} 748.3",
      "redfish_circuit_power_watts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line2ToNeutral\"} 231.5",
      "redfish_circuit_power_watts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line3ToLine1\"} 759.6",
      "redfish_circuit_power_watts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line3ToNeutral\"} 58.1",
      "redfish_circuit_power_watts{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line1ToLine2\"} 0",
      "redfish_circuit_power_watts{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\"} 586.96",
      "redfish_circuit_power_watts{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 977.8",
      "redfish_circuit_power_watts{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\"} 816.5",
      "redfish_circuit_voltage_volts{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line1ToLine2\"} 202.4",
      "redfish_circuit_voltage_volts{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line1ToLine2\"} 203.5",
      "redfish_circuit_voltage_volts{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line1ToNeutral\"} 118.2",
      "redfish_circuit_voltage_volts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line1ToLine2\"} 202.2",
      "redfish_circuit_voltage_volts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line1ToLine2\"} 202.8",
      "redfish_circuit_voltage_volts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line1ToNeutral\"} 117.8",
      "redfish_circuit_voltage_volts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line2ToLine3\"} 203.8",
      "redfish_circuit_voltage_volts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line2ToNeutral\"} 116.6",
      "redfish_circuit_voltage_volts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line3ToLine1\"} 205.3",
      "redfish_circuit_voltage_volts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line3ToNeutral\"} 118.5",
      "redfish_circuit_voltage_volts{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line1ToLine2\"} 209.2",
      "redfish_circuit_voltage_volts{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",line=\"Line1ToLine2\"} 202.4",
      "redfish_circuit_voltage_volts{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line2ToLine3\"} 203.6",
      "redfish_circuit_voltage_volts{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line2ToNeutral\"} 116.7",
      "redfish_circuit_voltage_volts{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line3ToLine1\"} 205.1",
      "redfish_circuit_voltage_volts{circuit=\"C\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"RackPDU\",line=\"Line3ToNeutral\"} 118.4",
      "redfish_humidity_ratio{chassis=\"PDU\",sensor=\"Rack PDU Humidity\"} 0.43",
      "redfish_humidity_ratio{chassis=\"TransferSwitch1\",sensor=\"Rack PDU Humidity\"} 0.43",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_info{firmware_version=\"1.00\",manager=\"BMC\",manager_type=\"BMC\",model=\"Joo Janta 200\",name=\"Manager\"} 1",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A1\"} 2.15",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A2\"} 1.9",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A3\"} 1.14",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B1\"} 1.01",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B2\"} 1.01",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B3\"} 0.89",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A1\"} 1.68",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A2\"} 1.9",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A3\"} 1.73",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B1\"} 3.08",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B2\"} 1.58",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B3\"} 2.09",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C1\"} 0.48",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C2\"} 1.93",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C3\"} 1.74",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A1\"} 190587600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A2\"} 190587600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A3\"} 280587600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B1\"} 2836800000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B2\"} 3196800000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B3\"} 4341600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A1\"} 130197600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A2\"} 190587600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A3\"} 222652800000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B1\"} 130197600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B2\"} 194187600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B3\"} 222652800000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C1\"} 130197600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C2\"} 190587600000",
      "redfish_outlet_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C3\"} 222652800000",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A1\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A1\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A1\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A2\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A2\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A2\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A3\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A3\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A3\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B1\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B1\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B1\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B2\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B2\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B2\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B3\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B3\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B3\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A1\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A1\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A1\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A2\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A2\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A2\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A3\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A3\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A3\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A4\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A4\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A4\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B1\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B1\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B1\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B2\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B2\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B2\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B3\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B3\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B3\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C1\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C1\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C1\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C2\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C2\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C2\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C3\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C3\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C3\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A1\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A2\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A3\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B1\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B2\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B3\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A1\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A2\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A3\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A4\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B1\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B2\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B3\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C1\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C2\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C3\"} 1",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A1\"} 435.2",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A2\"} 384.5",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A3\"} 230.7",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B1\"} 202.4",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B2\"} 202.4",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B3\"} 180.1",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A1\"} 197.4",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A2\"} 384.5",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A3\"} 349.9",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B1\"} 228.3",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B2\"} 321.6",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B3\"} 426.5",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C1\"} 56.8",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C2\"} 394.1",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C3\"} 355.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A1\"} 202.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A2\"} 202.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"A3\"} 202.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B1\"} 202.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B2\"} 202.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",outlet=\"B3\"} 202.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A1\"} 117.5",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A2\"} 202.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"A3\"} 202.3",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B1\"} 116.6",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B2\"} 203.6",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"B3\"} 204.1",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C1\"} 118.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C2\"} 204.2",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"RackPDU\",outlet=\"C3\"} 204.3",
      "redfish_power_equipment_energy_joules_total{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\"} 203176800000",
      "redfish_power_equipment_energy_joules_total{equipment=\"1\",equipment_type=\"RackPDU\"} 203176800000",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_power_equipment_health=\"Critical\"} 0",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_power_equipment_health=\"OK\"} 1",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",redfish_power_equipment_health=\"Warning\"} 0",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"FloorPDU\",redfish_power_equipment_health=\"Critical\"} 0",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"FloorPDU\",redfish_power_equipment_health=\"OK\"} 1",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"FloorPDU\",redfish_power_equipment_health=\"Warning\"} 0",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"RackPDU\",redfish_power_equipment_health=\"Critical\"} 0",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"RackPDU\",redfish_power_equipment_health=\"OK\"} 1",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"RackPDU\",redfish_power_equipment_health=\"Warning\"} 0",
      "redfish_power_equipment_info{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\",firmware_version=\"4.3.0\",manufacturer=\"Contoso\",model=\"ZAP4000\",name=\"TransferSwitch1\",serial_number=\"29347ZT536\"} 1",
      "redfish_power_equipment_info{equipment=\"1\",equipment_type=\"FloorPDU\",firmware_version=\"2.0.3\",manufacturer=\"Contoso\",model=\"GLH9000\",name=\"Row 1 Floor PDU\",serial_number=\"0458329\"} 1",
      "redfish_power_equipment_info{equipment=\"1\",equipment_type=\"RackPDU\",firmware_version=\"4.3.0\",manufacturer=\"Contoso\",model=\"ZAP4000\",name=\"RackPDU1\",serial_number=\"29347ZT536\"} 1",
      "redfish_power_equipment_power_watts{equipment=\"1\",equipment_type=\"AutomaticTransferSwitch\"} 1500.1",
      "redfish_power_equipment_power_watts{equipment=\"1\",equipment_type=\"RackPDU\"} 6438",
      "redfish_temperature_celsius{chassis=\"PDU\",sensor=\"Rack PDU Temperature\"} 31",
      "redfish_temperature_celsius{chassis=\"TransferSwitch1\",sensor=\"Rack PDU Temperature\"} 31",
      "redfish_temperature_health{chassis=\"PDU\",sensor=\"Rack PDU Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"PDU\",sensor=\"Rack PDU Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"PDU\",sensor=\"Rack PDU Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"TransferSwitch1\",sensor=\"Rack PDU Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"TransferSwitch1\",sensor=\"Rack PDU Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"TransferSwitch1\",sensor=\"Rack PDU Temperature\",redfish_temperature_health=\"Warning\"} 0",
    ]);
    // The root offers no Systems: nothing is asked for them, and the chassis read is a success.
    expect(device.hits.filter((h) => h.includes('/Systems'))).toEqual([]);
    expect(series.get('probe_request_fetches{request="systems"}')).toBe(0);
    expect(series.get('probe_request_success{request="chassis"}')).toBe(1);
    expect(series.get('probe_request_success{request="sensor"}')).toBe(1);
    // Both chassis have only Sensors: every sensor is read once, two of them temperatures
    // and two humidities (no EnvironmentMetrics to take it from).
    expect(series.get('probe_request_fetches{request="sensor"}')).toBe(115);
    expect(new Set(device.hits).size).toBe(device.hits.length);
  });
});

describe('redfish module on DMTF public-cooling-unit (no Systems; a CDU with coolant loops, pumps, a filter and leak detectors)', () => {
  it('reads the coolant loops in base units, the failed pump, the leak detectors, and the temperatures of its Sensors', async () => {
    const { text, series } = await probeDevice('dmtf-cooling-unit');
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_duplicate_series_dropped')).toBe(0);
    expect(series.get('probe_mapping_errors')).toBe(0);
    expect(deviceSeries(text)).toEqual([
      "redfish_chassis_health{chassis=\"CDU\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"CDU\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"CDU\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_info{chassis=\"CDU\",chassis_type=\"RackMount\",manufacturer=\"Contoso\",model=\"SuperChill 22\",name=\"Example Chassis for a CDU\",serial_number=\"8234803\"} 1",
      "redfish_coolant_connector_health{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\",redfish_coolant_connector_health=\"Critical\"} 0",
      "redfish_coolant_connector_health{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\",redfish_coolant_connector_health=\"OK\"} 1",
      "redfish_coolant_connector_health{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\",redfish_coolant_connector_health=\"Warning\"} 0",
      "redfish_coolant_connector_health{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\",redfish_coolant_connector_health=\"Critical\"} 0",
      "redfish_coolant_connector_health{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\",redfish_coolant_connector_health=\"OK\"} 1",
      "redfish_coolant_connector_health{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\",redfish_coolant_connector_health=\"Warning\"} 0",
      "redfish_coolant_flow_cubic_meters_per_second{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\"} 0.0007",
      "redfish_coolant_flow_cubic_meters_per_second{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\"} 0.0007",
      "redfish_coolant_heat_removed_watts{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\"} 25480",
      "redfish_coolant_heat_removed_watts{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\"} 25310",
      "redfish_coolant_return_pressure_pascals{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\"} 965000",
      "redfish_coolant_return_pressure_pascals{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\"} 137000",
      "redfish_coolant_return_temperature_celsius{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\"} 40",
      "redfish_coolant_return_temperature_celsius{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\"} 48",
      "redfish_coolant_supply_pressure_pascals{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\"} 827000",
      "redfish_coolant_supply_pressure_pascals{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\"} 103000",
      "redfish_coolant_supply_temperature_celsius{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"primary\"} 30",
      "redfish_coolant_supply_temperature_celsius{connector=\"1\",cooling_unit=\"1\",equipment_type=\"CDU\",loop=\"secondary\"} 30",
      "redfish_cooling_unit_health{cooling_unit=\"1\",equipment_type=\"CDU\",redfish_cooling_unit_health=\"Critical\"} 0",
      "redfish_cooling_unit_health{cooling_unit=\"1\",equipment_type=\"CDU\",redfish_cooling_unit_health=\"OK\"} 0",
      "redfish_cooling_unit_health{cooling_unit=\"1\",equipment_type=\"CDU\",redfish_cooling_unit_health=\"Warning\"} 1",
      "redfish_cooling_unit_health_rollup{cooling_unit=\"1\",equipment_type=\"CDU\",redfish_cooling_unit_health_rollup=\"Critical\"} 1",
      "redfish_cooling_unit_health_rollup{cooling_unit=\"1\",equipment_type=\"CDU\",redfish_cooling_unit_health_rollup=\"OK\"} 0",
      "redfish_cooling_unit_health_rollup{cooling_unit=\"1\",equipment_type=\"CDU\",redfish_cooling_unit_health_rollup=\"Warning\"} 0",
      "redfish_cooling_unit_info{cooling_unit=\"1\",equipment_type=\"CDU\",firmware_version=\"3.2.0\",manufacturer=\"Contoso\",model=\"BRRR4000\",name=\"Rack #4 Cooling Distribution Unit\",serial_number=\"29347ZT536\"} 1",
      "redfish_filter_health{cooling_unit=\"1\",equipment_type=\"CDU\",filter=\"1\",redfish_filter_health=\"Critical\"} 0",
      "redfish_filter_health{cooling_unit=\"1\",equipment_type=\"CDU\",filter=\"1\",redfish_filter_health=\"OK\"} 1",
      "redfish_filter_health{cooling_unit=\"1\",equipment_type=\"CDU\",filter=\"1\",redfish_filter_health=\"Warning\"} 0",
      "redfish_filter_rated_service_seconds{cooling_unit=\"1\",equipment_type=\"CDU\",filter=\"1\"} 36000000",
      "redfish_filter_service_seconds{cooling_unit=\"1\",equipment_type=\"CDU\",filter=\"1\"} 20847600",
      "redfish_humidity_ratio{chassis=\"CDU\"} 0.26",
      "redfish_leak_detector_state{cooling_unit=\"1\",detector=\"Fluid Level Overflow\",equipment_type=\"CDU\",redfish_leak_detector_state=\"Critical\"} 0",
      "redfish_leak_detector_state{cooling_unit=\"1\",detector=\"Fluid Level Overflow\",equipment_type=\"CDU\",redfish_leak_detector_state=\"OK\"} 1",
      "redfish_leak_detector_state{cooling_unit=\"1\",detector=\"Fluid Level Overflow\",equipment_type=\"CDU\",redfish_leak_detector_state=\"Warning\"} 0",
      "redfish_leak_detector_state{cooling_unit=\"1\",detector=\"Moisture Leak Detector\",equipment_type=\"CDU\",redfish_leak_detector_state=\"Critical\"} 0",
      "redfish_leak_detector_state{cooling_unit=\"1\",detector=\"Moisture Leak Detector\",equipment_type=\"CDU\",redfish_leak_detector_state=\"OK\"} 1",
      "redfish_leak_detector_state{cooling_unit=\"1\",detector=\"Moisture Leak Detector\",equipment_type=\"CDU\",redfish_leak_detector_state=\"Warning\"} 0",
      "redfish_manager_health{manager=\"CDU\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"CDU\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"CDU\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_info{firmware_version=\"1.20b\",manager=\"CDU\",manager_type=\"ManagementController\",model=\"Joo Janta 200\",name=\"CDU Network Interface Module\"} 1",
      "redfish_pump_health{cooling_unit=\"1\",equipment_type=\"CDU\",pump=\"1\",redfish_pump_health=\"Critical\"} 0",
      "redfish_pump_health{cooling_unit=\"1\",equipment_type=\"CDU\",pump=\"1\",redfish_pump_health=\"OK\"} 1",
      "redfish_pump_health{cooling_unit=\"1\",equipment_type=\"CDU\",pump=\"1\",redfish_pump_health=\"Warning\"} 0",
      "redfish_pump_health{cooling_unit=\"1\",equipment_type=\"CDU\",pump=\"2\",redfish_pump_health=\"Critical\"} 1",
      "redfish_pump_health{cooling_unit=\"1\",equipment_type=\"CDU\",pump=\"2\",redfish_pump_health=\"OK\"} 0",
      "redfish_pump_health{cooling_unit=\"1\",equipment_type=\"CDU\",pump=\"2\",redfish_pump_health=\"Warning\"} 0",
      "redfish_pump_speed_ratio{cooling_unit=\"1\",equipment_type=\"CDU\",pump=\"1\"} 0.385",
      "redfish_pump_speed_ratio{cooling_unit=\"1\",equipment_type=\"CDU\",pump=\"2\"} 0",
      "redfish_temperature_celsius{chassis=\"CDU\",sensor=\"CDU Internal Temperature\"} 24",
      "redfish_temperature_celsius{chassis=\"CDU\",sensor=\"Primary Delta Temperature\"} 10",
      "redfish_temperature_celsius{chassis=\"CDU\",sensor=\"Primary Return Temperature\"} 40",
      "redfish_temperature_celsius{chassis=\"CDU\",sensor=\"Primary Supply Temperature\"} 30",
      "redfish_temperature_celsius{chassis=\"CDU\",sensor=\"Secondary Delta Temperature\"} 18",
      "redfish_temperature_celsius{chassis=\"CDU\",sensor=\"Secondary Return Temperature\"} 48",
      "redfish_temperature_celsius{chassis=\"CDU\",sensor=\"Secondary Supply Temperature\"} 30",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"CDU Internal Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"CDU Internal Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"CDU Internal Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Delta Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Delta Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Delta Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Return Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Return Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Return Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Supply Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Supply Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Primary Supply Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Delta Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Delta Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Delta Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Return Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Return Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Return Temperature\",redfish_temperature_health=\"Warning\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Supply Temperature\",redfish_temperature_health=\"Critical\"} 0",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Supply Temperature\",redfish_temperature_health=\"OK\"} 1",
      "redfish_temperature_health{chassis=\"CDU\",sensor=\"Secondary Supply Temperature\",redfish_temperature_health=\"Warning\"} 0",
    ]);
    expect(series.get('probe_request_fetches{request="systems"}')).toBe(0);
  });
});

describe('redfish module on DMTF public-power-shelf (no Systems; a power shelf with AC mains and a DC bus)', () => {
  it('reads the shelf\'s circuits and outlets; its chassis\' PowerSubsystem link leads to a Sensors collection, which holds no power supplies', async () => {
    const { text, series } = await probeDevice('dmtf-power-shelf');
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_duplicate_series_dropped')).toBe(0);
    expect(deviceSeries(text)).toEqual([
      "redfish_chassis_health{chassis=\"PowerShelf\",redfish_chassis_health=\"Critical\"} 0",
      "redfish_chassis_health{chassis=\"PowerShelf\",redfish_chassis_health=\"OK\"} 1",
      "redfish_chassis_health{chassis=\"PowerShelf\",redfish_chassis_health=\"Warning\"} 0",
      "redfish_chassis_info{chassis=\"PowerShelf\",manufacturer=\"Contoso\",model=\"ZAP33000\",name=\"Power Shelf Chassis\",serial_number=\"29347ZT536\"} 1",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_breaker_state{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Normal\"} 1",
      "redfish_circuit_breaker_state{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Off\"} 0",
      "redfish_circuit_breaker_state{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_breaker_state=\"Tripped\"} 0",
      "redfish_circuit_current_amperes{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\"} 1.59",
      "redfish_circuit_current_amperes{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\"} 5.68",
      "redfish_circuit_current_amperes{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\"} 5.68",
      "redfish_circuit_current_amperes{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\"} 5.95",
      "redfish_circuit_current_amperes{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\"} 16.93",
      "redfish_circuit_energy_joules_total{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\"} 437997600000",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_health{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Critical\"} 0",
      "redfish_circuit_health{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"OK\"} 1",
      "redfish_circuit_health{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\",redfish_circuit_health=\"Warning\"} 0",
      "redfish_circuit_power_watts{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\"} 192.4",
      "redfish_circuit_power_watts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\"} 897.4",
      "redfish_circuit_power_watts{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\"} 897.4",
      "redfish_circuit_power_watts{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\"} 722.1",
      "redfish_circuit_power_watts{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\"} 816.5",
      "redfish_circuit_voltage_volts{circuit=\"A\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\"} 121.4",
      "redfish_circuit_voltage_volts{circuit=\"AC1\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\"} 222.8",
      "redfish_circuit_voltage_volts{circuit=\"AC2\",circuit_type=\"Mains\",equipment=\"1\",equipment_type=\"PowerShelf\"} 222.8",
      "redfish_circuit_voltage_volts{circuit=\"B\",circuit_type=\"Branch\",equipment=\"1\",equipment_type=\"PowerShelf\"} 121.5",
      "redfish_circuit_voltage_volts{circuit=\"DC\",circuit_type=\"Bus\",equipment=\"1\",equipment_type=\"PowerShelf\"} 48.45",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"Critical\"} 0",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"OK\"} 1",
      "redfish_manager_health{manager=\"BMC\",redfish_manager_health=\"Warning\"} 0",
      "redfish_manager_info{firmware_version=\"1.00\",manager=\"BMC\",manager_type=\"BMC\",model=\"Joo Janta 200\",name=\"Manager\"} 1",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"A1\"} 1.59",
      "redfish_outlet_current_amperes{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"B1\"} 1.59",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"A1\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"A1\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"A1\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"B1\",redfish_outlet_health=\"Critical\"} 0",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"B1\",redfish_outlet_health=\"OK\"} 1",
      "redfish_outlet_health{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"B1\",redfish_outlet_health=\"Warning\"} 0",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"A1\"} 1",
      "redfish_outlet_power_on{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"B1\"} 1",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"A1\"} 192.4",
      "redfish_outlet_power_watts{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"B1\"} 192.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"A1\"} 121.4",
      "redfish_outlet_voltage_volts{equipment=\"1\",equipment_type=\"PowerShelf\",outlet=\"B1\"} 121.4",
      "redfish_power_equipment_energy_joules_total{equipment=\"1\",equipment_type=\"PowerShelf\"} 203176800000",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"PowerShelf\",redfish_power_equipment_health=\"Critical\"} 0",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"PowerShelf\",redfish_power_equipment_health=\"OK\"} 1",
      "redfish_power_equipment_health{equipment=\"1\",equipment_type=\"PowerShelf\",redfish_power_equipment_health=\"Warning\"} 0",
      "redfish_power_equipment_info{equipment=\"1\",equipment_type=\"PowerShelf\",firmware_version=\"1.2.1\",manufacturer=\"Contoso\",model=\"ZAP33000\",name=\"PowerShelf1\",serial_number=\"29347ZT536\"} 1",
      "redfish_power_equipment_power_watts{equipment=\"1\",equipment_type=\"PowerShelf\"} 6438",
    ]);
    expect(series.get('probe_request_fetches{request="power_supply"}')).toBe(0);
  });
});

describe('redfish module on trees shaped otherwise, as the schema allows', () => {
  it('a Dell-style tree whose system has no Links.Chassis: chassis come from the collection, thermal, fans and power with them', async () => {
    const spec: DeviceSpec = {
      name: 'dell-without-system-links',
      routes: {
        ...REDFISH_DEVICES['dell-idrac']!.routes,
        '/redfish/v1/Systems/System.Embedded.1': edited(`${DELL}/dell_systems.json`, (doc) => {
          delete (doc['Links'] as Record<string, unknown>)['Chassis'];
          return doc;
        }),
        '/redfish/v1/Chassis': json({ Members: [{ '@odata.id': '/redfish/v1/Chassis/System.Embedded.1' }] }),
      },
    };
    const { series } = await probeSpec(spec);
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('redfish_temperature_celsius{chassis="System.Embedded.1",sensor="CPU1 Temp"}')).toBe(40);
    expect(series.get('redfish_fan_speed_rpm{chassis="System.Embedded.1",fan="System Board Fan1A"}')).toBe(17760);
    expect(series.get('redfish_power_consumed_watts{chassis="System.Embedded.1",control="PowerControl"}')).toBe(429);
    expect(series.get('redfish_power_supply_input_voltage_volts{chassis="System.Embedded.1",power_supply="PSU.Slot.1"}')).toBe(206);
  });

  it('a chassis linked as /Chassis/X/ by its system and as /Chassis/X by the collection is read once', async () => {
    const spec: DeviceSpec = {
      name: 'dell-trailing-slash',
      routes: {
        ...REDFISH_DEVICES['dell-idrac']!.routes,
        '/redfish/v1/Systems/System.Embedded.1': edited(`${DELL}/dell_systems.json`, (doc) => {
          (doc['Links'] as Record<string, unknown>)['Chassis'] = [{ '@odata.id': '/redfish/v1/Chassis/System.Embedded.1/' }];
          return doc;
        }),
      },
    };
    const { series, device } = await probeSpec(spec);
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_request_fetches{request="chassis"}')).toBe(1);
    expect(device.hits.filter((h) => h.startsWith('/redfish/v1/Chassis/System.Embedded.1') && !h.includes('/Thermal') && !h.includes('/Power'))).toHaveLength(1);
    expect(series.get('probe_duplicate_series_dropped')).toBe(0);
  });

  it('a service root that offers nothing the module reads is a failed probe that says so', async () => {
    const spec: DeviceSpec = {
      name: 'nothing-to-read',
      routes: {
        '/redfish/v1': json({ '@odata.id': '/redfish/v1/', RedfishVersion: '1.15.0', SessionService: { '@odata.id': '/redfish/v1/SessionService' }, AccountService: { '@odata.id': '/redfish/v1/AccountService' } }),
      },
    };
    const { text, series } = await probeSpec(spec, true);
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="service_root"}')).toBe(0);
    expect(series.get('probe_http_status_code{request="service_root"}')).toBe(200);
    expect(text).toMatch(/service_root: links for none of systems, chassis_collection, managers, power_equipment, thermal_equipment found; at least 1 expected/);
    // Each link the root does not offer is named in the probe's log.
    expect(text).toMatch(/systems: \$\.Systems\["@odata\.id"\] matched nothing in GET \/redfish\/v1\/ \(0 links\)/);
  });

  it('a service root that cannot be read fails the probe at service_root, and nothing else is asked', async () => {
    const { series, device } = await probeSpec({ name: 'no-root', routes: {} });
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="service_root"}')).toBe(0);
    expect(series.get('probe_http_status_code{request="service_root"}')).toBe(404);
    expect(device.hits).toEqual(['/redfish/v1/']);
  });

  it('a service whose root offers only Systems, with no chassis anywhere, reports its systems', async () => {
    const spec: DeviceSpec = {
      name: 'systems-only',
      routes: {
        '/redfish/v1': json({ '@odata.id': '/redfish/v1/', Systems: { '@odata.id': '/redfish/v1/Systems' } }),
        '/redfish/v1/Systems': json({ Members: [{ '@odata.id': '/redfish/v1/Systems/1' }] }),
        '/redfish/v1/Systems/1': json({ Id: '1', Status: { Health: 'OK' }, Links: {} }),
      },
    };
    const { text, series } = await probeSpec(spec, true);
    expect(series.get('probe_success')).toBe(1);
    expect(deviceSeries(text.slice(text.indexOf('Metrics that would have been returned:')))).toEqual([
      'redfish_system_health{system="1",redfish_system_health="Critical"} 0',
      'redfish_system_health{system="1",redfish_system_health="OK"} 1',
      'redfish_system_health{system="1",redfish_system_health="Warning"} 0',
      'redfish_system_info{system="1"} 1',
    ]);
    expect(text).toMatch(/chassis: \$\.Links\.Chassis\[\*\]\["@odata\.id"\] matched nothing in GET \/redfish\/v1\/Systems\/1 \(0 links\)/);
  });

  it('a chassis whose ThermalSubsystem cannot be read fails the probe, naming it', async () => {
    const spec: DeviceSpec = {
      ...REDFISH_DEVICES['dmtf-tower']!,
      name: 'tower-without-thermal-subsystem',
      routes: { '/redfish/v1/Chassis/Tower/ThermalSubsystem': (_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{}') },
    };
    const { series } = await probeSpec(spec);
    expect(series.get('probe_success')).toBe(0);
    expect(series.get('probe_request_success{request="thermal_subsystem"}')).toBe(0);
    expect(series.get('probe_http_status_code{request="thermal_subsystem"}')).toBe(500);
  });

  it('a chassis with only the current thermal model and no Sensors collection takes its temperatures from ThermalMetrics', async () => {
    const spec: DeviceSpec = {
      ...REDFISH_DEVICES['dmtf-tower']!,
      name: 'tower-without-sensors',
      routes: {
        '/redfish/v1/Chassis/Tower': edited('redfish/public-tower/redfish/v1/Chassis/Tower/index.json', (doc) => {
          for (const k of ['Sensors', 'Thermal', 'Power', 'Thermal@Redfish.Deprecated', 'Power@Redfish.Deprecated']) delete doc[k];
          return doc;
        }),
      },
    };
    const { text, series, device } = await probeSpec(spec);
    expect(series.get('probe_success')).toBe(1);
    expect(deviceSeries(text).filter((l) => l.startsWith('redfish_temperature_'))).toEqual([
      'redfish_temperature_celsius{chassis="Tower",sensor="Exhaust"} 40.5',
      'redfish_temperature_celsius{chassis="Tower",sensor="Intake"} 24.8',
    ]);
    expect(device.hits).toContain('/redfish/v1/Chassis/Tower/ThermalSubsystem/ThermalMetrics');
    expect(device.hits.some((h) => h.includes('/Sensors'))).toBe(false);
  });

  it('a chassis with Sensors and the deprecated Thermal (no ThermalSubsystem) takes its temperatures from Sensors only, its fans from Thermal', async () => {
    const full = await probeDevice('dmtf-tower');
    const spec: DeviceSpec = {
      ...REDFISH_DEVICES['dmtf-tower']!,
      name: 'tower-sensors-and-thermal',
      routes: {
        '/redfish/v1/Chassis/Tower': edited('redfish/public-tower/redfish/v1/Chassis/Tower/index.json', (doc) => {
          delete doc.ThermalSubsystem;
          return doc;
        }),
      },
    };
    const { text, series, device } = await probeSpec(spec);
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_duplicate_series_dropped')).toBe(0);
    // The same 14 temperatures as with the current model, each once: Thermal.Temperatures
    // carries the same sensors and is not read for them.
    const temperatures = (t: string): string[] => deviceSeries(t).filter((l) => l.startsWith('redfish_temperature_'));
    expect(temperatures(text)).toEqual(temperatures(full.text));
    expect(temperatures(text).filter((l) => l.startsWith('redfish_temperature_celsius{'))).toHaveLength(14);
    expect(device.hits).toContain('/redfish/v1/Chassis/Tower/Thermal');
    expect(deviceSeries(text).filter((l) => l.startsWith('redfish_fan_speed_rpm{'))).not.toEqual([]);
  });

  it('a chassis with only a Sensors collection (an industrial gateway) reports the temperatures in it', async () => {
    const spec: DeviceSpec = {
      name: 'sensors-only',
      routes: {
        '/redfish/v1': json({ '@odata.id': '/redfish/v1/', Chassis: { '@odata.id': '/redfish/v1/Chassis' } }),
        '/redfish/v1/Chassis': json({ Members: [{ '@odata.id': '/redfish/v1/Chassis/GW' }] }),
        '/redfish/v1/Chassis/GW': json({ Id: 'GW', Name: 'Gateway', Status: { Health: 'OK' }, Sensors: { '@odata.id': '/redfish/v1/Chassis/GW/Sensors' } }),
        '/redfish/v1/Chassis/GW/Sensors': json({ Members: [{ '@odata.id': '/redfish/v1/Chassis/GW/Sensors/T1' }, { '@odata.id': '/redfish/v1/Chassis/GW/Sensors/H1' }] }),
        '/redfish/v1/Chassis/GW/Sensors/T1': json({ Id: 'T1', Name: 'Cabinet', ReadingType: 'Temperature', ReadingUnits: 'Cel', Reading: 41.5, Status: { Health: 'Warning' } }),
        '/redfish/v1/Chassis/GW/Sensors/H1': json({ Id: 'H1', Name: 'Cabinet humidity', ReadingType: 'Humidity', ReadingUnits: '%', Reading: 40 }),
      },
    };
    const { text, series } = await probeSpec(spec);
    expect(series.get('probe_success')).toBe(1);
    expect(deviceSeries(text).filter((l) => l.startsWith('redfish_temperature_'))).toEqual([
      'redfish_temperature_celsius{chassis="GW",sensor="Cabinet"} 41.5',
      'redfish_temperature_health{chassis="GW",sensor="Cabinet",redfish_temperature_health="Critical"} 0',
      'redfish_temperature_health{chassis="GW",sensor="Cabinet",redfish_temperature_health="OK"} 0',
      'redfish_temperature_health{chassis="GW",sensor="Cabinet",redfish_temperature_health="Warning"} 1',
    ]);
  });

  it('output passes promtool check metrics on every shape', async (ctx) => {
    promtool.skipIfMissing(ctx);
    for (const name of ['dmtf-rackmount', 'dmtf-tower', 'dmtf-bladed', 'hpe-ilo5', 'dell-idrac', 'dmtf-pdu', 'dmtf-cooling-unit', 'dmtf-power-shelf']) {
      const { text } = await probeDevice(name);
      expect(await checkMetrics(text), name).toEqual({ code: 0, lines: [] });
    }
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

/** The redfish page's table of requests per mockup: mockup → [without $expand, with $expand]. */
async function documentedRequests(): Promise<Map<string, [number, number]>> {
  const readme = await readFile(path.join(FIXTURES, '../../docs/modules/redfish.md'), 'utf8');
  const rows = new Map<string, [number, number]>();
  for (const m of readme.matchAll(/^\| `(public-[a-z0-9-]+)` \| (\d+) \| (\d+) \|/gm)) rows.set(m[1]!, [Number(m[2]), Number(m[3])]);
  return rows;
}

const MOCKUPS: Record<string, string> = {
  'public-rackmount1': 'dmtf-rackmount',
  'public-tower': 'dmtf-tower',
  'public-bladed': 'dmtf-bladed',
  'public-pdu': 'dmtf-pdu',
  'public-cooling-unit': 'dmtf-cooling-unit',
  'public-power-shelf': 'dmtf-power-shelf',
};

describe('redfish module with $expand', () => {
  it.each(Object.entries(MOCKUPS))('%s: the same series with and without $expand, in the number of requests docs/modules/redfish.md gives', async (mockup, device) => {
    const documented = (await documentedRequests()).get(mockup);
    expect(documented, `docs/modules/redfish.md has no row for ${mockup}`).toBeDefined();
    const without = await probeSpec({ ...REDFISH_DEVICES[device]!, expand: false });
    const withExpand = await probeSpec({ ...REDFISH_DEVICES[device]!, expand: true });
    expect(withExpand.series.get('probe_success')).toBe(1);
    expect(deviceSeries(withExpand.text)).toEqual(deviceSeries(without.text));
    expect([without.device.hits.length, withExpand.device.hits.length]).toEqual(documented);
    // Collections are asked with $expand=. only where the root says the service has it.
    expect(without.device.hits.filter((h) => h.includes('$expand'))).toEqual([]);
    expect(withExpand.device.hits.filter((h) => h.includes('$expand')).length).toBeGreaterThan(0);
    // Each resource once, expanded or fetched.
    expect(new Set(withExpand.device.hits).size).toBe(withExpand.device.hits.length);
  });

  it('a request read only from expanded answers was never sent: no fetches, no status, and a success', async () => {
    const { series, device } = await probeSpec({ ...REDFISH_DEVICES['dmtf-rackmount']!, expand: true });
    expect(series.get('probe_success')).toBe(1);
    expect(series.get('probe_request_fetches{request="sensor"}')).toBe(0);
    expect(series.get('probe_http_status_code{request="sensor"}')).toBe(0);
    expect(series.get('probe_request_success{request="sensor"}')).toBe(1);
    expect(device.hits.filter((h) => h.startsWith('/redfish/v1/Chassis/1U/Sensors/'))).toEqual([]);
  });

  it('a service that advertises $expand but ignores it is walked member by member', async () => {
    // The DMTF files advertise ExpandQuery; this device serves them as they are.
    const { series, device } = await probeDevice('dmtf-rackmount');
    expect(series.get('probe_success')).toBe(1);
    expect(device.hits).toContain('/redfish/v1/Chassis/1U/Sensors?$expand=.');
    expect(series.get('probe_request_fetches{request="sensor"}')).toBe(41);
  });

  it('the service root is asked once per 10 minutes: a second probe goes straight to the collections', async () => {
    const device = await startDevice({ ...REDFISH_DEVICES['dmtf-cooling-unit']!, expand: true });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await exporter.probe({ module: 'redfish', target: device.url });
        expect(parseSeries(res.text).get('probe_success')).toBe(1);
      }
      expect(device.hits.filter((h) => h === '/redfish/v1/')).toHaveLength(1);
      expect(device.hits.filter((h) => h === '/redfish/v1/Chassis?$expand=.')).toHaveLength(2);
    } finally {
      await device.close();
    }
  });

  it('a slow BMC without $expand: when the deadline cuts the probe, health, fans and power supplies are in, the bulk of sensors is what is cut', async () => {
    const device = await startDevice({ ...REDFISH_DEVICES['dmtf-rackmount']!, expand: false, latencyMs: 100, maxConcurrent: 2 });
    try {
      const res = await exporter.probe({ module: 'redfish', target: device.url, debug: 'true' }, { 'X-Prometheus-Scrape-Timeout-Seconds': '2.5' });
      const text = res.text;
      const series = parseSeries(text.slice(text.indexOf('Metrics that would have been returned:')));
      expect(series.get('probe_success')).toBe(0);
      for (const family of ['redfish_system_health', 'redfish_chassis_health', 'redfish_fan_health', 'redfish_power_supply_health', 'redfish_power_consumed_watts']) {
        expect([...series.keys()].some((k) => k.startsWith(`${family}{`)), family).toBe(true);
      }
      // Sensors were queued last and are the ones cut, each said so.
      expect(text).toMatch(/sensor: GET \/redfish\/v1\/Chassis\/1U\/Sensors\/\S+: not fetched, deadline of 2s reached first \(priority -10\)/);
      expect(series.get('probe_request_success{request="sensor"}')).toBe(0);
      for (const r of ['system', 'chassis', 'fan', 'power_supply', 'environment']) expect(series.get(`probe_request_success{request="${r}"}`), r).toBe(1);
      expect(device.peakConcurrent()).toBeLessThanOrEqual(2);
    } finally {
      await device.close();
    }
  });
});

describe('the module language features the redfish module uses, on their own', () => {
  const MODULES = `
modules:
  ordered:
    concurrency: 1
    requests:
      index: { path: /index }
      bulk:
        follow: { from: index, path: '$.bulk[*]' }
        priority: -5
      health:
        follow: { from: index, path: '$.health[*]' }
        priority: 5
      plain:
        follow: { from: index, path: '$.plain[*]' }
    metrics:
      - { name: t_health, from: health, value: '$.v' }
  expanding:
    requests:
      index:
        path: /index
        min_followers: 1
      items:
        follow: { from: index, path: '$.items["@odata.id"]', vars: { expand: '$.expand' } }
        expand: { when: '$.expand == true' }
      item:
        follow: { from: items, path: '$.Members[*]["@odata.id"]' }
    metrics:
      - { name: t_item_value, from: item, labels: { item: '$.Id' }, value: '$.v' }
`;
  let local: TestExporter;
  beforeAll(async () => {
    local = await startExporter({ configYaml: MODULES });
  });
  afterAll(async () => {
    await local.close();
  });

  it('priority: under the concurrency, the higher priority is sent first, whatever the order of the links', async () => {
    const doc = (n: number): Handler => json({ v: n });
    const device = await startDevice({
      name: 'ordered',
      maxConcurrent: 1,
      routes: {
        '/index': json({ bulk: ['/b1', '/b2'], plain: ['/p1'], health: ['/h1', '/h2'] }),
        '/b1': doc(1), '/b2': doc(2), '/p1': doc(3), '/h1': doc(4), '/h2': doc(5),
      },
    });
    try {
      const res = await local.probe({ module: 'ordered', target: device.address });
      expect(parseSeries(res.text).get('probe_success')).toBe(1);
      expect(device.hits).toEqual(['/index', '/h1', '/h2', '/p1', '/b1', '/b2']);
    } finally {
      await device.close();
    }
  });

  it('expand: asked only where the condition holds; members an answer holds whole are read from it, references fetched', async () => {
    const routes = (expand: boolean): DeviceSpec['routes'] => ({
      '/index': json({ expand, items: { '@odata.id': '/items' } }),
      '/items': (req, res) => {
        const expanded = (req.url ?? '').includes('$expand=.');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Members: [expanded ? { '@odata.id': '/items/a', Id: 'a', v: 1 } : { '@odata.id': '/items/a' }, { '@odata.id': '/items/b' }] }));
      },
      '/items/a': json({ Id: 'a', v: 1 }),
      '/items/b': json({ Id: 'b', v: 2 }),
    });
    for (const expand of [true, false]) {
      const device = await startDevice({ name: 'expanding', routes: routes(expand) });
      try {
        const res = await local.probe({ module: 'expanding', target: device.address });
        const series = parseSeries(res.text);
        expect(series.get('probe_success')).toBe(1);
        expect(series.get('t_item_value{item="a"}')).toBe(1);
        expect(series.get('t_item_value{item="b"}')).toBe(2);
        expect(device.hits).toEqual(expand ? ['/index', '/items?$expand=.', '/items/b'] : ['/index', '/items', '/items/a', '/items/b']);
      } finally {
        await device.close();
      }
    }
  });
});
