// The fortigate, fronius, monit, bind and bind_xml modules, probed through the shipped
// configuration against the simulated devices of test/sim/catalog/appliances.ts (real
// payloads from test/fixtures). Every expected line below was written from the
// fixture by hand: values as the fixture has them, times the module's documented
// scale where it converts units (written out as `${fixture value * scale}`, so the
// arithmetic is JavaScript's, as the exporter's is). Line order is not the point
// here: lists are compared sorted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLIANCES_CATALOG, jsonnetAsJson } from '../sim/catalog/appliances.js';
import { FIXTURES, startDevice } from '../sim/devices.js';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { catalogDevice, probeCatalogDevice, type DeviceProbe } from '../helpers/modules.js';
import { checkMetrics, promtool } from '../helpers/promtool.js';


let exporter: TestExporter;
beforeAll(async () => {
  exporter = await startExporter();
});
afterAll(async () => {
  await exporter.close();
});

async function probe(name: string): Promise<DeviceProbe> {
  const result = await probeCatalogDevice(exporter, name);
  expect(result.status).toBe(200);
  return result;
}

const sorted = (lines: readonly string[]): string[] => [...lines].sort();

/** The series of a stateset, `current` set to 1. */
function stateset(name: string, labels: string, states: string[], current: string): string[] {
  return states.map((s) => `${name}{${labels}${labels ? ',' : ''}${name}="${s}"} ${s === current ? 1 : 0}`);
}

/** How many device series each metric family has. */
function familyCounts(lines: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of lines) {
    const name = l.split(/[{ ]/, 1)[0]!;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}


describe('simulated appliances', () => {
  it('have unique names and demo ports in 8010-8029', () => {
    const names = APPLIANCES_CATALOG.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    const ports = APPLIANCES_CATALOG.map((d) => d.demoPort);
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) expect(p >= 8010 && p <= 8029).toBe(true);
    expect(names).toEqual([
      'fortigate', 'fronius-symo', 'bind-json-v1', 'bind-xml-v3',
      'monit-servicetype-0', 'monit-servicetype-1', 'monit-servicetype-2', 'monit-servicetype-3', 'monit-servicetype-4',
      'monit-servicetype-5', 'monit-servicetype-6', 'monit-servicetype-7', 'monit-servicetype-8', 'monit-servicetype-8-failure',
    ]);
  });

  // The FortiGate files are jsonnet (fortigate_exporter's testdata): the simulator
  // serves the JSON body inside. This pins down that exactly the jsonnet-only syntax
  // goes: line 1 (a `#` comment), one `/* */` comment and one trailing comma.
  it('serve the FortiGate jsonnet files with only the jsonnet syntax removed', () => {
    const read = (f: string) => readFileSync(path.join(FIXTURES, 'fortigate', f), 'utf8');
    const afterLine1 = (t: string) => t.slice(t.indexOf('\n') + 1);
    for (const f of ['status', 'system-sensor-info', 'ha-statistics', 'virtual_wan_health_check', 'license-status', 'link-monitor', 'system-time']) {
      const text = read(`${f}.jsonnet`);
      expect(text.startsWith('#')).toBe(true);
      expect(jsonnetAsJson(text)).toBe(afterLine1(text));
    }
    const iface = read('interface.jsonnet');
    expect(iface.split('/*').length).toBe(2);
    expect(jsonnetAsJson(iface)).toBe(afterLine1(iface).replace('"speed":1000.00, /* some versions uses float */', '"speed":1000.00,'));
    const vpn = read('vpn-stats.jsonnet');
    expect(jsonnetAsJson(vpn)).toBe(afterLine1(vpn).replace('    "build":365\n  },\n]', '    "build":365\n  }\n]'));
    for (const f of ['interface', 'vpn-stats']) expect((): unknown => JSON.parse(jsonnetAsJson(read(`${f}.jsonnet`)))).not.toThrow();
  });
});

