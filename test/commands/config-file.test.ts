// Where the command line finds its configuration: --config.file if given, else
// ./apiprobe.yml, else the shipped one, so that an installed apiprobe started in any
// folder serves the shipped modules; a --config.file that names no file says what to do.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseConfigFile, MissingConfigFile, SHIPPED_CONFIG } from '../../src/commands/config-file.js';
import { ROOT, tempDir } from '../helpers/exporter.js';

// Each test starts processes (node, tsx, chromium, promtool): seconds on a quiet machine,
// many more on a loaded one.
const SLOW = { timeout: 90_000 };

// tsx by its file, since the command runs in a folder of its own with no node_modules.
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

function cli(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli.ts'), ...args], { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the configuration file', SLOW, () => {
  it('is the package\'s own apiprobe.yml beside src/ (dist/ when built)', () => {
    expect(SHIPPED_CONFIG).toBe(path.join(ROOT, 'apiprobe.yml'));
  });

  it('is --config.file if given, else ./apiprobe.yml, else the shipped one', async () => {
    const empty = await tempDir();
    expect(chooseConfigFile(undefined, empty)).toEqual({ file: SHIPPED_CONFIG, source: 'shipped' });
    const local = await tempDir();
    await writeFile(path.join(local, 'apiprobe.yml'), 'modules: {}\n');
    expect(chooseConfigFile(undefined, local)).toEqual({ file: path.join(local, 'apiprobe.yml'), source: 'cwd' });
    expect(chooseConfigFile('apiprobe.yml', local)).toEqual({ file: path.join(local, 'apiprobe.yml'), source: 'flag' });
    // A named file is never silently replaced by another.
    expect(() => chooseConfigFile('other.yml', local)).toThrow(MissingConfigFile);
  });

  it('check, run in an empty folder, validates the shipped configuration', async () => {
    const run = await cli(await tempDir(), ['check']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${SHIPPED_CONFIG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ modules from \\d+ files, all valid\\n$`));
  });

  it('probe, run in an empty folder, probes with a shipped module (from a saved answer)', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'capture'));
    await writeFile(path.join(dir, 'capture/stub_status'), 'Active connections: 3 \nserver accepts handled requests\n 10 10 20 \nReading: 0 Writing: 1 Waiting: 2 \n');
    const run = await cli(dir, ['probe', '--module', 'nginx', '--file', `status=${path.join(dir, 'capture/stub_status')}`]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^nginx_connections_active\b.* 3$/m);
    expect(run.code).toBe(0);
  });

  it('a --config.file that does not exist: one line saying what to do, for the exporter, check and probe', async () => {
    const dir = await tempDir();
    const missing = path.join(dir, 'my-apiprobe.yml');
    for (const [args, code] of [
      [['--config.file', 'my-apiprobe.yml', '--web.listen-address', '127.0.0.1:0'], 1],
      [['check', '--config.file', 'my-apiprobe.yml'], 1],
      [['probe', '--module', 'nginx', '--target', '127.0.0.1:9', '--config.file', 'my-apiprobe.yml'], 2],
    ] as const) {
      const run = await cli(dir, [...args]);
      expect(run.code, args.join(' ')).toBe(code);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such configuration file\\.`));
      expect(lines[0]).toContain('--config.file');
      expect(lines[0]).toContain('apiprobe init --from');
    }
  });
});
