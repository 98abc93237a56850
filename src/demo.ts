// `npm run demo`: simulated devices serving real captured payloads on loopback,
// the exporter on the shipped configuration, and a curl command for each device.
import { Command } from 'commander';
import { createLogger } from './log.js';
import { startServer } from './server/serve.js';
import { REDFISH_DEVICES, startDevice, type RunningDevice } from './sim/devices.js';

const DEMO_DEVICES: Array<{ device: string; module: string; port: number }> = [
  { device: 'dmtf-rackmount', module: 'redfish', port: 7981 },
  { device: 'hpe-ilo5', module: 'redfish', port: 7982 },
  { device: 'hpe-ilo4', module: 'redfish', port: 7983 },
  { device: 'dell-idrac', module: 'redfish', port: 7984 },
];

const program = new Command()
  .name('apiprobe-demo')
  .option('--config.file <path>', 'configuration file', 'apiprobe.yml')
  .option('--web.listen-address <[host]:port>', 'exporter address', '127.0.0.1:7980')
  .option('--devices-only', 'start only the simulated devices (for an exporter already running)')
  .parse();
const flags = program.opts<{ 'config.file': string; 'web.listenAddress': string; devicesOnly?: boolean }>();

const devices: RunningDevice[] = [];
for (const d of DEMO_DEVICES) devices.push(await startDevice(REDFISH_DEVICES[d.device]!, '127.0.0.1', d.port));

let exporterUrl = `http://${flags['web.listenAddress'].startsWith(':') ? `localhost${flags['web.listenAddress']}` : flags['web.listenAddress']}`;
let close: () => Promise<void> = async () => {};
if (!flags.devicesOnly) {
  const server = await startServer({
    configFile: flags['config.file'],
    listenAddress: flags['web.listenAddress'],
    timeoutOffsetSeconds: 0.5,
    maxConcurrency: 512,
    maxSeries: 20000,
    logger: createLogger('info', 'logfmt'),
  });
  exporterUrl = server.url;
  close = server.close;
}

const lines = ['', 'Simulated devices (real payloads from test/fixtures) are up. Try:', ''];
for (const [i, d] of DEMO_DEVICES.entries()) {
  lines.push(`  # ${d.device}`);
  lines.push(`  curl '${exporterUrl}/probe?module=${d.module}&target=${devices[i]!.url}'`);
}
lines.push('', `  # what the probe did, step by step`);
lines.push(`  curl '${exporterUrl}/probe?module=redfish&target=${devices[0]!.url}&debug=true'`);
lines.push('', `Landing page: ${exporterUrl}/   Exporter metrics: ${exporterUrl}/metrics`, 'Ctrl-C stops everything.', '');
process.stdout.write(lines.join('\n'));

const stop = async (): Promise<void> => {
  await close();
  await Promise.all(devices.map((d) => d.close()));
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
