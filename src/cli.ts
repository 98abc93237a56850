#!/usr/bin/env node
// apiprobe's command line: flags named like the Prometheus exporters'.
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from './spec/errors.js';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { draftModule, snake } from './commands/init.js';
import { probeCommand } from './commands/probe.js';
import { convertJsonExporter } from './commands/convert.js';
import { tlsAccept, tlsList } from './commands/tls.js';
import { chooseConfigFile, CONFIG_FILE_HELP, MissingConfigFile } from './commands/config-file.js';
import { loadConfig, type ConfigFormat } from './config/load.js';
import { createLogger, type LogFormat, type LogLevel } from './log.js';
import { cluster, runPrimary } from './server/cluster.js';
import { startServer } from './server/serve.js';
import { governHeapGrowth } from './runtime/heap.js';
import { VERSION } from './version.js';

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

function workerCount(v: string): number {
  if (v === 'auto') return availableParallelism();
  return positiveInt(v);
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

interface Flags {
  'config.file'?: string;
  'config.check'?: boolean;
  'config.format': ConfigFormat;
  'web.listenAddress': string;
  'web.config.file'?: string;
  'log.level': LogLevel;
  'log.format': LogFormat;
  timeoutOffset: number;
  'upstream.maxConcurrency': number;
  'probe.maxSeries': number;
  'probe.memoryBudget'?: number;
  'history.limit': number;
  'web.workers': number;
  'runtime.heapGrowth': number;
  'runtime.largeHeap': number;
  'runtime.maxFullGcRate': number;
}

/** See src/runtime/heap.ts. */
const DEFAULT_HEAP_GROWTH = 50;

const program = new Command()
  .name('apiprobe')
  .description('Prometheus exporter for the JSON and status pages of appliances and legacy systems')
  .version(VERSION, '--version')
  // The exporter's flags go before a subcommand, the subcommand's after it.
  .enablePositionalOptions()
  .option('--config.file <path>', CONFIG_FILE_HELP)
  .option('--config.check', 'validate the configuration and exit (0: valid, 1: problems)')
  .addOption(new Option('--config.format <format>', 'format of the configuration file (auto: json_exporter files are recognised)').choices(['auto', 'apiprobe', 'json_exporter']).default('auto'))
  .option('--web.listen-address <[host]:port>', 'address to listen on', ':7980')
  .option('--web.config.file <path>', 'TLS and basic auth for the exporter\'s endpoints (exporter-toolkit format)')
  .addOption(new Option('--log.level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
  .addOption(new Option('--log.format <format>', 'log format').choices(['logfmt', 'json']).default('logfmt'))
  .option('--timeout-offset <seconds>', 'subtracted from X-Prometheus-Scrape-Timeout-Seconds', positiveNumber, 0.5)
  .option('--upstream.max-concurrency <n>', 'upstream requests in flight across all probes', positiveInt, 512)
  .option('--probe.max-series <n>', 'series one probe may return', positiveInt, 20000)
  .option('--probe.memory-budget <MiB>', 'memory all probes in flight may hold together (bytes received, values parsed); past 90% new probes get a 503 (default: half the JavaScript heap limit)', positiveInt)
  .option('--web.workers <n|auto>', 'worker processes sharing the listening socket (auto: one per core)', workerCount, 1)
  .option('--history.limit <n>', 'successful and failed probes kept each for the landing page', nonNegativeInt, 50)
  .option('--runtime.heap-growth <percent>', 'how far the JavaScript heap may grow past what the last full garbage collection kept, while that is under --runtime.large-heap (0: V8 decides, up to 4×)', nonNegativeInt, DEFAULT_HEAP_GROWTH)
  .option('--runtime.large-heap <MiB>', 'live heap above which V8 decides how far the heap grows', positiveInt, 128)
  .option('--runtime.max-full-gc-rate <per-second>', 'full garbage collections a second (over 10 s) past which the heap may grow 4× --runtime.heap-growth for a minute (0: never)', positiveNumber, 1)
  .action(async (flags: Flags) => {
    const logger = createLogger(flags['log.level'], flags['log.format']);
    if (flags['config.check']) return check(flags['config.file'], flags['config.format']);
    const config = configFileOrExit(flags['config.file'], 1);
    if (config === undefined) return;
    if (config.source === 'shipped' && cluster.isPrimary) logger.info({ config: config.file }, `no --config.file and no ./apiprobe.yml: starting with the shipped modules`);
    governHeapGrowth({
      percent: flags['runtime.heapGrowth'],
      largeHeapBytes: flags['runtime.largeHeap'] * 1024 * 1024,
      maxFullGcRate: flags['runtime.maxFullGcRate'] || Infinity,
      onChange: (capped, reason) => logger.debug({ capped, reason }, capped ? 'heap growth capped again' : 'heap growth cap lifted'),
    });
    if (flags['web.workers'] > 1 && cluster.isPrimary) {
      await runPrimary(flags['web.workers'], logger);
      process.exit(0);
    }
    let server;
    try {
      server = await startServer({
        clusterWorker: cluster.isWorker,
        configFile: config.file,
        configFormat: flags['config.format'],
        webConfigFile: flags['web.config.file'],
        listenAddress: flags['web.listenAddress'],
        timeoutOffsetSeconds: flags.timeoutOffset,
        maxConcurrency: flags['upstream.maxConcurrency'],
        maxSeries: flags['probe.maxSeries'],
        probeMemoryBytes: flags['probe.memoryBudget'] === undefined ? undefined : flags['probe.memoryBudget'] * 1024 * 1024,
        historyLimit: flags['history.limit'],
        logger,
      });
    } catch (err) {
      if (err instanceof ConfigError) {
        logger.error({ file: config.file }, 'configuration is invalid');
        process.stderr.write(`${err.message}\n`);
      } else {
        logger.error({ err: (err as Error).message }, 'cannot start');
      }
      process.exit(1);
    }
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      server.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      server.reload().catch(() => {
        /* logged by reload; the running configuration is kept */
      });
    });
  });

const FORMAT_CHOICES = ['auto', 'apiprobe', 'json_exporter'];

/** --config.check and `apiprobe check`: every problem as file:line:column field: reason; exit 1 on any. */
async function check(given: string | undefined, format: ConfigFormat): Promise<void> {
  const file = configFileOrExit(given, 1)?.file;
  if (file === undefined) return;
  try {
    const config = await loadConfig(file, { format });
    process.stdout.write(`${config.file}: ${plural(config.modules.size, 'module')} from ${plural(config.files.length, 'file')}, all valid\n`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
}

/** The configuration file to read, or undefined with its one-line reason written and the exit code set. */
function configFileOrExit(given: string | undefined, exitCode: number): ReturnType<typeof chooseConfigFile> | undefined {
  try {
    return chooseConfigFile(given);
  } catch (err) {
    if (!(err instanceof MissingConfigFile)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = exitCode;
    return undefined;
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

program
  .command('check')
  .description('validate the configuration: each problem as file:line:column field: reason; exit 1 on any')
  .option('--config.file <path>', CONFIG_FILE_HELP)
  .addOption(new Option('--config.format <format>', 'format of the configuration file').choices(FORMAT_CHOICES).default('auto'))
  .action(async (o: { 'config.file'?: string; 'config.format': ConfigFormat }) => check(o['config.file'], o['config.format']));

program
  .command('probe')
  .description('run one probe and print the metrics; --file answers requests from saved files, with no network')
  .requiredOption('--module <name>', 'module (or modules, comma-separated)')
  .option('--target <target>', 'device: host[:port] or URL (optional with --file)')
  .option('--auth <name>', 'credentials to use instead of the module\'s')
  .option('--param <name=value>', 'a module parameter (repeatable)', collect, [])
  .option('--file <request=file>', 'answer a request (by name, or /path) from a file (repeatable)', collect, [])
  .option('--explain', 'print what was fetched, what each path matched and why series were skipped')
  .option('--timeout <seconds>', 'time allowed to the probe', positiveNumber)
  .option('--config.file <path>', CONFIG_FILE_HELP)
  .addOption(new Option('--config.format <format>', 'format of the configuration file').choices(FORMAT_CHOICES).default('auto'))
  .action(async (o: { module: string; target?: string; auth?: string; param: string[]; file: string[]; explain?: boolean; timeout?: number; 'config.file'?: string; 'config.format': ConfigFormat }) => {
    const config = configFileOrExit(o['config.file'], 2);
    if (config === undefined) return;
    try {
      const r = await probeCommand({
        configFile: config.file, configFormat: o['config.format'], module: o.module, target: o.target, auth: o.auth,
        params: o.param, files: o.file, explain: o.explain ?? false, timeoutSeconds: o.timeout,
      });
      (r.exitCode === 2 ? process.stderr : process.stdout).write(r.output);
      if (r.warnings) process.stderr.write(r.warnings);
      process.exitCode = r.exitCode;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
    }
  });

program
  .command('init')
  .description('draft a module from a sample answer (JSON) and print it')
  .requiredOption('--from <file>', 'a sample answer of the device, in JSON')
  .option('--name <module>', 'module name (default: the file name)')
  .option('--path <path>', 'path the sample was fetched from', '/')
  .action(async (o: { from: string; name?: string; path: string }) => {
    let sample: unknown;
    try {
      sample = JSON.parse(await readFile(o.from, 'utf8'));
    } catch (err) {
      process.stderr.write(`${o.from}: ${(err as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    const name = o.name ?? (snake(path.basename(o.from, path.extname(o.from))) || 'device');
    process.stdout.write(draftModule(sample, { name, path: o.path }));
  });

program
  .command('convert')
  .description('print another exporter\'s configuration as apiprobe modules')
  .command('json-exporter <file>')
  .description('print the modules of a json_exporter config.yml as apiprobe modules (YAML)')
  .action(async (file: string) => {
    try {
      process.stdout.write(await convertJsonExporter(file));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    }
  });

const tls = program
  .command('tls')
  .description('the devices\' keys recorded by trust: first_use (tls.known_hosts_file)');
tls
  .command('accept <target>')
  .description('accept the key a device presents now (or --pin) in place of the one recorded; in force from the next probe')
  .option('--pin <fingerprint>', 'the key to accept, sha256/<base64> (default: what the device presents now)')
  .option('--config.file <path>', 'configuration file', 'apiprobe.yml')
  .action(async (target: string, o: { pin?: string; 'config.file': string }) => {
    const r = await tlsAccept({ configFile: o['config.file'], target, pin: o.pin });
    (r.exitCode ? process.stderr : process.stdout).write(r.output);
    process.exitCode = r.exitCode;
  });
tls
  .command('list')
  .description('print the recorded keys, and the lines of the file that are not valid')
  .option('--config.file <path>', 'configuration file', 'apiprobe.yml')
  .action(async (o: { 'config.file': string }) => {
    const r = await tlsList({ configFile: o['config.file'] });
    process.stdout.write(r.output);
    process.exitCode = r.exitCode;
  });

await program.parseAsync(process.argv);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
