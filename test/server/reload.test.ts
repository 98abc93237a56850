// Reloading the configuration: POST /-/reload and SIGHUP.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevice, type RunningDevice } from '../sim/devices.js';
import { parseSeries, ROOT, startExporter, writeTempFiles, type TestExporter } from '../helpers/exporter.js';
import { eventually } from '../helpers/wait.js';

// Each test starts processes (node, tsx, chromium, promtool): seconds on a quiet machine,
// many more on a loaded one.
const SLOW = { timeout: 90_000 };

const moduleYaml = (name: string, path_ = '/status'): string =>
  `  ${name}: { requests: { s: { path: ${path_} } }, metrics: [{ name: dev_up, from: s, value: '$.up' }] }\n`;

let device: RunningDevice;
let dir: string;
let file: string;
let exporter: TestExporter;

beforeAll(async () => {
  device = await startDevice({
    name: 'reload',
    routes: {
      '/status': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"up":1}');
      },
      '/slow': (_req, res) => {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"up":1}');
        }, 800);
      },
    },
  });
  dir = await writeTempFiles({ 'apiprobe.yml': `modules:\n${moduleYaml('a')}${moduleYaml('slow', '/slow')}` });
  file = path.join(dir, 'apiprobe.yml');
  exporter = await startExporter({ configFile: file });
});

afterAll(async () => {
  await exporter.close();
  await device.close();
});

const metrics = async (): Promise<Map<string, number>> => parseSeries(await (await fetch(`${exporter.url}/metrics`)).text());
const reload = (): Promise<Response> => fetch(`${exporter.url}/-/reload`, { method: 'POST' });

describe('POST /-/reload', SLOW, () => {
  it('loads a changed file and records the success', async () => {
    expect((await exporter.probe({ module: 'b', target: device.address })).status).toBe(400);
    await writeFile(file, `modules:\n${moduleYaml('a')}${moduleYaml('b')}${moduleYaml('slow', '/slow')}`);
    const t0 = Date.now() / 1000;
    const res = await reload();
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Reloaded\n');
    expect(parseSeries((await exporter.probe({ module: 'b', target: device.address })).text).get('probe_success')).toBe(1);
    const m = await metrics();
    expect(m.get('apiprobe_config_last_reload_successful')).toBe(1);
    expect(m.get('apiprobe_config_last_reload_success_timestamp_seconds')).toBeGreaterThanOrEqual(Math.floor(t0));
  });

  it('keeps the running configuration when the file is bad, and says why', async () => {
    await writeFile(file, `modules:\n${moduleYaml('a')}  c: { requests: { s: { path: nope } } }\n`);
    const res = await reload();
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(new RegExp(`the running one is kept:\\n${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+ modules\\.c\\.requests\\.s\\.path: path must start with "/"`));
    expect(parseSeries((await exporter.probe({ module: 'b', target: device.address })).text).get('probe_success')).toBe(1);
    expect((await metrics()).get('apiprobe_config_last_reload_successful')).toBe(0);
  });

  it('lets a probe in flight finish on the configuration it started with', async () => {
    await writeFile(file, `modules:\n${moduleYaml('a')}${moduleYaml('slow', '/slow')}`);
    const slowHits = device.hits.filter((h) => h === '/slow').length;
    const inFlight = exporter.probe({ module: 'slow', target: device.address });
    await eventually('the probe to reach the device', () => device.hits.filter((h) => h === '/slow').length > slowHits);
    await writeFile(file, `modules:\n${moduleYaml('a')}`);
    expect((await reload()).status).toBe(200);
    const done = await inFlight;
    expect(done.status).toBe(200);
    expect(parseSeries(done.text).get('probe_success')).toBe(1);
    expect((await exporter.probe({ module: 'slow', target: device.address })).status).toBe(400);
  });

  it('answers 405 to other methods', async () => {
    const res = await fetch(`${exporter.url}/-/reload`);
    expect(res.status).toBe(405);
  });
});

describe('SIGHUP', SLOW, () => {
  it('reloads the configuration of a running exporter', async () => {
    const hupDir = await writeTempFiles({ 'apiprobe.yml': `modules:\n${moduleYaml('a')}` });
    const hupFile = path.join(hupDir, 'apiprobe.yml');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--config.file', hupFile, '--web.listen-address', '127.0.0.1:0', '--log.format', 'json'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let log = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in:\n${log}`)), 15_000);
        child.stderr.on('data', (c: Buffer) => {
          log += c.toString();
          const m = /"address":"127\.0\.0\.1:(\d+)"/.exec(log);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const probeB = async (): Promise<number> => (await fetch(`http://127.0.0.1:${port}/probe?module=b&target=${device.address}`)).status;
      expect(await probeB()).toBe(400);
      await writeFile(hupFile, `modules:\n${moduleYaml('a')}${moduleYaml('b')}`);
      child.kill('SIGHUP');
      await eventually('module b to be served', async () => (await probeB()) === 200, { interval: 100 });
      expect(await probeB()).toBe(200);
      expect(log).toContain('"msg":"configuration reloaded"');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('SIGTERM', SLOW, () => {
  it('lets a probe in flight finish, then exits 0', async () => {
    const dir = await writeTempFiles({ 'apiprobe.yml': `modules:\n${moduleYaml('slow', '/slow')}` });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--config.file', path.join(dir, 'apiprobe.yml'), '--web.listen-address', '127.0.0.1:0', '--log.format', 'json'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    await eventually(() => `the listening line in:\n${log}`, () => /"address":"127\.0\.0\.1:\d+"/.test(log));
    const port = /"address":"127\.0\.0\.1:(\d+)"/.exec(log)![1];
    const slowHits = device.hits.filter((h) => h === '/slow').length;
    const inFlight = fetch(`http://127.0.0.1:${port}/probe?module=slow&target=${device.address}`);
    await eventually('the probe to reach the device', () => device.hits.filter((h) => h === '/slow').length > slowHits);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(parseSeries(await res.text()).get('probe_success')).toBe(1);
    expect(await exited).toBe(0);
    expect(log).toContain('"msg":"shutting down"');
  });
});
