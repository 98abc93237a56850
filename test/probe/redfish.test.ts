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
