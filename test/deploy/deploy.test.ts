// deploy/: the container image, the Kubernetes manifests, the systemd unit (its
// structure; systemd.test.ts runs systemd-analyze on it), the sharding Prometheus
// configuration, the alerting rules and the Grafana dashboard.
//
// No Docker engine and no Kubernetes API run here, and no Kubernetes schema checker
// installs from Debian's archive or npm (kubeconform is in neither), so the image and
// the manifests are checked by structure and by running what they describe: the
// files the Dockerfile copies, laid out as it lays them out, started with its entry
// point and checked with its HEALTHCHECK; the ConfigMap written out as the kubelet
// writes it and loaded by the exporter.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { parseSeries, ROOT, startExporter, tempDir } from '../helpers/exporter.js';
import { catalogDevice, probeCatalogDevice } from '../helpers/modules.js';
import { startDevice } from '../sim/devices.js';
import { promtool, runPromtool } from '../helpers/promtool.js';
import {
  cliFlags,
  copies,
  DEPLOY,
  dockerignore,
  execForm,
  exporterMetricNames,
  flagValues,
  ignored,
  metricNames,
  parseDockerfile,
  recordingRules,
  run,
  stages,
  substituteGrafanaVariables,
  workdirOf,
  type Stage,
} from './helpers.js';
import { eventually } from '../helpers/wait.js';

/** promtool with its output as one string. */
const promtoolRun = async (args: string[]): Promise<{ code: number | null; out: string }> => {
  const r = await runPromtool(args);
  return { code: r.code, out: r.lines.join('\n') };
};

const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// ----------------------------------------------------------------------------------
// Dockerfile
// ----------------------------------------------------------------------------------

const DOCKERFILE = readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
const STAGES = stages(parseDockerfile(DOCKERFILE));
const BUILD = STAGES[0]!;
const RUNTIME = STAGES.at(-1)!;
const only = (stage: Stage, keyword: string): string[] => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const single = (stage: Stage, keyword: string): string => {
  const all = only(stage, keyword);
  if (all.length !== 1) throw new Error(`deploy/Dockerfile: expected one ${keyword} in the runtime stage, found ${all.length}`);
  return all[0]!;
};
const ENTRYPOINT = execForm(single(RUNTIME, 'ENTRYPOINT'));
const CMD = execForm(single(RUNTIME, 'CMD'));
const HEALTHCHECK = execForm(single(RUNTIME, 'HEALTHCHECK').replace(/^(?:--\S+\s+)*CMD\s+/, ''));

