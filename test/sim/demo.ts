// `npm run demo`: simulated devices serving real captured payloads on loopback,
// the exporter on the shipped configuration, and a curl command for each device.
import { Command } from 'commander';
import { ConfigError } from '../../src/spec/errors.js';
import { createLogger } from '../../src/log.js';
import { startServer } from '../../src/server/serve.js';
import { CATALOG } from './catalog/index.js';
import { TCP_CATALOG } from './catalog/tcp.js';
import type { SimDevice } from './tcp/devices.js';
import { startDevice, type RunningDevice } from './devices.js';

const program = new Command()
  .name('apiprobe-demo')
  .option('--config.file <path>', 'configuration file', 'apiprobe.yml')
  .option('--web.listen-address <[host]:port>', 'exporter address', '127.0.0.1:7980')
  .option('--devices-only', 'start only the simulated devices (for an exporter already running)')
  .parse();
const flags = program.opts<{ 'config.file': string; 'web.listenAddress': string; devicesOnly?: boolean }>();

const devices: Array<RunningDevice | SimDevice> = [];

/** Leaves with one line (and whatever was started stopped) instead of a stack trace. */
async function giveUp(message: string): Promise<never> {
  process.stderr.write(`apiprobe demo: ${message}\n`);
  await Promise.all(devices.map((d) => d.close()));
  process.exit(1);
}

for (const d of CATALOG) {
  try {
    devices.push(await startDevice(d, '127.0.0.1', d.demoPort));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await giveUp(e.code === 'EADDRINUSE'
      ? `port ${d.demoPort} (simulated device ${d.name}) is in use: is a demo already running? Stop it, or free the ports ${demoPorts()}`
      : `cannot start the simulated device ${d.name} on 127.0.0.1:${d.demoPort}: ${e.message}`);
  }
}

// The TCP status ports (upsd, apcupsd, memcached, ZooKeeper, Redis, HAProxy's stats socket) speak their own protocols.
for (const d of TCP_CATALOG) {
  try {
    devices.push(await d.start(d.demoPort));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await giveUp(e.code === 'EADDRINUSE'
      ? `port ${d.demoPort} (simulated device ${d.name}) is in use: is a demo already running? Stop it, or free the ports ${demoPorts()}`
      : `cannot start the simulated device ${d.name} on 127.0.0.1:${d.demoPort}: ${e.message}`);
  }
}

function demoPorts(): string {
  const ports = [...CATALOG, ...TCP_CATALOG].map((c) => c.demoPort);
  return `${Math.min(...ports)}-${Math.max(...ports)}`;
}

let exporterUrl = `http://${flags['web.listenAddress'].startsWith(':') ? `localhost${flags['web.listenAddress']}` : flags['web.listenAddress']}`;
let close: () => Promise<void> = async () => {};
if (!flags.devicesOnly) {
  const server = await startServer({
    configFile: flags['config.file'],
    listenAddress: flags['web.listenAddress'],
    timeoutOffsetSeconds: 0.5,
    maxConcurrency: 512,
    maxSeries: 20000,
    historyLimit: 50,
    logger: createLogger('info', 'logfmt'),
  }).catch((err: unknown) => {
    if (err instanceof ConfigError) return giveUp(`the configuration is invalid:\n${err.message}`);
    const e = err as NodeJS.ErrnoException;
    return giveUp(e.code === 'EADDRINUSE'
      ? `${flags['web.listenAddress']} (the exporter) is in use: stop what listens there, or give --web.listen-address`
      : `cannot start the exporter: ${e.message}`);
  });
  exporterUrl = server.url;
  close = () => server.close();
}

const lines = ['', 'Simulated devices (real payloads from test/fixtures) are up. Try:', ''];
for (const [i, d] of CATALOG.entries()) {
  lines.push(`  # ${d.name}`);
  lines.push(`  curl '${exporterUrl}/probe?module=${d.module}&target=${(devices[i] as RunningDevice).url}${d.targetPath ?? ''}'`);
}
for (const d of TCP_CATALOG) {
  lines.push(`  # ${d.name} (TCP)`);
  lines.push(`  curl '${exporterUrl}/probe?module=${d.module}&target=127.0.0.1:${d.demoPort}'`);
}
lines.push('', `  # what the probe did, step by step`);
lines.push(`  curl '${exporterUrl}/probe?module=redfish&target=${(devices[0] as RunningDevice).url}&debug=true'`);
lines.push('', `Landing page: ${exporterUrl}/   Exporter metrics: ${exporterUrl}/metrics`, 'Ctrl-C stops everything.', '');
process.stdout.write(lines.join('\n'));

const stop = async (): Promise<void> => {
  await close();
  await Promise.all(devices.map((d) => d.close()));
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