describe('fortigate module', () => {
  it('reads every monitor endpoint, VDOM-wide where the API path says vdom=*', async () => {
    const r = await probe('fortigate');
    expect(r.series.get('probe_success')).toBe(1);
    for (const req of ['status', 'interfaces', 'sensors', 'ha', 'vpn_ssl', 'sdwan_health', 'link_monitor', 'license']) {
      expect(r.series.get(`probe_request_success{request="${req}"}`)).toBe(1);
    }
    expect(sorted(r.hits)).toEqual([
      '/api/v2/monitor/license/status/select',
      '/api/v2/monitor/system/ha-statistics',
      '/api/v2/monitor/system/interface/select?vdom=*&include_vlan=true&include_aggregate=true',
      '/api/v2/monitor/system/link-monitor?vdom=*',
      '/api/v2/monitor/system/sensor-info?vdom=root',
      '/api/v2/monitor/system/status',
      '/api/v2/monitor/virtual-wan/health-check?vdom=*',
      '/api/v2/monitor/vpn/ssl/stats?vdom=*',
    ]);

    // 16 interfaces in 4 VDOMs (infra 3, knx 2, main 2, root 9) × 9 families;
    // 63 sensors: 29 temperatures, 8 fans, 24 voltages, 2 PSU status (alarm only).
    expect(r.deviceLines).toHaveLength(316);
    expect(familyCounts(r.deviceLines)).toEqual({
      fortigate_ha_member_bytes_total: 2,
      fortigate_ha_member_cpu_usage_ratio: 2,
      fortigate_ha_member_info: 2,
      fortigate_ha_member_ips_events_total: 2,
      fortigate_ha_member_memory_usage_ratio: 2,
      fortigate_ha_member_packets_total: 2,
      fortigate_ha_member_sessions: 2,
      fortigate_ha_member_virus_events_total: 2,
      fortigate_interface_info: 16,
      fortigate_interface_link_up: 16,
      fortigate_interface_receive_bytes_total: 16,
      fortigate_interface_receive_errors_total: 16,
      fortigate_interface_receive_packets_total: 16,
      fortigate_interface_speed_bytes: 16,
      fortigate_interface_transmit_bytes_total: 16,
      fortigate_interface_transmit_errors_total: 16,
      fortigate_interface_transmit_packets_total: 16,
      fortigate_license_info: 2,
      fortigate_license_max: 2,
      fortigate_license_used: 2,
      fortigate_link_monitor_jitter_seconds: 1,
      fortigate_link_monitor_latency_seconds: 1,
      fortigate_link_monitor_packet_loss_ratio: 1,
      fortigate_link_monitor_packets_received_total: 1,
      fortigate_link_monitor_packets_sent_total: 1,
      fortigate_link_monitor_sessions: 1,
      fortigate_link_monitor_state_change_timestamp_seconds: 1,
      fortigate_link_monitor_status: 2,
      fortigate_sdwan_health_check_jitter_seconds: 1,
      fortigate_sdwan_health_check_latency_seconds: 1,
      fortigate_sdwan_health_check_packet_loss_ratio: 1,
      fortigate_sdwan_health_check_packets_received_total: 1,
      fortigate_sdwan_health_check_packets_sent_total: 1,
      fortigate_sdwan_health_check_sessions: 1,
      fortigate_sdwan_health_check_state_change_timestamp_seconds: 1,
      fortigate_sdwan_health_check_status: 6,
      fortigate_sensor_alarm: 63,
      fortigate_sensor_fan_speed_rpm: 8,
      fortigate_sensor_temperature_celsius: 29,
      fortigate_sensor_voltage_volts: 24,
      fortigate_system_info: 1,
      fortigate_vpn_ssl_connections: 1,
      fortigate_vpn_ssl_tunnels: 1,
      fortigate_vpn_ssl_users: 1,
    });

    // Everything but interfaces and sensors, in full.
    const small = r.deviceLines.filter((l) => !/^fortigate_(interface|sensor)_/.test(l));
    const hc = 'health_check="Internet Check"';
    expect(sorted(small)).toEqual(sorted([
      // status.jsonnet
      'fortigate_system_info{build="1112",serial_number="FGVMEVZFNTS3OAC8",version="v6.2.4"} 1',
      // ha-statistics.jsonnet: two members
      'fortigate_ha_member_info{hostname="member-name-1",serial_number="FGT61E4QXXXXXXXX1"} 1',
      'fortigate_ha_member_info{hostname="member-name-2",serial_number="FGT61E4QXXXXXXXX2"} 1',
      `fortigate_ha_member_cpu_usage_ratio{hostname="member-name-1"} ${1 * 0.01}`,
      `fortigate_ha_member_cpu_usage_ratio{hostname="member-name-2"} ${0 * 0.01}`,
      `fortigate_ha_member_memory_usage_ratio{hostname="member-name-1"} ${67 * 0.01}`,
      `fortigate_ha_member_memory_usage_ratio{hostname="member-name-2"} ${68 * 0.01}`,
      'fortigate_ha_member_sessions{hostname="member-name-1"} 148',
      'fortigate_ha_member_sessions{hostname="member-name-2"} 12',
      'fortigate_ha_member_packets_total{hostname="member-name-1"} 549981862',
      'fortigate_ha_member_packets_total{hostname="member-name-2"} 1',
      'fortigate_ha_member_bytes_total{hostname="member-name-1"} 202844842379',
      'fortigate_ha_member_bytes_total{hostname="member-name-2"} 40',
      'fortigate_ha_member_virus_events_total{hostname="member-name-1"} 0',
      'fortigate_ha_member_virus_events_total{hostname="member-name-2"} 0',
      'fortigate_ha_member_ips_events_total{hostname="member-name-1"} 0',
      'fortigate_ha_member_ips_events_total{hostname="member-name-2"} 0',
      // vpn-stats.jsonnet: current users/tunnels/connections of VDOM root
      'fortigate_vpn_ssl_users{vdom="root"} 3',
      'fortigate_vpn_ssl_tunnels{vdom="root"} 2',
      'fortigate_vpn_ssl_connections{vdom="root"} 2',
      // virtual_wan_health_check.jsonnet: WAN1_VL300 up with measurements (ms, %), wan2 disabled with none
      ...stateset('fortigate_sdwan_health_check_status', `${hc},member="WAN1_VL300",vdom="root"`, ['disable', 'down', 'up'], 'up'),
      ...stateset('fortigate_sdwan_health_check_status', `${hc},member="wan2",vdom="root"`, ['disable', 'down', 'up'], 'disable'),
      `fortigate_sdwan_health_check_latency_seconds{${hc},member="WAN1_VL300",vdom="root"} ${5.611332893371582 * 0.001}`,
      `fortigate_sdwan_health_check_jitter_seconds{${hc},member="WAN1_VL300",vdom="root"} ${0.031166711822152138 * 0.001}`,
      `fortigate_sdwan_health_check_packet_loss_ratio{${hc},member="WAN1_VL300",vdom="root"} 0`,
      `fortigate_sdwan_health_check_packets_sent_total{${hc},member="WAN1_VL300",vdom="root"} 306958`,
      `fortigate_sdwan_health_check_packets_received_total{${hc},member="WAN1_VL300",vdom="root"} 306895`,
      `fortigate_sdwan_health_check_sessions{${hc},member="WAN1_VL300",vdom="root"} 710`,
      `fortigate_sdwan_health_check_state_change_timestamp_seconds{${hc},member="WAN1_VL300",vdom="root"} 1614107800`,
      // link-monitor.jsonnet: monitor wan-mon on wan1
      ...stateset('fortigate_link_monitor_status', 'interface="wan1",monitor="wan-mon",vdom="root"', ['down', 'up'], 'up'),
      `fortigate_link_monitor_latency_seconds{interface="wan1",monitor="wan-mon",vdom="root"} ${6.8102002143859863 * 0.001}`,
      `fortigate_link_monitor_jitter_seconds{interface="wan1",monitor="wan-mon",vdom="root"} ${1.1268666982650757 * 0.001}`,
      'fortigate_link_monitor_packet_loss_ratio{interface="wan1",monitor="wan-mon",vdom="root"} 0',
      'fortigate_link_monitor_packets_sent_total{interface="wan1",monitor="wan-mon",vdom="root"} 278878',
      'fortigate_link_monitor_packets_received_total{interface="wan1",monitor="wan-mon",vdom="root"} 278807',
      'fortigate_link_monitor_sessions{interface="wan1",monitor="wan-mon",vdom="root"} 77',
      'fortigate_link_monitor_state_change_timestamp_seconds{interface="wan1",monitor="wan-mon",vdom="root"} 1612916020',
      // license-status.jsonnet: vdom (platform, 114 of 125), sms (no_license, 0 of 0); no expiry dates
      'fortigate_license_info{license="sms",status="no_license",type="other"} 1',
      'fortigate_license_info{license="vdom",type="platform"} 1',
      'fortigate_license_used{license="sms"} 0',
      'fortigate_license_used{license="vdom"} 114',
      'fortigate_license_max{license="sms"} 0',
      'fortigate_license_max{license="vdom"} 125',
    ]));

    // Interfaces: every family of five of them. internal1 reports its speed as a
    // float (1000.00), vlan-knx is a VLAN on downlink in VDOM knx, wan2 has no link,
    // internal5 carries the fixture's oversized tx_bytes, dmz has an alias.
    const iface = (name: string, vdom: string) =>
      r.deviceLines.filter((l) => l.startsWith('fortigate_interface_') && l.includes(`name="${name}"`) && l.includes(`vdom="${vdom}"`) && !l.includes('alias='));
    expect(sorted(iface('internal1', 'infra'))).toEqual(sorted([
      'fortigate_interface_info{name="internal1",vdom="infra"} 1',
      'fortigate_interface_link_up{name="internal1",vdom="infra"} 1',
      `fortigate_interface_speed_bytes{name="internal1",vdom="infra"} ${1000 * 125000}`,
      'fortigate_interface_receive_bytes_total{name="internal1",vdom="infra"} 17367580312',
      'fortigate_interface_transmit_bytes_total{name="internal1",vdom="infra"} 13038411253',
      'fortigate_interface_receive_packets_total{name="internal1",vdom="infra"} 52781120',
      'fortigate_interface_transmit_packets_total{name="internal1",vdom="infra"} 63722042',
      'fortigate_interface_receive_errors_total{name="internal1",vdom="infra"} 0',
      'fortigate_interface_transmit_errors_total{name="internal1",vdom="infra"} 0',
    ]));
    expect(sorted(iface('vlan-knx', 'knx'))).toEqual(sorted([
      'fortigate_interface_info{name="vlan-knx",parent="downlink",vdom="knx",vlan_id="2030"} 1',
      'fortigate_interface_link_up{name="vlan-knx",vdom="knx"} 1',
      `fortigate_interface_speed_bytes{name="vlan-knx",vdom="knx"} ${2000 * 125000}`,
      'fortigate_interface_receive_bytes_total{name="vlan-knx",vdom="knx"} 964072',
      'fortigate_interface_transmit_bytes_total{name="vlan-knx",vdom="knx"} 21098754',
      'fortigate_interface_receive_packets_total{name="vlan-knx",vdom="knx"} 5325',
      'fortigate_interface_transmit_packets_total{name="vlan-knx",vdom="knx"} 119021',
      'fortigate_interface_receive_errors_total{name="vlan-knx",vdom="knx"} 0',
      'fortigate_interface_transmit_errors_total{name="vlan-knx",vdom="knx"} 0',
    ]));
    expect(sorted(iface('wan2', 'root'))).toEqual(sorted([
      'fortigate_interface_info{name="wan2",vdom="root"} 1',
      'fortigate_interface_link_up{name="wan2",vdom="root"} 0',
      'fortigate_interface_speed_bytes{name="wan2",vdom="root"} 0',
      'fortigate_interface_receive_bytes_total{name="wan2",vdom="root"} 0',
      'fortigate_interface_transmit_bytes_total{name="wan2",vdom="root"} 0',
      'fortigate_interface_receive_packets_total{name="wan2",vdom="root"} 0',
      'fortigate_interface_transmit_packets_total{name="wan2",vdom="root"} 0',
      'fortigate_interface_receive_errors_total{name="wan2",vdom="root"} 0',
      'fortigate_interface_transmit_errors_total{name="wan2",vdom="root"} 0',
    ]));
    expect(r.deviceLines).toContain('fortigate_interface_transmit_bytes_total{name="internal5",vdom="root"} 646871259820000000');
    expect(r.deviceLines).toContain('fortigate_interface_info{alias="(mgmt)",name="dmz",vdom="root"} 1');
    expect(r.deviceLines).toContain('fortigate_interface_info{name="vlan-ocp-knx",parent="a",vdom="knx",vlan_id="2030"} 1');
    expect(r.deviceLines).toContain('fortigate_interface_receive_bytes_total{name="wan1",vdom="main"} 48782482049');
    expect(r.deviceLines).toContain(`fortigate_interface_speed_bytes{name="downlink",vdom="infra"} ${2000 * 125000}`);
    // Links up: internal1, internal2, downlink, vlan-knx, vlan-ocp-knx, wan1, a, dmz, npu0_vlink0/1.
    expect(r.deviceLines.filter((l) => l.startsWith('fortigate_interface_link_up{') && l.endsWith(' 1'))).toHaveLength(10);

    // Sensors: one of each kind; the only alarm is PS2 Status.
    expect(r.deviceLines).toContain('fortigate_sensor_voltage_volts{sensor="MAC_AVS 1V"} 0.99');
    expect(r.deviceLines).toContain('fortigate_sensor_voltage_volts{sensor="+12V"} 12.077');
    expect(r.deviceLines).toContain('fortigate_sensor_voltage_volts{sensor="PS2 VIN"} 226');
    expect(r.deviceLines).toContain('fortigate_sensor_temperature_celsius{sensor="CPU 0 Core 2"} 42');
    expect(r.deviceLines).toContain('fortigate_sensor_temperature_celsius{sensor="DTS CPU1"} 49');
    expect(r.deviceLines).toContain('fortigate_sensor_fan_speed_rpm{sensor="FAN1"} 2900');
    expect(r.deviceLines).toContain('fortigate_sensor_fan_speed_rpm{sensor="PS2 Fan 1"} 4224');
    expect(r.deviceLines).toContain('fortigate_sensor_alarm{sensor="PS1 Status",type="power"} 0');
    expect(r.deviceLines).toContain('fortigate_sensor_alarm{sensor="TD1",type="temperature"} 0');
    expect(r.deviceLines.filter((l) => l.startsWith('fortigate_sensor_alarm{') && !l.endsWith(' 0'))).toEqual([
      'fortigate_sensor_alarm{sensor="PS2 Status",type="power"} 1',
    ]);
  });
});