describe('deploy/Dockerfile', () => {
  it('builds in one stage and runs in another, both on node:24-bookworm-slim', () => {
    expect(STAGES.length).toBeGreaterThanOrEqual(2);
    for (const s of STAGES) expect(s.image).toBe('node:24-bookworm-slim');
    // package.json's engines (>=20.18.1) admits the image's major (node-versions.test.ts).
    expect(Number(/^>=(\d+)\./.exec(PACKAGE.engines.node)![1])).toBeLessThanOrEqual(24);
    expect(BUILD.name).toBe('build');
    const buildRuns = only(BUILD, 'RUN').join('\n');
    expect(buildRuns).toMatch(/\bnpm ci\b(?![^\n]*--omit=dev)/);
    expect(buildRuns).toMatch(/\bnpm run build\b/);
    expect(only(RUNTIME, 'RUN').join('\n')).toMatch(/\bnpm ci --omit=dev\b/);
  });

  it('copies only files that exist in the repository and that the dockerignore keeps', () => {
    const patterns = dockerignore(readFileSync(path.join(DEPLOY, 'Dockerfile.dockerignore'), 'utf8'));
    const checked: string[] = [];
    for (const stage of STAGES) {
      for (const c of copies(stage)) {
        if (c.from !== undefined) continue;
        for (const source of c.sources) {
          const abs = path.join(ROOT, source);
          expect(existsSync(abs), `COPY ${source}: not in the repository`).toBe(true);
          // Nothing the build needs may be cut from the context: the source, and every file in it.
          const files = statSync(abs).isDirectory() ? walk(abs).map((f) => path.relative(ROOT, f).split(path.sep).join('/')) : [source];
          for (const f of files) expect(ignored(patterns, f), `COPY ${source}: ${f} is excluded by Dockerfile.dockerignore`).toBe(false);
          checked.push(source);
        }
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'modules', 'apiprobe.yml']));
    // …and the dockerignore does keep the bulk out of the context.
    for (const big of ['node_modules', 'dist', '.git', 'test']) expect(ignored(patterns, big), big).toBe(true);
  });

  it('gives the build stage everything tsconfig.build.json needs', () => {
    const buildConfig = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { extends?: string; include: string[]; compilerOptions: { outDir: string } };
    const copied = copies(BUILD).flatMap((c) => c.sources.map((s) => path.posix.normalize(s)));
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.build.json', ...(buildConfig.extends ? [buildConfig.extends] : []), ...buildConfig.include]) {
      expect(copied, `the build stage does not COPY ${needed}`).toContain(path.posix.normalize(needed));
    }
    // What the runtime stage takes from it is what the build writes.
    const fromBuild = copies(RUNTIME).filter((c) => c.from === 'build');
    expect(fromBuild.map((c) => c.sources)).toEqual([[path.posix.join(workdirOf(BUILD), buildConfig.compilerOptions.outDir)]]);
  });

  it('runs as a non-root user it creates, with a fixed numeric id', () => {
    const user = single(RUNTIME, 'USER');
    const m = /^(\d+)(?::(\d+))?$/.exec(user);
    expect(m, `USER ${user}: numeric, so that Kubernetes' runAsNonRoot can check it`).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(only(RUNTIME, 'RUN').join('\n')).toMatch(new RegExp(`useradd [^\\n]*--uid ${m![1]}\\b`));
    // USER comes after every RUN (installs as root) and before the entry point.
    const order = RUNTIME.instructions.map((i) => i.keyword);
    expect(order.lastIndexOf('RUN')).toBeLessThan(order.indexOf('USER'));
  });

  it('exposes 7980, runs node dist/cli.js with real flags, and checks /-/healthy', () => {
    expect(only(RUNTIME, 'EXPOSE')).toEqual(['7980']);
    expect(ENTRYPOINT![0]).toBe('node');
    expect(ENTRYPOINT!.at(-1)).toBe('dist/cli.js');
    expectNodeFlags(ENTRYPOINT!.slice(1, -1));
    expect(CMD).toBeDefined();
    const flags = cliFlags();
    for (const f of flagValues(CMD!).keys()) expect(flags, `CMD flag ${f}`).toContain(f);
    expect(flagValues(CMD!).get('--web.listen-address')).toBe(':7980');
    expect(HEALTHCHECK, 'HEALTHCHECK in exec form (no shell, no curl)').toBeDefined();
    expect(HEALTHCHECK![0]).toBe('node');
    expect(HEALTHCHECK!.join(' ')).toContain('http://127.0.0.1:7980/-/healthy');
  });

  describe('the image laid out from its COPY lines and started with its entry point', () => {
    let work: string;
    let app: string;
    let compiled: string;
    let child: ChildProcess | undefined;
    let port: number;
    let logs = '';

    beforeAll(async () => {
      work = await tempDir('apiprobe-image-');
      // The build stage's `npm run build`, into a directory of the test's own.
      compiled = path.join(work, 'build-dist');
      const tsc = await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', compiled], { cwd: ROOT, timeoutMs: 120_000 });
      if (tsc.code !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${tsc.out}`);
      // The runtime stage: every COPY to where it puts it, relative to its WORKDIR.
      const workdir = workdirOf(RUNTIME);
      app = path.join(work, 'image');
      for (const c of copies(RUNTIME)) {
        const dest = path.join(app, path.posix.resolve(c.workdir, c.dest));
        for (const source of c.sources) {
          const from = c.from === 'build' ? compiled : path.join(ROOT, source);
          const to = c.dest.endsWith('/') ? path.join(dest, path.basename(source)) : dest;
          await mkdir(path.dirname(to), { recursive: true });
          await cp(from, to, { recursive: true });
        }
      }
      app = path.join(app, workdir);
      // Stand-in for `npm ci --omit=dev`: the project's node_modules (the test below
      // shows that nothing outside `dependencies` is imported).
      await symlink(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');

      port = await freePort();
      const args = [...ENTRYPOINT!.slice(1), ...CMD!, `--web.listen-address=127.0.0.1:${port}`];
      child = spawn(process.execPath, args, { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (b: Buffer) => (logs += b.toString('utf8')));
      child.stderr!.on('data', (b: Buffer) => (logs += b.toString('utf8')));
      await eventually(() => `the exporter to be ready within 15s:\n${logs}`, async () => {
        if (child!.exitCode !== null) return true;
        try {
          return (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok;
        } catch {
          return false; // not listening yet
        }
      }, { interval: 100 });
      if (child.exitCode !== null) throw new Error(`the exporter exited (${child.exitCode}):\n${logs}`);
    }, 150_000);

    afterAll(async () => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      if (work) await rm(work, { recursive: true, force: true });
    });

    const healthcheck = (p: number): Promise<{ code: number | null; out: string }> =>
      run(process.execPath, HEALTHCHECK!.slice(1).map((a) => a.replace('127.0.0.1:7980', `127.0.0.1:${p}`)), { cwd: app });

    it('imports nothing at run time that `npm ci --omit=dev` leaves out', () => {
      const prod = new Set(Object.keys(PACKAGE.dependencies));
      const bare = new Set<string>();
      for (const file of walk(compiled).filter((f) => f.endsWith('.js'))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
          const spec = (m[1] ?? m[2])!;
          if (spec.startsWith('.') || spec.startsWith('node:')) continue;
          bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
      expect(bare.size).toBeGreaterThan(5);
      for (const pkg of bare) expect(prod, `dist imports ${pkg}, which is not in package.json dependencies`).toContain(pkg);
    });

    it('serves the shipped modules with the shipped configuration, and knows its version', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      // dist/version.js reads ../package.json: the image has it beside dist/.
      expect(await res.text()).toContain(`apiprobe_build_info{version="${PACKAGE.version}"`);
      const spec = catalogDevice('nginx');
      const device = await startDevice(spec);
      try {
        const probe = await fetch(`http://127.0.0.1:${port}/probe?${new URLSearchParams({ module: spec.module, target: device.url }).toString()}`);
        expect(parseSeries(await probe.text()).get('probe_success')).toBe(1);
      } finally {
        await device.close();
      }
    });

    it('passes its HEALTHCHECK, fails it once stopped, and stops on SIGTERM', async () => {
      expect(await healthcheck(port)).toEqual({ code: 0, out: '' });
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child!.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect((await healthcheck(port)).code).toBe(1);
    });
  });
});

