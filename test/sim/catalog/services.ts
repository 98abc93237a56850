// Elasticsearch, RabbitMQ, Consul, Spring Boot (ports 8000-8009)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FIXTURES, type Handler } from '../devices.js';
import type { CatalogDevice } from './index.js';

const ES = 'elasticsearch';
const ES_JSON = 'application/json; charset=UTF-8';

/**
 * A fixture served with a given HTTP status: Spring Boot answers its health endpoint
 * with 503 (and the same JSON body) when the status is DOWN or OUT_OF_SERVICE.
 */
function fixtureWithStatus(file: string, status: number, contentType: string): Handler {
  return (req, res) => {
    readFile(path.join(FIXTURES, file)).then(
      (body) => {
        res.writeHead(status, { 'content-type': contentType, 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fixture ${file} missing`);
      },
    );
  };
}

// Paths without a route answer 404 (test/sim/devices.ts): that is how these devices
// answer for the endpoints no fixture covers.
export const SERVICES_CATALOG: CatalogDevice[] = [
  {
    // Both 7.13.1 captures of the elasticsearch_exporter fixtures. They come from two
    // different clusters (cluster_name "elasticsearch" in the health, "docker-cluster"
    // in GET /): the module takes the cluster's name from GET / only.
    // No /_health_report: the API exists from 8.7 on.
    name: 'elasticsearch-7.13.1',
    module: 'elasticsearch',
    demoPort: 8000,
    routes: {
      '/_cluster/health': { file: `${ES}/clusterhealth-7.13.1.json`, contentType: ES_JSON },
      '/': { file: `${ES}/clusterinfo-7.13.1.json`, contentType: ES_JSON },
    },
  },
  {
    // Only the cluster health was captured from 1.7.6; GET / (which 1.x does serve)
    // has no fixture, so it answers 404 here: probe_request_success{request="info"} 0.
    // No /_health_report (8.7+).
    name: 'elasticsearch-1.7.6',
    module: 'elasticsearch',
    demoPort: 8001,
    routes: {
      '/_cluster/health': { file: `${ES}/clusterhealth-1.7.6.json`, contentType: ES_JSON },
    },
  },
  {
    // Only the health report was captured from 8.7.0 (a capture of its own: 11703
    // started primaries), so this device is probed with that module alone.
    name: 'elasticsearch-8.7.0',
    module: 'elasticsearch_health_report',
    demoPort: 8002,
    routes: {
      '/_health_report': { file: `${ES}/healthreport-8.7.0.json`, contentType: ES_JSON },
    },
  },
  {
    // RabbitMQ 3.8.14, single node rabbit@rmqserver: overview and nodes of one capture.
    name: 'rabbitmq-set2',
    module: 'rabbitmq',
    demoPort: 8003,
    routes: {
      '/api/overview': { file: 'rabbitmq/telegraf-set2-overview.json', contentType: 'application/json' },
      '/api/nodes': { file: 'rabbitmq/telegraf-set2-nodes.json', contentType: 'application/json' },
    },
  },
  {
    // The cut-down overview. Its listeners name rabbit@node-a and rabbit@node-b, not
    // set2's rabbit@rmqserver: set2's nodes file describes another system and is not
    // reused, so /api/nodes answers 404 (the module's nodes request is optional).
    name: 'rabbitmq-set1',
    module: 'rabbitmq',
    demoPort: 8004,
    routes: {
      '/api/overview': { file: 'rabbitmq/telegraf-set1-overview.json', contentType: 'application/json' },
    },
  },
  {
    name: 'consul',
    module: 'consul',
    demoPort: 8005,
    routes: {
      '/v1/agent/metrics': { file: 'consul/telegraf-v1-agent-metrics.json', contentType: 'application/json' },
    },
  },
  {
    // Boot 2.0/2.1 shape (nested `details`). The status is DOWN, so Boot answers 503.
    // application/json: what Boot sends for the exporter's Accept: application/json.
    name: 'spring-boot-2',
    module: 'springboot',
    demoPort: 8006,
    routes: {
      '/actuator/health': fixtureWithStatus('spring-boot-actuator/sba-health-expected.json', 503, 'application/json'),
    },
  },
  {
    // Boot 1.x flat shape, DOWN: 503 as well.
    name: 'spring-boot-1',
    module: 'springboot1',
    demoPort: 8007,
    routes: {
      '/health': fixtureWithStatus('spring-boot-actuator/sba-health-legacy.json', 503, 'application/json'),
    },
  },
];