describe('fronius module', () => {
  it('Symo with Datamanager and Smart Meter 63A: power flow, inverter 1, meter, logger', async () => {
    const r = await probe('fronius-symo');
    expect(r.series.get('probe_success')).toBe(1);
    for (const req of ['power_flow', 'inverter', 'meter', 'logger']) expect(r.series.get(`probe_request_success{request="${req}"}`)).toBe(1);
    expect(sorted(r.hits)).toEqual([
      '/solar_api/v1/GetInverterRealtimeData.cgi?Scope=Device&DeviceId=1&DataCollection=CommonInverterData',
      '/solar_api/v1/GetLoggerInfo.cgi',
      '/solar_api/v1/GetMeterRealtimeData.cgi?Scope=System',
      '/solar_api/v1/GetPowerFlowRealtimeData.fcgi',
    ]);
    const m = 'meter="0"';
    expect(sorted(r.deviceLines)).toEqual(sorted([
      // Head.Status.Code of every response
      'fronius_api_status_code{request="inverter"} 0',
      'fronius_api_status_code{request="logger"} 0',
      'fronius_api_status_code{request="meter"} 0',
      'fronius_api_status_code{request="power_flow"} 0',
      // GetPowerFlowRealtimeData.json: P_Akku is null (no battery: no series); Wh → J; % → ratio
      'fronius_site_info{meter_location="grid",mode="meter",version="12"} 1',
      'fronius_site_pv_power_watts 1111',
      'fronius_site_grid_power_watts 1703.74',
      'fronius_site_load_power_watts -2814.74',
      `fronius_site_autonomy_ratio ${39.4707859340472 * 0.01}`,
      `fronius_site_self_consumption_ratio ${100 * 0.01}`,
      `fronius_site_energy_today_joules ${1101.7000732421875 * 3600}`,
      `fronius_site_energy_this_year_joules ${25508788 * 3600}`,
      `fronius_site_energy_produced_joules_total ${44188000 * 3600}`,
      'fronius_site_inverter_power_watts{inverter="1"} 1111',
      // GetInverterRealtimeData_Device_1.json
      'fronius_inverter_ac_power_watts{inverter="1"} 1190',
      'fronius_inverter_ac_current_amperes{inverter="1"} 5.19',
      'fronius_inverter_ac_voltage_volts{inverter="1"} 227.9',
      'fronius_inverter_ac_frequency_hertz{inverter="1"} 49.94',
      'fronius_inverter_dc_current_amperes{inverter="1"} 2.19',
      'fronius_inverter_dc_voltage_volts{inverter="1"} 518',
      `fronius_inverter_energy_today_joules{inverter="1"} ${1113 * 3600}`,
      `fronius_inverter_energy_this_year_joules{inverter="1"} ${25508798 * 3600}`,
      `fronius_inverter_energy_produced_joules_total{inverter="1"} ${44188000 * 3600}`,
      'fronius_inverter_status_code{inverter="1"} 7',
      'fronius_inverter_error_code{inverter="1"} 0',
      // GetMeterRealtimeData.json: meter "0"
      `fronius_meter_info{manufacturer="Fronius",${m},model="Smart Meter 63A",serial_number="12345678"} 1`,
      `fronius_meter_power_watts{${m}} 5592.57`,
      `fronius_meter_phase_power_watts{${m},phase="1"} 1765.55`,
      `fronius_meter_phase_power_watts{${m},phase="2"} 1515.8`,
      `fronius_meter_phase_power_watts{${m},phase="3"} 2311.22`,
      `fronius_meter_phase_voltage_volts{${m},phase="1"} 228.6`,
      `fronius_meter_phase_voltage_volts{${m},phase="2"} 228.6`,
      `fronius_meter_phase_voltage_volts{${m},phase="3"} 231`,
      `fronius_meter_phase_current_amperes{${m},phase="1"} 7.755`,
      `fronius_meter_phase_current_amperes{${m},phase="2"} 6.68`,
      `fronius_meter_phase_current_amperes{${m},phase="3"} 10.102`,
      `fronius_meter_frequency_hertz{${m}} 50`,
      `fronius_meter_power_factor{${m}} 1`,
      `fronius_meter_energy_consumed_joules_total{${m}} ${15303334 * 3600}`,
      `fronius_meter_energy_produced_joules_total{${m}} ${35623065 * 3600}`,
      // GetLoggerInfo.json
      'fronius_logger_info{hardware_version="2.4E",platform="wilma",product="fronius-datamanager-card",software_version="3.18.7-1",unique_id="123.4567890"} 1',
    ]));
    expect(r.deviceLines).toHaveLength(41);
  });

  it('reads another inverter of the site with &inverter=', async () => {
    const device = await startDevice(catalogDevice('fronius-symo'));
    try {
      const res = await exporter.probe({ module: 'fronius', target: device.url, inverter: '2' });
      expect(res.status).toBe(200);
      expect(device.hits).toContain('/solar_api/v1/GetInverterRealtimeData.cgi?Scope=Device&DeviceId=2&DataCollection=CommonInverterData');
    } finally {
      await device.close();
    }
  });
});

