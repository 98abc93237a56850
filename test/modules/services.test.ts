// The elasticsearch, rabbitmq, consul, springboot and springboot1 modules, probed
// through the shipped configuration against the simulated devices of
// test/sim/catalog/services.ts (real payloads from test/fixtures). Every expected
// line below was written from the fixture, not copied from the exporter's output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES_CATALOG } from '../sim/catalog/services.js';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { probeCatalogDevice, type DeviceProbe } from '../helpers/modules.js';
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

/** The four lines of a stateset in exposition order (states sorted), `current` set to 1. */
function stateset(name: string, labels: string, states: string[], current: string): string[] {
  return [...states].sort().map((s) => `${name}{${labels}${labels ? ',' : ''}${name}="${s}"} ${s === current ? 1 : 0}`);
}

describe('elasticsearch module', () => {
  it('7.13.1: cluster health and GET /; no health report before 8.7', async () => {
    const r = await probe('elasticsearch-7.13.1');
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.series.get('probe_request_success{request="health"}')).toBe(1);
    expect(r.series.get('probe_request_success{request="info"}')).toBe(1);
    // The health report (8.7+) is a module of its own.
    expect(r.series.has('probe_request_success{request="health_report"}')).toBe(false);
    // clusterhealth-7.13.1.json: yellow, 1 node, 1 data node, 30 active primaries,
    // 30 active, 30 unassigned (of 60 copies: 50 %), task waiting 12 ms.
    // clusterinfo-7.13.1.json: docker-cluster, aCMrCY1VQpqJ6U4Sw_xdiw, 7.13.1.
    expect(r.deviceLines).toEqual([
      'elasticsearch_cluster_active_primary_shards 30',
      'elasticsearch_cluster_active_shards_ratio 0.5',
      'elasticsearch_cluster_data_nodes 1',
      'elasticsearch_cluster_delayed_unassigned_shards 0',
      ...stateset('elasticsearch_cluster_health_status', '', ['green', 'yellow', 'red'], 'yellow'),
      'elasticsearch_cluster_in_flight_fetches 0',
      'elasticsearch_cluster_info{cluster_name="docker-cluster",cluster_uuid="aCMrCY1VQpqJ6U4Sw_xdiw",version="7.13.1"} 1',
      'elasticsearch_cluster_nodes 1',
      'elasticsearch_cluster_pending_tasks 0',
      'elasticsearch_cluster_relocating_shards 0',
      'elasticsearch_cluster_shards{state="active"} 30',
      'elasticsearch_cluster_shards{state="initializing"} 0',
      'elasticsearch_cluster_shards{state="unassigned"} 30',
      'elasticsearch_cluster_task_max_waiting_in_queue_seconds 0.012',
    ]);
    expect(r.hits.sort()).toEqual(['/', '/_cluster/health']);
  });

  it('1.7.6: the legacy health shape (no ratio, no task wait); GET / has no capture', async () => {
    const r = await probe('elasticsearch-1.7.6');
    expect(r.series.get('probe_success')).toBe(1);
    // No fixture for 1.7.6's GET /: the simulator answers 404, and the optional
    // identity request fails alone.
    expect(r.series.get('probe_request_success{request="info"}')).toBe(0);
    // clusterhealth-1.7.6.json: yellow, 5 active primaries, 5 active, 5 unassigned;
    // no active_shards_percent_as_number, no task_max_waiting_in_queue_millis.
    expect(r.deviceLines).toEqual([
      'elasticsearch_cluster_active_primary_shards 5',
      'elasticsearch_cluster_data_nodes 1',
      'elasticsearch_cluster_delayed_unassigned_shards 0',
      ...stateset('elasticsearch_cluster_health_status', '', ['green', 'yellow', 'red'], 'yellow'),
      'elasticsearch_cluster_in_flight_fetches 0',
      'elasticsearch_cluster_nodes 1',
      'elasticsearch_cluster_pending_tasks 0',
      'elasticsearch_cluster_relocating_shards 0',
      'elasticsearch_cluster_shards{state="active"} 5',
      'elasticsearch_cluster_shards{state="initializing"} 0',
      'elasticsearch_cluster_shards{state="unassigned"} 5',
    ]);
  });

  it('8.7.0: the health report indicators (only the health report was captured)', async () => {
    const r = await probe('elasticsearch-8.7.0');
    // Probed with module elasticsearch_health_report (the only capture from 8.7.0).
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.series.get('probe_request_success{request="health_report"}')).toBe(1);
    expect(r.series.get('probe_mapping_errors')).toBe(0);
    // healthreport-8.7.0.json: overall green, eight indicators, all green.
    const indicators = ['data_stream_lifecycle', 'disk', 'ilm', 'master_is_stable', 'repository_integrity', 'shards_availability', 'shards_capacity', 'slm'];
    const states = ['green', 'yellow', 'red', 'unknown'];
    expect(r.deviceLines).toEqual([
      ...indicators.flatMap((i) => stateset('elasticsearch_health_report_indicator_status', `indicator="${i}"`, states, 'green')),
      ...stateset('elasticsearch_health_report_status', '', states, 'green'),
    ]);
  });
});

