// What `npm pack` (and so `npm publish`) ships, and that what it ships works once
// installed: `npm install -g` of the tarball, then `apiprobe` started in an empty folder
// serves the shipped modules with no configuration of the user's own.
//
// The package is packed from a copy of the repository's package files, so that its
// prepack (which deletes dist/ and rebuilds it) never touches the working tree's dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeries, ROOT, tempDir } from '../helpers/exporter.js';
import { catalogDevice } from '../helpers/modules.js';
import { startDevice } from '../sim/devices.js';
import { run } from './helpers.js';

const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  files: string[];
};
const npm = (args: string[], opts: { cwd: string; timeoutMs: number }): ReturnType<typeof run> => run('npm', args, opts);

/** dist/ of the working tree: whether it exists and when it last changed. */
const distState = (): string => {
  const dist = path.join(ROOT, 'dist');
  return existsSync(dist) ? `built at ${statSync(dist).mtimeMs}` : 'absent';
};

describe('npm pack, then npm install -g', () => {
  const distBefore = distState();
  let work: string;
  let tarball: string;
  let files: string[];

  beforeAll(async () => {
    work = await tempDir('apiprobe-pack-');
    const copy = path.join(work, 'repo');
    // What the package is built and packed from: package.json's `files`, plus what the build reads.
    for (const f of [...PACKAGE.files, 'package.json', 'package-lock.json', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'src']) {
      if (f === 'dist') continue;
      await cp(path.join(ROOT, f), path.join(copy, f), { recursive: true });
    }
    await symlink(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const packed = await npm(['pack', '--pack-destination', work], { cwd: copy, timeoutMs: 180_000 });
    if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.out}`);
    tarball = path.join(work, `${PACKAGE.name}-${PACKAGE.version}.tgz`);
    const listed = await run('tar', ['-tzf', tarball], { timeoutMs: 30_000 });
    files = listed.out.trim().split('\n').map((f) => f.replace(/^package\//, ''));
  }, 240_000);

  it('builds dist/ first and ships what bin points at, the modules and schemas, the licence, and no test files', () => {
    expect(files).toContain(path.posix.normalize(PACKAGE.bin['apiprobe']!));
    for (const f of ['apiprobe.yml', 'modules/redfish.yml', 'schema/module.schema.json', 'prometheus.example.yml', 'README.md', 'LICENSE', 'dist/server/serve.js']) expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.includes('/sim/') || f.includes('demo'))).toEqual([]);
  });

  it('ships no source maps, whose sources are not in the package', () => {
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(50);
  });

  it('ships the Apache-2.0 licence that package.json names, in full', () => {
    expect(PACKAGE.license).toBe('Apache-2.0');
    const licence = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(licence).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
  });

  it('leaves no tarball for git to pick up', async () => {
    const ignored = await run('git', ['check-ignore', '--no-index', '-q', `${PACKAGE.name}-${PACKAGE.version}.tgz`], { cwd: ROOT });
    expect(ignored.code).toBe(0);
  });

  describe('installed globally, started in an empty folder', () => {
    let child: ChildProcess | undefined;
    let url: string;
    let logs = '';

    beforeAll(async () => {
      const prefix = path.join(work, 'prefix');
      // The dependencies come from npm's cache when it has them, else from the registry.
      const installed = await npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, timeoutMs: 180_000 });
      if (installed.code !== 0) throw new Error(`npm install -g failed:\n${installed.out}`);
      const empty = path.join(work, 'anywhere');
      await mkdir(empty);
      child = spawn(path.join(prefix, 'bin', 'apiprobe'), ['--web.listen-address', '127.0.0.1:0'], { cwd: empty, stdio: ['ignore', 'pipe', 'pipe'] });
      const started = new Promise<string>((resolve, reject) => {
        const onData = (b: Buffer): void => {
          logs += b.toString('utf8');
          const m = /msg=listening .*?\baddress=(\S+)/.exec(logs);
          if (m) resolve(`http://${m[1]}`);
        };
        child!.stdout!.on('data', onData);
        child!.stderr!.on('data', onData);
        child!.once('exit', (code) => reject(new Error(`apiprobe exited (${code}) before listening:\n${logs}`)));
      });
      url = await started;
      expect(await readdir(empty)).toEqual([]);
    }, 240_000);

    afterAll(() => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
    });

    it('says it started with the shipped modules, and answers /probe for one of them', async () => {
      expect(logs).toMatch(/starting with the shipped modules/);
      const spec = catalogDevice('nginx');
      const device = await startDevice(spec);
      try {
        const probe = await fetch(`${url}/probe?${new URLSearchParams({ module: spec.module, target: device.url }).toString()}`);
        expect(probe.status).toBe(200);
        const series = parseSeries(await probe.text());
        expect(series.get('probe_success')).toBe(1);
        expect([...series.keys()].some((k) => k.startsWith('nginx_'))).toBe(true);
      } finally {
        await device.close();
      }
    });

    it('stops on SIGTERM', async () => {
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child!.kill('SIGTERM');
      expect(await exited).toBe(0);
    });
  });

  it('never touched the working tree\'s dist/', () => {
    expect(distState()).toBe(distBefore);
  });
});
