// `apiprobe convert json-exporter`: the native modules a json_exporter file becomes,
// which load as an ordinary apiprobe configuration and give the very same series.
// And the ways a json_exporter file is recognised: by its shape, by
// --config.format, and as a file included from apiprobe.yml.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertJsonExporter } from '../../src/commands/convert.js';
import { ConfigError } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { startExporter, writeTempFiles } from '../helpers/exporter.js';

// Each test starts processes (node, tsx, chromium, promtool): seconds on a quiet machine,
// many more on a loaded one.
const SLOW = { timeout: 90_000 };

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const STATION = path.join(here, 'fixtures', 'station.yml');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
  });
}

let device: http.Server;
let target: string;

beforeAll(async () => {
  const body = readFileSync(path.join(here, 'fixtures', 'station.json'));
  device = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => device.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(device.address() as AddressInfo).port}/status.json`;
});
afterAll(() => new Promise<void>((r) => device.close(() => r())));

async function scrape(configFile: string): Promise<string> {
  const exporter = await startExporter({ configFile });
  try {
    const res = await exporter.probe({ module: 'default', target });
    // Everything but the probe's timings.
    return res.text.replace(/^(probe_(?:duration|request_duration)_seconds\S*) .*$/gm, '$1');
  } finally {
    await exporter.close();
  }
}

describe('apiprobe convert json-exporter', SLOW, () => {
  it('prints native modules that load as apiprobe.yml and give the same answer', async () => {
    const yaml = await convertJsonExporter(STATION);
    expect(yaml).toContain('converted_from: json_exporter');
    expect(yaml).toContain('target: { url: true }');
    const dir = await writeTempFiles({ 'apiprobe.yml': yaml });
    const native = path.join(dir, 'apiprobe.yml');
    const config = await loadConfig(native, { format: 'apiprobe' });
    expect([...config.modules.keys()]).toEqual(['default']);
    expect(await scrape(native)).toBe(await scrape(STATION));
  });

  it('is a subcommand printing the YAML, exit 0; a file with problems exits 1 listing them', async () => {
    const ok = await cli(['convert', 'json-exporter', STATION]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe(await convertJsonExporter(STATION));
    const bad = await cli(['convert', 'json-exporter', path.join(here, 'bad', 'many-problems.yml')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(12);
  });

  it('puts credentials under auths:, referenced by the module', async () => {
    const dir = await writeTempFiles({ 'config.yml': 'modules:\n  api:\n    http_client_config:\n      bearer_token_file: /etc/api.token\n    metrics: [{ name: up, path: "{.up}" }]\n' });
    const yaml = await convertJsonExporter(path.join(dir, 'config.yml'));
    expect(yaml).toContain('    auth: json_exporter.api\n');
    expect(yaml).toMatch(/\nauths:\n {2}json_exporter\.api:\n {4}bearer: \{ token_file: \/etc\/api\.token \}\n/);
  });
});

describe('recognising json_exporter files', SLOW, () => {
  it('by shape as the main file, and --config.check validates it', async () => {
    const config = await loadConfig(STATION);
    expect(config.modules.get('default')?.allowUrl).toBe(true);
    const run = await cli(['--config.check', '--config.file', STATION]);
    expect(run.stdout).toBe(`${STATION}: 1 module from 1 file, all valid\n`);
  });

  it('not with --config.format apiprobe', async () => {
    const err = await loadConfig(STATION, { format: 'apiprobe' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('modules.default.requests: required field "requests" is missing');
  });

  it('as a file included from apiprobe.yml, its credentials next to the main file\'s auths', async () => {
    const dir = await writeTempFiles({
      'apiprobe.yml': 'include: [json_exporter/*.yml]\nauths:\n  bmc: { basic: { username: u, password: p } }\nmodules:\n  native:\n    requests: { s: { path: /s } }\n',
      'password.txt': 'pw\n',
    });
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(dir, 'json_exporter')));
    await writeFile(path.join(dir, 'json_exporter', 'api.yml'), 'modules:\n  api:\n    http_client_config:\n      basic_auth: { username: u, password_file: ../password.txt }\n    metrics: [{ name: up, path: "{.up}" }]\n');
    const config = await loadConfig(path.join(dir, 'apiprobe.yml'));
    expect([...config.modules.keys()].sort()).toEqual(['api', 'native']);
    expect([...config.auths.keys()].sort()).toEqual(['bmc', 'json_exporter.api']);
    expect(config.modules.get('api')!.auth).toBe('json_exporter.api');
  });
});
