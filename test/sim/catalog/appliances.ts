// FortiGate, Fronius, Monit, BIND, NUT (ports 8010-8029)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FIXTURES, type Handler } from '../devices.js';
import type { CatalogDevice } from './index.js';

const FORTIGATE = 'fortigate';
const FRONIUS = 'fronius-solar-api/symo';

/**
 * A FortiGate fixture served as the JSON body the device sends. The files come from
 * fortigate_exporter's testdata, which are jsonnet: line 1 is a `#` comment naming the
 * API path, and two of them also carry jsonnet-only syntax, a `/* … *\/` comment
 * (interface.jsonnet) and a trailing comma (vpn-stats.jsonnet). Exactly those are
 * removed; no value is touched. test/modules/appliances.test.ts checks what is removed.
 */
export function jsonnetAsJson(text: string): string {
  return text
    .slice(text.indexOf('\n') + 1)
    .replace(/[ \t]*\/\*[^]*?\*\//g, '')
    .replace(/,(\s*[\]}])/g, '$1');
}

function jsonnetRoute(file: string): Handler {
  return (req, res) => {
    readFile(path.join(FIXTURES, file), 'utf8').then(
      (text) => {
        const body = Buffer.from(jsonnetAsJson(text));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{}');
      },
    );
  };
}

/** The comment line alone: the other FortiGate files are plain JSON after it. */
const fortigateFile = (file: string) => ({ file: `${FORTIGATE}/${file}`, contentType: 'application/json', skipLines: 1 });

const MONIT_VARIANTS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '8_failure'] as const;

export const APPLIANCES_CATALOG: CatalogDevice[] = [
  {
    // One FortiGate answering every monitor endpoint the module reads. The files were
    // captured from different units (serials and versions differ); each is one real body.
    name: 'fortigate',
    module: 'fortigate',
    demoPort: 8010,
    routes: {
      '/api/v2/monitor/system/status': fortigateFile('status.jsonnet'),
      '/api/v2/monitor/system/sensor-info': fortigateFile('system-sensor-info.jsonnet'),
      '/api/v2/monitor/system/ha-statistics': fortigateFile('ha-statistics.jsonnet'),
      '/api/v2/monitor/system/interface/select': jsonnetRoute(`${FORTIGATE}/interface.jsonnet`),
      '/api/v2/monitor/vpn/ssl/stats': jsonnetRoute(`${FORTIGATE}/vpn-stats.jsonnet`),
      '/api/v2/monitor/virtual-wan/health-check': fortigateFile('virtual_wan_health_check.jsonnet'),
      '/api/v2/monitor/license/status/select': fortigateFile('license-status.jsonnet'),
      '/api/v2/monitor/system/link-monitor': fortigateFile('link-monitor.jsonnet'),
    },
  },
  {
    name: 'fronius-symo',
    module: 'fronius',
    demoPort: 8011,
    contentType: 'application/json',
    routes: {
      '/solar_api/v1/GetPowerFlowRealtimeData.fcgi': `${FRONIUS}/GetPowerFlowRealtimeData.json`,
      '/solar_api/v1/GetInverterRealtimeData.cgi': `${FRONIUS}/GetInverterRealtimeData_Device_1.json`,
      '/solar_api/v1/GetMeterRealtimeData.cgi': `${FRONIUS}/GetMeterRealtimeData.json`,
      '/solar_api/v1/GetLoggerInfo.cgi': `${FRONIUS}/GetLoggerInfo.json`,
    },
  },
  {
    name: 'bind-json-v1',
    module: 'bind',
    demoPort: 8012,
    routes: { '/json/v1/server': { file: 'bind-statistics/telegraf-json-v1-server.json', contentType: 'application/json' } },
  },
  {
    name: 'bind-xml-v3',
    module: 'bind_xml',
    demoPort: 8013,
    routes: { '/xml/v3/server': { file: 'bind-statistics/telegraf-xml-v3-server.xml', contentType: 'text/xml' } },
  },
  // Monit 5.17.1, one service of each type (0 filesystem … 8 network), and a failed network service.
  ...MONIT_VARIANTS.map((variant, i): CatalogDevice => ({
    name: `monit-servicetype-${variant.replace('_', '-')}`,
    module: 'monit',
    demoPort: 8014 + i,
    routes: { '/_status': { file: `monit/telegraf-response_servicetype_${variant}.xml`, contentType: 'text/xml' } },
  })),
];