describe('monit module', () => {
  // Identical in all ten files: Monit 5.17.1 on localhost, up 109878 s, 10 s cycle,
  // Linux 4.15 x86_64 with 8 CPUs, memory and swap in KiB.
  const daemon = [
    'monit_server_info{hostname="localhost",version="5.17.1"} 1',
    'monit_server_uptime_seconds 109878',
    'monit_server_poll_interval_seconds 10',
    'monit_platform_info{machine="x86_64",release="4.15.0-65-generic",sysname="Linux"} 1',
    'monit_platform_cpus 8',
    `monit_platform_memory_bytes ${16432272 * 1024}`,
    `monit_platform_swap_bytes ${16432268 * 1024}`,
  ];
  const service = (type: string, collected: number, status = 0) => [
    `monit_service_status{name="test",type="${type}"} ${status}`,
    `monit_service_monitor_state{name="test",type="${type}"} 1`,
    `monit_service_collected_timestamp_seconds{name="test",type="${type}"} ${collected}`,
  ];
  const network = (state: number, speed: number, rx: [number, number, number], tx: [number, number, number]) => [
    `monit_network_link_up{name="test"} ${state}`,
    `monit_network_link_speed_bytes{name="test"} ${speed * 0.125}`,
    `monit_network_receive_packets_total{name="test"} ${rx[0]}`,
    `monit_network_receive_bytes_total{name="test"} ${rx[1]}`,
    `monit_network_receive_errors_total{name="test"} ${rx[2]}`,
    `monit_network_transmit_packets_total{name="test"} ${tx[0]}`,
    `monit_network_transmit_bytes_total{name="test"} ${tx[1]}`,
    `monit_network_transmit_errors_total{name="test"} ${tx[2]}`,
  ];

  const cases: Array<[variant: string, lines: string[]]> = [
    ['0', [
      ...service('filesystem', 1572850498),
      `monit_filesystem_used_bytes{name="test"} ${4424 * 1048576}`,
      `monit_filesystem_size_bytes{name="test"} ${14990 * 1048576}`,
      'monit_filesystem_inodes_used{name="test"} 59674',
      'monit_filesystem_inodes{name="test"} 7680000',
    ]],
    ['1', [...service('directory', 1572850342), 'monit_file_timestamp_seconds{name="test"} 1572272434']],
    ['2', [...service('file', 1476628305), 'monit_file_timestamp_seconds{name="test"} 1476518441', 'monit_file_size_bytes{name="test"} 1565']],
    ['3', [
      ...service('process', 1476628305),
      'monit_process_uptime_seconds{name="test"} 109870',
      'monit_process_children{name="test"} 0',
      'monit_process_threads{name="test"} 31',
      `monit_process_memory_bytes{name="test"} ${22892 * 1024}`,
      `monit_process_memory_total_bytes{name="test"} ${22892 * 1024}`,
      'monit_process_cpu_ratio{name="test"} 0',
      'monit_process_cpu_total_ratio{name="test"} 0',
    ]],
    ['4', [
      ...service('host', 1572862451),
      'monit_port_response_time_seconds{hostname="192.168.1.10",name="test",port="2812",protocol="DEFAULT"} 0.000145',
    ]],
    ['5', [
      ...service('system', 1476628305),
      'monit_system_load1{name="test"} 0',
      'monit_system_load5{name="test"} 0',
      'monit_system_load15{name="test"} 0',
      'monit_system_cpu_ratio{mode="user",name="test"} 0',
      `monit_system_cpu_ratio{mode="system",name="test"} ${0.1 * 0.01}`,
      'monit_system_cpu_ratio{mode="wait",name="test"} 0',
      `monit_system_memory_used_bytes{name="test"} ${259668 * 1024}`,
      'monit_system_swap_used_bytes{name="test"} 0',
    ]],
    ['6', [...service('fifo', 1572862451), 'monit_file_timestamp_seconds{name="test"} 1572271731']],
    ['7', [
      ...service('program', 1572850498),
      'monit_program_exit_status{name="test"} 0',
      'monit_program_started_timestamp_seconds{name="test"} 1572850498',
    ]],
    ['8', [...service('network', 1572869770), ...network(1, 1000000000, [15243, 5506778, 0], [8822, 1287240, 0])]],
  ];

  for (const [variant, lines] of cases) {
    it(`service type ${variant}: the daemon, the service and its type's values`, async () => {
      const r = await probe(`monit-servicetype-${variant}`);
      expect(r.series.get('probe_success')).toBe(1);
      expect(r.hits).toEqual(['/_status?format=xml&level=full']);
      expect(sorted(r.deviceLines)).toEqual(sorted([...daemon, ...lines]));
    });
  }

  it('a failed network service still probes successfully and shows the failure', async () => {
    const r = await probe('monit-servicetype-8-failure');
    // The probe worked: the failure is the service's, reported as data.
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.series.get('probe_mapping_errors')).toBe(0);
    // status 8388608 (a failure flag set), link down, speed unknown (-1), counters at 0.
    expect(sorted(r.deviceLines)).toEqual(sorted([
      ...daemon,
      ...service('network', 1572869770, 8388608),
      ...network(0, -1, [0, 0, 0], [0, 0, 0]),
    ]));
  });
});