describe('rabbitmq module', () => {
  it('set2 (3.8.14, full overview and nodes)', async () => {
    const r = await probe('rabbitmq-set2');
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.series.get('probe_request_success{request="nodes"}')).toBe(1);
    const node = 'node="rabbit@rmqserver"';
    expect(r.deviceLines).toEqual([
      // object_totals
      'rabbitmq_channels 43',
      // churn_rates
      'rabbitmq_channels_closed_total 2267',
      'rabbitmq_channels_opened_total 2310',
      'rabbitmq_connections 43',
      'rabbitmq_connections_closed_total 2268',
      'rabbitmq_connections_opened_total 2310',
      'rabbitmq_consumers 40',
      'rabbitmq_exchanges 8',
      'rabbitmq_info{cluster_name="rabbit@rmqserver",erlang_version="23.2.7",management_version="3.8.14",rabbitmq_version="3.8.14"} 1',
      // message_stats
      'rabbitmq_messages_acknowledged_total 3736443',
      'rabbitmq_messages_confirmed_total 0',
      'rabbitmq_messages_delivered_no_ack_total 0',
      'rabbitmq_messages_delivered_or_fetched_total 3736446',
      'rabbitmq_messages_delivered_total 3736446',
      'rabbitmq_messages_disk_reads_total 0',
      'rabbitmq_messages_disk_writes_total 55',
      'rabbitmq_messages_dropped_unroutable_total 0',
      'rabbitmq_messages_fetched_empty_total 0',
      'rabbitmq_messages_fetched_no_ack_total 0',
      'rabbitmq_messages_fetched_total 0',
      'rabbitmq_messages_published_total 770025',
      'rabbitmq_messages_redelivered_total 1',
      'rabbitmq_messages_returned_unroutable_total 0',
      // nodes: one node; uptime 4150152129 ms; partitions []
      `rabbitmq_node_disk_free_alarm{${node}} 0`,
      `rabbitmq_node_disk_free_bytes{${node}} 25086496768`,
      `rabbitmq_node_disk_free_limit_bytes{${node}} 50000000`,
      `rabbitmq_node_erlang_processes_limit{${node}} 1048576`,
      `rabbitmq_node_erlang_processes_used{${node}} 1128`,
      `rabbitmq_node_file_descriptors_limit{${node}} 65536`,
      `rabbitmq_node_file_descriptors_used{${node}} 78`,
      `rabbitmq_node_memory_alarm{${node}} 0`,
      `rabbitmq_node_memory_limit_bytes{${node}} 1717546188`,
      `rabbitmq_node_memory_used_bytes{${node}} 387645440`,
      `rabbitmq_node_partitioned{${node}} 0`,
      `rabbitmq_node_running{${node}} 1`,
      `rabbitmq_node_sockets_limit{${node}} 58893`,
      `rabbitmq_node_sockets_used{${node}} 43`,
      `rabbitmq_node_uptime_seconds{${node}} 4150152.129`,
      // queue_totals
      'rabbitmq_queue_messages 30',
      'rabbitmq_queue_messages_ready 30',
      'rabbitmq_queue_messages_unacknowledged 0',
      'rabbitmq_queues 37',
      'rabbitmq_queues_created_total 663',
      'rabbitmq_queues_declared_total 144281',
      'rabbitmq_queues_deleted_total 629',
    ]);
  });

  it('set1 (cut-down overview; no nodes capture)', async () => {
    const r = await probe('rabbitmq-set1');
    // /api/nodes has no capture for this system (404); the request is optional.
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.series.get('probe_request_success{request="overview"}')).toBe(1);
    expect(r.series.get('probe_request_success{request="nodes"}')).toBe(0);
    expect(r.series.get('probe_http_status_code{request="nodes"}')).toBe(404);
    // Only ack, deliver, deliver_get, publish, return_unroutable; no versions (no
    // rabbitmq_info), no churn_rates. The fixture's queue totals are not consistent
    // (50 messages, 72 ready, 94 unacknowledged): they are passed on as they are.
    expect(r.deviceLines).toEqual([
      'rabbitmq_channels 44',
      'rabbitmq_connections 44',
      'rabbitmq_consumers 70',
      'rabbitmq_exchanges 43',
      'rabbitmq_messages_acknowledged_total 5246',
      'rabbitmq_messages_delivered_or_fetched_total 3333',
      'rabbitmq_messages_delivered_total 5234',
      'rabbitmq_messages_published_total 5258',
      'rabbitmq_messages_returned_unroutable_total 10',
      'rabbitmq_queue_messages 50',
      'rabbitmq_queue_messages_ready 72',
      'rabbitmq_queue_messages_unacknowledged 94',
      'rabbitmq_queues 66',
    ]);
  });
});