// ----------------------------------------------------------------------------------
// Kubernetes
// ----------------------------------------------------------------------------------

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
interface Deployment extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        securityContext?: Record<string, unknown>;
        containers: Container[];
        volumes?: { name: string; configMap?: { name: string; items?: { key: string; path: string }[] }; emptyDir?: unknown }[];
      };
    };
  };
}
interface Service extends K8sObject {
  spec: { selector: Record<string, string>; ports: { name?: string; port: number; targetPort?: string | number }[] };
}
interface ConfigMap extends K8sObject {
  data: Record<string, string>;
}

const K8S_DIR = path.join(DEPLOY, 'kubernetes');
const KUSTOMIZATION = parse(readFileSync(path.join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[]; configMapGenerator?: unknown };
const MANIFEST_FILES = readdirSync(K8S_DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
const OBJECTS: K8sObject[] = MANIFEST_FILES.flatMap((f) =>
  parseAllDocuments(readFileSync(path.join(K8S_DIR, f), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${f}: ${doc.errors[0]!.message}`);
    return doc.toJS() as K8sObject;
  }),
);
const ofKind = <T extends K8sObject>(kind: string): T[] => OBJECTS.filter((o) => o.kind === kind) as T[];
const DEPLOYMENT = ofKind<Deployment>('Deployment')[0]!;
const SERVICE = ofKind<Service>('Service')[0]!;
const CONFIGMAP = ofKind<ConfigMap>('ConfigMap')[0]!;
const CONTAINER = DEPLOYMENT?.spec.template.spec.containers[0];

/** A container port by number or by name. */
function containerPort(c: Container, port: string | number | undefined): number | undefined {
  return c.ports?.find((p) => p.containerPort === port || p.name === port)?.containerPort;
}

describe('deploy/kubernetes', () => {
  it('lists every manifest in the kustomization, and each is a known kind with a name', () => {
    expect([...KUSTOMIZATION.resources].sort()).toEqual(MANIFEST_FILES);
    const known: Record<string, string> = { ConfigMap: 'v1', Service: 'v1', Deployment: 'apps/v1' };
    for (const o of OBJECTS) {
      expect(known[o.kind], `kind ${o.kind}`).toBeDefined();
      expect(o.apiVersion, `${o.kind} apiVersion`).toBe(known[o.kind]);
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(OBJECTS.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
  });

  it('selects its own pods: Deployment selector and Service selector match the pod labels', () => {
    const labels = DEPLOYMENT.spec.template.metadata.labels;
    expect(Object.keys(DEPLOYMENT.spec.selector.matchLabels).length).toBeGreaterThan(0);
    expect(labels).toMatchObject(DEPLOYMENT.spec.selector.matchLabels);
    expect(Object.keys(SERVICE.spec.selector).length).toBeGreaterThan(0);
    expect(labels).toMatchObject(SERVICE.spec.selector);
  });

  it('routes the Service to the port the exporter listens on, the image exposes and the probes use', () => {
    expect(DEPLOYMENT.spec.template.spec.containers).toHaveLength(1);
    const c = CONTAINER!;
    const listen = flagValues(c.args ?? []).get('--web.listen-address');
    const port = Number(/:(\d+)$/.exec(listen ?? '')?.[1]);
    expect(port).toBe(7980);
    expect(c.ports?.map((p) => p.containerPort)).toEqual([port]);
    expect(only(RUNTIME, 'EXPOSE')).toEqual([String(port)]);
    for (const p of SERVICE.spec.ports) expect(containerPort(c, p.targetPort ?? p.port), `Service port ${p.name ?? p.port}`).toBe(port);
    expect(c.readinessProbe?.httpGet?.path).toBe('/-/ready');
    expect(c.livenessProbe?.httpGet?.path).toBe('/-/healthy');
    expect(containerPort(c, c.readinessProbe!.httpGet!.port)).toBe(port);
    expect(containerPort(c, c.livenessProbe!.httpGet!.port)).toBe(port);
  });

  it('passes only flags apiprobe has', () => {
    const flags = cliFlags();
    for (const f of flagValues(CONTAINER!.args ?? []).keys()) expect(flags, `container arg ${f}`).toContain(f);
  });

  it('runs as the image user, non-root, with a read-only root filesystem, no privileges, and resources', () => {
    const pod = DEPLOYMENT.spec.template.spec.securityContext ?? {};
    const sc = CONTAINER!.securityContext ?? {};
    expect(sc.runAsNonRoot ?? pod.runAsNonRoot).toBe(true);
    const uid = Number(/^(\d+)/.exec(single(RUNTIME, 'USER'))![1]);
    expect(sc.runAsUser ?? pod.runAsUser).toBe(uid);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.capabilities?.drop).toEqual(['ALL']);
    expect(sc.privileged ?? false).toBe(false);
    for (const kind of ['requests', 'limits'] as const) {
      expect(CONTAINER!.resources?.[kind]?.cpu, `resources.${kind}.cpu`).toBeDefined();
      expect(CONTAINER!.resources?.[kind]?.memory, `resources.${kind}.memory`).toBeDefined();
    }
  });

  it('mounts the ConfigMap as a directory holding --config.file, every key used', () => {
    const volumes = DEPLOYMENT.spec.template.spec.volumes ?? [];
    const volume = volumes.find((v) => v.configMap?.name === CONFIGMAP.metadata.name);
    expect(volume, `a volume of ConfigMap ${CONFIGMAP.metadata.name}`).toBeDefined();
    const mount = CONTAINER!.volumeMounts?.find((m) => m.name === volume!.name);
    expect(mount).toBeDefined();
    // No subPath: the kubelet updates the files in place, which is what reload relies on.
    expect(mount!.subPath).toBeUndefined();
    expect(mount!.readOnly).toBe(true);
    expect(volume!.configMap!.items, 'every key mounted (no items list to keep in step)').toBeUndefined();
    const configFile = flagValues(CONTAINER!.args ?? []).get('--config.file')!;
    expect(path.posix.dirname(configFile)).toBe(mount!.mountPath);
    const keys = Object.keys(CONFIGMAP.data);
    expect(keys).toContain(path.posix.basename(configFile));
    for (const k of keys) expect(k).toMatch(/^[-._a-zA-Z0-9]+$/);
    // Every other mounted volume is writable scratch space (the root filesystem is read-only).
    for (const m of CONTAINER!.volumeMounts ?? []) expect(volumes.some((v) => v.name === m.name), `volume ${m.name}`).toBe(true);
  });

  describe('the ConfigMap, written as the kubelet writes it', () => {
    let dir: string;
    let configFile: string;

    beforeAll(async () => {
      // The kubelet's layout: the data in a timestamped directory, `..data` linking to
      // it, and one symbolic link per key.
      dir = await tempDir('apiprobe-configmap-');
      const data = '..2026_01_01_00_00_00.000000001';
      await mkdir(path.join(dir, data));
      // The image's modules are /app/modules (WORKDIR /app, COPY modules ./modules);
      // here they are the repository's.
      const imageModules = copies(RUNTIME).find((c) => c.sources.includes('modules'))!;
      const modulesInImage = path.posix.resolve(imageModules.workdir, imageModules.dest);
      expect(modulesInImage).toBe('/app/modules');
      expect(CONFIGMAP.data['apiprobe.yml']).toContain(`${modulesInImage}/`);
      for (const [key, text] of Object.entries(CONFIGMAP.data)) {
        await writeFile(path.join(dir, data, key), text.replaceAll(`${modulesInImage}/`, `${path.join(ROOT, 'modules')}/`));
        await symlink(`..data/${key}`, path.join(dir, key));
      }
      await symlink(data, path.join(dir, '..data'));
      configFile = path.join(dir, path.posix.basename(flagValues(CONTAINER!.args ?? []).get('--config.file')!));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('loads: the shipped modules from the image and the ConfigMap’s own, every key read', async () => {
      const config = await loadConfig(configFile);
      const shipped = readdirSync(path.join(ROOT, 'modules')).filter((f) => f.endsWith('.yml'));
      expect(config.files.length).toBe(1 + shipped.length + Object.keys(CONFIGMAP.data).length - 1);
      expect([...config.modules.keys()]).toEqual(expect.arrayContaining(['redfish', 'nginx', 'app_health']));
      // No key is dead weight: each one is the main file or an included module file.
      const read = config.files.map((f) => path.basename(f));
      for (const key of Object.keys(CONFIGMAP.data)) expect(read).toContain(key);
    });

    it('probes with its own module and with a shipped one', async () => {
      const exporter = await startExporter({ configFile });
      try {
        // The simulated Spring Boot service reports DOWN (with a 503, which the module accepts).
        const own = await probeCatalogDevice(exporter, 'spring-boot-2', 'app_health');
        expect(own.series.get('probe_success')).toBe(1);
        expect(own.series.get('app_health_up')).toBe(0);
        const shipped = await probeCatalogDevice(exporter, 'nginx');
        expect(shipped.series.get('probe_success')).toBe(1);
      } finally {
        await exporter.close();
      }
    });
  });
});

// ----------------------------------------------------------------------------------
// systemd unit (structure; systemd.test.ts runs systemd-analyze on it)
// ----------------------------------------------------------------------------------

function parseUnit(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = [];
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`apiprobe.service: cannot read ${line}`);
    current.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return sections;
}

/**
 * The node flags a deployment passes: Node 20's young generation (docs/operating.md), and
 * every one accepted by the node running the tests (a misspelt V8 flag is fatal at start).
 */
function expectNodeFlags(given: string[]): void {
  expect(given).toContain('--max-semi-space-size=16');
  const r = spawnSync(process.execPath, [...given, '-e', '0'], { encoding: 'utf8' });
  expect(r.status, `node ${given.join(' ')}: ${r.stderr}`).toBe(0);
  expect(r.stderr).toBe('');
}

describe('deploy/apiprobe.service', () => {
  const unit = parseUnit(readFileSync(path.join(DEPLOY, 'apiprobe.service'), 'utf8'));
  const service = new Map(unit.get('Service') ?? []);

  it('starts node dist/cli.js with real flags, reloads with SIGHUP, restarts on failure', () => {
    const exec = service.get('ExecStart')!.split(/\s+/);
    expect(exec[0]).toMatch(/\/node$/);
    const script = exec.findIndex((a) => /\/dist\/cli\.js$/.test(a));
    expect(script, 'ExecStart runs dist/cli.js').toBeGreaterThan(0);
    expectNodeFlags(exec.slice(1, script));
    const flags = cliFlags();
    const given = flagValues(exec.slice(script + 1).filter((a) => !a.startsWith('$')));
    for (const f of given.keys()) expect(flags, `ExecStart flag ${f}`).toContain(f);
    expect(given.get('--config.file')).toMatch(/^\/etc\/apiprobe\//);
    expect(given.get('--web.listen-address')).toBe(':7980');
    expect(service.get('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(service.get('Restart')).toBe('on-failure');
    expect(unit.get('Install')).toContainEqual(['WantedBy', 'multi-user.target']);
  });

  it('is hardened, without what breaks Node.js', () => {
    expect(service.get('DynamicUser') === 'yes' || (service.get('User') ?? 'root') !== 'root').toBe(true);
    expect(service.get('NoNewPrivileges')).toBe('yes');
    expect(service.get('ProtectSystem')).toBe('strict');
    expect(service.get('ProtectHome')).toBe('yes');
    expect(service.get('PrivateTmp')).toBe('yes');
    expect(service.get('CapabilityBoundingSet')).toBe('');
    // V8's JIT needs writable, executable memory: MemoryDenyWriteExecute=yes kills node.
    expect(service.get('MemoryDenyWriteExecute') ?? 'no').toBe('no');
    // A refused system call must be an error, not a kill (libuv probes io_uring).
    if (service.has('SystemCallFilter')) expect(service.get('SystemCallErrorNumber')).toBe('EPERM');
  });
});

// ----------------------------------------------------------------------------------
// promtool: the sharding configuration, the alerting rules and their unit tests
// ----------------------------------------------------------------------------------

const ALERTS = path.join(DEPLOY, 'grafana/alerts.yml');
const ALERTS_TEST = path.join(DEPLOY, 'grafana/alerts.test.yml');
const DASHBOARD = path.join(DEPLOY, 'grafana/apiprobe-dashboard.json');

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string; annotations?: Record<string, string> }[] }[];
}

describe('promtool', () => {
  beforeEach((ctx) => promtool.skipIfMissing(ctx));

  it('accepts deploy/prometheus-sharding.yml, its target files included, without a warning', async () => {
    const r = await promtoolRun(['check', 'config', path.join(DEPLOY, 'prometheus-sharding.yml')]);
    expect(r.out).toContain('SUCCESS');
    expect(r.out).not.toMatch(/WARNING/);
    expect(r.code).toBe(0);
  });

  it('accepts deploy/grafana/alerts.yml', async () => {
    const r = await promtoolRun(['check', 'rules', ALERTS]);
    const alerts = (parse(readFileSync(ALERTS, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
    expect(r.out).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(r.code).toBe(0);
  });

  it('passes the unit tests of alerts.test.yml', async () => {
    const r = await promtoolRun(['test', 'rules', ALERTS_TEST]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('fails those unit tests when the probe-failure and reload-failure alerts cannot fire', async () => {
    // The unit tests assert firing alerts, not merely that the rules load: with the
    // two conditions made impossible, promtool reports both alerts missing.
    const dir = await tempDir('apiprobe-alerts-');
    try {
      const broken = readFileSync(ALERTS, 'utf8')
        .replace('expr: probe_success == 0', 'expr: probe_success == 2')
        .replace('expr: apiprobe_config_last_reload_successful == 0', 'expr: apiprobe_config_last_reload_successful == 2');
      expect(broken).not.toBe(readFileSync(ALERTS, 'utf8'));
      await writeFile(path.join(dir, 'alerts.yml'), broken);
      await cp(ALERTS_TEST, path.join(dir, 'alerts.test.yml'));
      const r = await promtoolRun(['test', 'rules', path.join(dir, 'alerts.test.yml')]);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/alertname: ApiprobeProbeFailing/);
      expect(r.out).toMatch(/alertname: ApiprobeConfigReloadFailed/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has a unit test with a firing alert for every alert', () => {
    const alerts = (parse(readFileSync(ALERTS, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules).map((r) => r.alert!);
    const tests = parse(readFileSync(ALERTS_TEST, 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const fired = new Set(tests.tests.flatMap((t) => t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname));
    const silent = new Set(tests.tests.flatMap((t) => t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname));
    for (const a of alerts) expect(fired, `${a} is never shown firing`).toContain(a);
    for (const a of ['ApiprobeProbeFailing', 'ApiprobeConfigReloadFailed']) expect(silent, `${a} is never shown silent`).toContain(a);
  });
});

// ----------------------------------------------------------------------------------
// Metric names: the dashboard and the alerts use only what the exporter exposes
// ----------------------------------------------------------------------------------

interface GrafanaTarget {
  expr?: string;
  datasource?: { type: string; uid: string };
}
interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}
interface GrafanaDashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  templating: { list: { type: string; name: string; query: unknown; definition?: string; datasource?: { uid: string } }[] };
  panels: GrafanaPanel[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as GrafanaDashboard;
const allPanels = (ps: GrafanaPanel[]): GrafanaPanel[] => ps.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const PANELS = allPanels(dashboard.panels);
const PANEL_EXPRS = PANELS.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr! })));
/** Metric names in the variables' queries: label_values(<metric>, <label>). */
const VARIABLE_METRICS = dashboard.templating.list
  .filter((v) => v.type === 'query')
  .map((v) => {
    const m = /^label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(v.definition ?? '');
    if (!m) throw new Error(`variable ${v.name}: expected label_values(<metric>, <label>), got ${v.definition}`);
    return { variable: v.name, metric: m[1]! };
  });
/** Series Prometheus itself adds to every scrape; not the exporter's, but there for alerts on it. */
const PROMETHEUS_SYNTHETIC = new Set(['up']);

describe('metric names', () => {
  let exposed: { metrics: Set<string>; probe: Set<string> };
  let all: Set<string>;

  beforeAll(async () => {
    exposed = await exporterMetricNames();
    all = new Set([...exposed.metrics, ...exposed.probe]);
  });

  it('reads metric names out of PromQL', () => {
    expect([...metricNames('histogram_quantile(0.9, sum by (module, le) (rate(a_bucket{module=~"$m", x="a b"}[5m])))')]).toEqual(['a_bucket']);
    expect([...metricNames('topk(15, d{job=~"x"} / t{job="y"}) > 0.8 unless on (job) count without (i) (u) offset 5m')]).toEqual(['d', 't', 'u']);
    expect([...metricNames('count(probe_success == 0) or vector(0)')]).toEqual(['probe_success']);
  });

  it('collects what the exporter serves, its own metrics and a probe’s', () => {
    for (const n of ['apiprobe_probes_total', 'apiprobe_probe_duration_seconds_bucket', 'apiprobe_logins_total', 'process_cpu_seconds_total']) expect(exposed.metrics).toContain(n);
    for (const n of ['probe_success', 'probe_duration_seconds', 'probe_timeout_seconds']) expect(exposed.probe).toContain(n);
  });

  it('the dashboard uses only names the exporter exposes', () => {
    const used = new Set<string>();
    for (const { panel, expr } of PANEL_EXPRS) {
      const names = metricNames(substituteGrafanaVariables(expr));
      expect(names.size, `panel "${panel}": no metric in ${expr}`).toBeGreaterThan(0);
      for (const n of names) {
        expect(all, `panel "${panel}": ${n} is not exposed by apiprobe`).toContain(n);
        used.add(n);
      }
    }
    for (const { variable, metric } of VARIABLE_METRICS) expect(all, `variable ${variable}: ${metric}`).toContain(metric);
    // The panels the dashboard is for.
    for (const n of [
      'probe_success',
      'probe_duration_seconds',
      'apiprobe_probes_total',
      'apiprobe_probe_duration_seconds_bucket',
      'apiprobe_upstream_requests_in_flight',
      'apiprobe_upstream_queue_length',
      'apiprobe_logins_total',
      'apiprobe_cache_hits_total',
      'apiprobe_upstream_coalesced_total',
      'apiprobe_config_last_reload_successful',
    ]) {
      expect(used, `no panel shows ${n}`).toContain(n);
    }
  });

  it('the alerts use only names the exporter exposes (and Prometheus’s `up`)', () => {
    const rules = (parse(readFileSync(ALERTS, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
    for (const r of rules) {
      const names = metricNames(r.expr);
      expect(names.size).toBeGreaterThan(0);
      for (const n of names) expect(all.has(n) || PROMETHEUS_SYNTHETIC.has(n), `alert ${r.alert}: ${n} is not exposed by apiprobe`).toBe(true);
    }
  });
});

// ----------------------------------------------------------------------------------
// The Grafana dashboard
// ----------------------------------------------------------------------------------

describe('deploy/grafana/apiprobe-dashboard.json', () => {
  it('is a dashboard with a Prometheus data source variable and job and module variables', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(41);
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.get('job')?.type).toBe('query');
    expect(vars.get('module')?.type).toBe('query');
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) expect(v.datasource?.uid, `variable ${v.name}`).toBe('${datasource}');
  });

  it('queries every panel through ${datasource}, with unique ids, on a 24-column grid', () => {
    const ids = PANELS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of PANELS) {
      expect(p.gridPos.x + p.gridPos.w, `panel ${p.title}`).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.datasource?.uid, `panel ${p.title}`).toBe('${datasource}');
      expect(p.targets?.length, `panel ${p.title} has no query`).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.datasource?.uid, `panel ${p.title}`).toBe('${datasource}');
    }
    const table = PANELS.find((p) => p.type === 'table' && p.targets?.some((t) => /probe_success\{[^}]*\}\s*==\s*0/.test(t.expr ?? '')));
    expect(table, 'a table of failing targets (probe_success == 0)').toBeDefined();
  });

  describe('PromQL', () => {
    beforeEach((ctx) => promtool.skipIfMissing(ctx));

    const checkExprs = async (exprs: string[]): Promise<{ code: number | null; out: string }> => {
      const dir = await tempDir('apiprobe-promql-');
      try {
        const file = path.join(dir, 'exprs.yml');
        await writeFile(file, stringify(recordingRules(exprs)));
        return await promtoolRun(['check', 'rules', file]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };

    it('every expression parses (promtool check rules, as recording rules)', async () => {
      const exprs = PANEL_EXPRS.map((e) => substituteGrafanaVariables(e.expr));
      expect(exprs.length).toBeGreaterThan(15);
      const r = await checkExprs(exprs);
      expect(r.out).toContain(`SUCCESS: ${exprs.length} rules found`);
      expect(r.code).toBe(0);
    });

    it('the check does fail on an expression that does not parse', async () => {
      const r = await checkExprs(['sum by (module (rate(apiprobe_probes_total[5m]))']);
      expect(r.code).not.toBe(0);
    });
  });
});

// ----------------------------------------------------------------------------------

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