describe('bind and bind_xml modules', () => {
  it('bind: JSON statistics v1 (BIND omits zero counters except opcodes and rcodes)', async () => {
    const r = await probe('bind-json-v1');
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.hits).toEqual(['/json/v1/server']);
    expect(r.deviceLines).toHaveLength(78);
    expect(familyCounts(r.deviceLines)).toEqual({
      bind_boot_time_seconds: 1,
      bind_cache_rrsets: 11,
      bind_config_time_seconds: 1,
      bind_incoming_queries_total: 4,
      bind_incoming_requests_total: 16,
      bind_nsstats_total: 11,
      bind_resolver_queries_total: 7,
      bind_responses_total: 24,
      bind_zonestats_total: 3,
    });
    for (const line of [
      // 2017-07-28T13:24:53Z
      'bind_boot_time_seconds 1501248293',
      'bind_config_time_seconds 1501248293',
      'bind_incoming_requests_total{opcode="QUERY"} 13',
      'bind_incoming_requests_total{opcode="RESERVED15"} 0',
      'bind_incoming_queries_total{type="A"} 2',
      'bind_incoming_queries_total{type="PTR"} 7',
      'bind_incoming_queries_total{type="AAAA"} 2',
      'bind_incoming_queries_total{type="SRV"} 2',
      'bind_responses_total{rcode="NOERROR"} 1732',
      'bind_responses_total{rcode="SERVFAIL"} 6',
      'bind_responses_total{rcode="NXDOMAIN"} 200',
      'bind_responses_total{rcode="17"} 0',
      'bind_responses_total{rcode="BADCOOKIE"} 0',
      'bind_nsstats_total{counter="Requestv4"} 13',
      'bind_nsstats_total{counter="Response"} 12',
      'bind_nsstats_total{counter="QrySuccess"} 6',
      'bind_nsstats_total{counter="QryRecursion"} 12',
      'bind_nsstats_total{counter="QryUDP"} 13',
      'bind_zonestats_total{counter="NotifyOutv4"} 8',
      'bind_zonestats_total{counter="NotifyInv4"} 5',
      'bind_zonestats_total{counter="SOAOutv4"} 5',
      'bind_resolver_queries_total{type="AAAA",view="_default"} 233',
      'bind_resolver_queries_total{type="DNSKEY",view="_default"} 24',
      'bind_cache_rrsets{type="A",view="_default"} 150',
      'bind_cache_rrsets{type="!AAAA",view="_default"} 23',
      'bind_cache_rrsets{type="NXDOMAIN",view="_default"} 1',
    ]) expect(r.deviceLines).toContain(line);
    // The _bind view's resolver has empty qtypes and cache; RecursClients is 0, so absent.
    expect(r.deviceLines.filter((l) => l.includes('view="_bind"'))).toEqual([]);
    expect(r.series.has('bind_recursive_clients')).toBe(false);
  });

  it('bind_xml: XML statistics v3 (every counter, zeros included)', async () => {
    const r = await probe('bind-xml-v3');
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.hits).toEqual(['/xml/v3/server']);
    expect(r.deviceLines).toHaveLength(116);
    // This BIND (stats 3.6) has no rcode counters in XML.
    expect(familyCounts(r.deviceLines)).toEqual({
      bind_boot_time_seconds: 1,
      bind_cache_rrsets: 13,
      bind_config_time_seconds: 1,
      bind_incoming_queries_total: 10,
      bind_incoming_requests_total: 16,
      bind_nsstats_total: 52,
      bind_recursive_clients: 1,
      bind_resolver_queries_total: 9,
      bind_zonestats_total: 13,
    });
    for (const line of [
      // 2017-07-21T11:53:28Z
      'bind_boot_time_seconds 1500638008',
      'bind_config_time_seconds 1500638008',
      'bind_incoming_requests_total{opcode="QUERY"} 74941',
      'bind_incoming_requests_total{opcode="NOTIFY"} 0',
      'bind_incoming_queries_total{type="A"} 63672',
      'bind_incoming_queries_total{type="ANY"} 22',
      'bind_incoming_queries_total{type="RRSIG"} 1',
      'bind_nsstats_total{counter="Requestv4"} 74942',
      'bind_nsstats_total{counter="QryDuplicate"} 11667',
      'bind_nsstats_total{counter="QryDropped"} 11',
      'bind_nsstats_total{counter="SitMatch"} 0',
      'bind_nsstats_total{counter="RecursClients"} 0',
      'bind_recursive_clients 0',
      'bind_zonestats_total{counter="NotifyOutv4"} 2',
      'bind_zonestats_total{counter="XfrFail"} 0',
      'bind_resolver_queries_total{type="A",view="_default"} 61568',
      'bind_resolver_queries_total{type="DS",view="_default"} 13749',
      'bind_cache_rrsets{type="RRSIG",view="_default"} 258',
      'bind_cache_rrsets{type="!DS",view="_default"} 29',
    ]) expect(r.deviceLines).toContain(line);
    expect(r.deviceLines.filter((l) => l.includes('view="_bind"'))).toEqual([]);
  });

  it('both give the same names, labels and help where the two payloads hold the same counters', async () => {
    const json = await probe('bind-json-v1');
    const xml = await probe('bind-xml-v3');
    const keys = (r: DeviceProbe) => new Set(r.deviceLines.map((l) => l.slice(0, l.lastIndexOf(' '))));
    const jsonKeys = keys(json);
    const xmlKeys = keys(xml);
    // Every JSON series has its twin in the XML output, except what the XML capture
    // does not hold: rcode counters, and a !AAAA (negative AAAA) cache entry.
    const onlyJson = [...jsonKeys].filter((k) => !xmlKeys.has(k));
    expect(sorted(onlyJson)).toEqual(sorted([
      ...['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH',
        'NOTZONE', 'RESERVED11', 'RESERVED12', 'RESERVED13', 'RESERVED14', 'RESERVED15', 'BADVERS', '17', '18', '19', '20',
        '21', '22', 'BADCOOKIE'].map((rc) => `bind_responses_total{rcode="${rc}"}`),
      'bind_cache_rrsets{type="!AAAA",view="_default"}',
    ]));
    // 53 series in common, e.g. all 16 opcodes, the 4 JSON qtypes, the 11 JSON nsstats.
    expect(jsonKeys.size - onlyJson.length).toBe(53);
    expect(xmlKeys.has('bind_nsstats_total{counter="QryNXDOMAIN"}')).toBe(true);
    expect(jsonKeys.has('bind_nsstats_total{counter="QryNXDOMAIN"}')).toBe(true);
    // The same HELP and TYPE for every family both outputs have.
    const meta = (text: string) => text.split('\n').filter((l) => /^# (HELP|TYPE) bind_/.test(l));
    const xmlMeta = new Set(meta(xml.text));
    const jsonMeta = meta(json.text);
    expect(jsonMeta.length).toBe(18);
    for (const l of jsonMeta) {
      const family = l.split(' ')[2]!;
      if (xml.text.includes(`# TYPE ${family} `)) expect(xmlMeta.has(l), l).toBe(true);
    }
  });
});

describe('promtool check metrics', () => {
  for (const d of APPLIANCES_CATALOG) {
    it(`finds nothing to report in /probe?module=${d.module} against ${d.name}`, async (ctx) => {
      promtool.skipIfMissing(ctx);
      const r = await probe(d.name);
      expect(r.series.get('probe_success')).toBe(1);
      expect(await checkMetrics(r.text)).toEqual({ code: 0, lines: [] });
    });
  }
});