describe('consul module', () => {
  it('maps the gauge, counter and sample the capture holds', async () => {
    const r = await probe('consul');
    expect(r.series.get('probe_success')).toBe(1);
    // consul.consul.members.clients 0 {datacenter: dc1}; consul.rpc.request Rate 0.5;
    // consul.api.http {GET, v1_agent_self} Mean = Max = 4.14815616607666 ms.
    expect(r.deviceLines).toEqual([
      'consul_api_http_request_max_seconds{method="GET",path="v1_agent_self"} 0.00414815616607666',
      'consul_api_http_request_mean_seconds{method="GET",path="v1_agent_self"} 0.00414815616607666',
      'consul_members_clients{datacenter="dc1"} 0',
      'consul_rpc_requests_per_second 0.5',
    ]);
  });
});

describe('springboot modules', () => {
  const states = ['UP', 'DOWN', 'OUT_OF_SERVICE', 'UNKNOWN'];
  // Both fixtures hold the same tree: DOWN; sub-1 DOWN (sub-1-1 UP, sub-1-2 DOWN); sub-2 UP.
  const expected = [
    ...stateset('spring_boot_health_component_status', 'component="sub-1"', states, 'DOWN'),
    ...stateset('spring_boot_health_component_status', 'component="sub-1/sub-1-1"', states, 'UP'),
    ...stateset('spring_boot_health_component_status', 'component="sub-1/sub-1-2"', states, 'DOWN'),
    ...stateset('spring_boot_health_component_status', 'component="sub-2"', states, 'UP'),
    ...stateset('spring_boot_health_status', '', states, 'DOWN'),
  ];

  it('springboot: Boot 2 nested details, DOWN answered with 503', async () => {
    const r = await probe('spring-boot-2');
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.series.get('probe_http_status_code{request="health"}')).toBe(503);
    expect(r.hits).toEqual(['/actuator/health']);
    expect(r.deviceLines).toEqual(expected);
  });

  it('springboot1: Boot 1 flat shape, DOWN answered with 503', async () => {
    const r = await probe('spring-boot-1');
    expect(r.series.get('probe_success')).toBe(1);
    expect(r.series.get('probe_http_status_code{request="health"}')).toBe(503);
    expect(r.hits).toEqual(['/health']);
    expect(r.deviceLines).toEqual(expected);
  });
});



describe('promtool check metrics', () => {
  for (const device of SERVICES_CATALOG) {
    it(`finds nothing to report for ${device.name}`, async (ctx) => {
      promtool.skipIfMissing(ctx);
      const r = await probe(device.name);
      expect(r.deviceLines.length).toBeGreaterThan(0);
      expect(await checkMetrics(r.text)).toEqual({ code: 0, lines: [] });
    });
  }
});
