// deploy/prometheus-sharding.yml in a real Prometheus: two servers (shard 0 as
// shipped, shard 1 as its comment says to change it), 2,000 Redfish devices and 300
// nginx targets (100 of them the same devices). Prometheus's own targets API then
// says, for every target, which server keeps it and which exporter replica it is
// sent to.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { tempDir } from '../helpers/exporter.js';
import { prometheusBin, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { DEPLOY } from './helpers.js';
import { eventually } from '../helpers/wait.js';


const SHIPPED = path.join(DEPLOY, 'prometheus-sharding.yml');

interface Relabel {
  source_labels?: string[];
  separator?: string;
  target_label?: string;
  regex?: string;
  modulus?: number;
  replacement?: string;
  action?: string;
}
interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  file_sd_configs?: { files: string[] }[];
  static_configs?: { targets: string[] }[];
  relabel_configs?: Relabel[];
}
interface PromConfig {
  global: { external_labels?: Record<string, string> };
  scrape_configs: ScrapeConfig[];
}

/** Prometheus's hashmod: MD5 of the value, its last 8 bytes as a big-endian integer, modulo. */
function hashmod(value: string, modulus: number): number {
  return Number(createHash('md5').update(value).digest().readBigUInt64BE(8) % BigInt(modulus));
}

const REDFISH_DEVICES = Array.from({ length: 2000 }, (_, i) => (i % 4 === 3 ? `bmc-${i}.dc${i % 7}.example.net` : `10.${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`));
const NGINX_TARGETS = [...REDFISH_DEVICES.slice(0, 100), ...Array.from({ length: 200 }, (_, i) => `web-${i}.example.net:8080`)];

interface Shape {
  shardModulus: number;
  replicaModulus: number;
  replicaSalt: string;
  replicaSeparator: string;
  /** hashmod value → exporter address. */
  replicas: Map<string, string>;
}

/** Reads the probe relabeling of the shipped file, and checks it has the shape the test knows. */
function shapeOf(job: ScrapeConfig): Shape {
  const rules = job.relabel_configs ?? [];
  const shard = rules.find((r) => r.action === 'hashmod' && r.target_label === '__tmp_prometheus_shard');
  const keep = rules.find((r) => r.action === 'keep' && r.source_labels?.[0] === '__tmp_prometheus_shard');
  const salt = rules.find((r) => r.target_label === '__tmp_replica_salt');
  const replica = rules.find((r) => r.action === 'hashmod' && r.target_label === '__tmp_replica');
  if (!shard || !keep || !salt || !replica) throw new Error(`job ${job.job_name}: not the relabeling this test knows`);
  expect(shard.source_labels).toEqual(['__address__']);
  expect(replica.source_labels).toEqual(['__tmp_replica_salt', '__param_target']);
  const replicas = new Map<string, string>();
  for (const r of rules.filter((x) => x.source_labels?.[0] === '__tmp_replica' && x.target_label === '__address__')) replicas.set(r.regex!, r.replacement!);
  return { shardModulus: shard.modulus!, replicaModulus: replica.modulus!, replicaSalt: salt.replacement!, replicaSeparator: replica.separator ?? ';', replicas };
}

/** The shipped file for server `shard`: the keep rule and the external label changed, nothing else. */
function forShard(text: string, shard: number): PromConfig {
  const config = parse(text) as PromConfig; // the YAML alias makes every probe job share one rule list
  for (const job of config.scrape_configs) {
    for (const r of job.relabel_configs ?? []) if (r.action === 'keep' && r.source_labels?.[0] === '__tmp_prometheus_shard') r.regex = String(shard);
  }
  config.global.external_labels = { ...config.global.external_labels, prometheus_shard: String(shard) };
  return config;
}

interface ActiveTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  scrapePool: string;
}
interface TargetsAnswer {
  activeTargets: ActiveTarget[];
  droppedTargets: { discoveredLabels: Record<string, string> }[];
}

/** The targets API once every generated target has been discovered (kept or dropped). */
async function targetsOf(p: RunningPrometheus, expected: number): Promise<TargetsAnswer> {
  let last: TargetsAnswer | undefined;
  const probeTargets = (t: TargetsAnswer): number =>
    t.activeTargets.filter((a) => a.scrapePool !== 'apiprobe').length + t.droppedTargets.filter((d) => d.discoveredLabels.job !== 'apiprobe').length;
  await eventually(
    () => `Prometheus to list the ${expected} targets within 30s (last: ${last?.activeTargets.length} active, ${last?.droppedTargets.length} dropped)\n${p.logs()}`,
    async () => {
      last = ((await (await fetch(`${p.url}/api/v1/targets?state=any`)).json()) as { data: TargetsAnswer }).data;
      return probeTargets(last) === expected;
    },
    { timeout: 30_000, interval: 250 },
  );
  return last!;
}

interface Assignment {
  job: string;
  device: string;
  replica: string;
}

describe('deploy/prometheus-sharding.yml in Prometheus', () => {
  let dir: string;
  const servers: RunningPrometheus[] = [];
  /** Per server: its probe targets, as job, device and replica address. */
  const kept: Assignment[][] = [];
  let shape: Shape;
  let shipped: PromConfig;

  beforeAll(async () => {
    if (!prometheusBin.path) return;
    const text = await readFile(SHIPPED, 'utf8');
    shipped = parse(text) as PromConfig;
    const probeJobs = shipped.scrape_configs.filter((j) => j.metrics_path === '/probe');
    expect(probeJobs.map((j) => j.job_name)).toEqual(['redfish', 'nginx']);
    shape = shapeOf(probeJobs[0]!);
    dir = await tempDir('apiprobe-sharding-');
    const lists: Record<string, string[]> = { redfish: REDFISH_DEVICES, nginx: NGINX_TARGETS };
    for (let shard = 0; shard < shape.shardModulus; shard++) {
      const serverDir = path.join(dir, `server-${shard}`);
      await mkdir(path.join(serverDir, 'targets'), { recursive: true });
      const config = forShard(text, shard);
      // The shipped file_sd paths (relative to the config), with the generated lists.
      for (const job of config.scrape_configs.filter((j) => j.metrics_path === '/probe')) {
        expect(job.file_sd_configs?.[0]?.files).toEqual([`targets/${job.job_name}.yml`]);
        await writeFile(path.join(serverDir, 'targets', `${job.job_name}.yml`), stringify([{ targets: lists[job.job_name] }]));
      }
      await writeFile(path.join(serverDir, 'prometheus.yml'), stringify(config));
      servers.push(await startPrometheus(path.join(serverDir, 'prometheus.yml'), path.join(serverDir, 'data')));
    }
    const total = REDFISH_DEVICES.length + NGINX_TARGETS.length;
    for (const server of servers) {
      const answer = await targetsOf(server, total);
      kept.push(
        answer.activeTargets
          .filter((t) => t.scrapePool !== 'apiprobe')
          .map((t) => {
            const url = new URL(t.scrapeUrl);
            expect(url.pathname).toBe('/probe');
            expect(url.searchParams.get('module')).toBe(t.scrapePool);
            expect(t.labels.instance).toBe(url.searchParams.get('target'));
            return { job: t.scrapePool, device: url.searchParams.get('target')!, replica: url.host };
          }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  beforeEach((ctx) => prometheusBin.skipIfMissing(ctx));

  it('has one replica rule for each value of the replica hash', () => {
    expect(shape.replicaModulus).toBeGreaterThan(1);
    expect([...shape.replicas.keys()].sort()).toEqual(Array.from({ length: shape.replicaModulus }, (_, i) => String(i)));
    expect(new Set(shape.replicas.values()).size).toBe(shape.replicaModulus);
    // Every server also scrapes every replica's own /metrics.
    const self = shipped.scrape_configs.find((j) => j.job_name === 'apiprobe');
    expect(self?.static_configs?.[0]?.targets.sort()).toEqual([...shape.replicas.values()].sort());
  });

  it('lets each server keep a share, and every target is kept by exactly one server', () => {
    for (const [job, list] of [['redfish', REDFISH_DEVICES], ['nginx', NGINX_TARGETS]] as const) {
      const perServer = kept.map((k) => k.filter((a) => a.job === job).map((a) => a.device));
      const all = perServer.flat();
      expect(all.length, `${job}: targets kept once in all`).toBe(list.length);
      expect(new Set(all)).toEqual(new Set(list));
      for (const share of perServer) expect(share.length / list.length).toBeGreaterThan(0.4 / (shape.shardModulus / 2));
    }
  });

  it('sends each target to one replica, the same for a device in every job, and spreads the load', () => {
    const replicaOf = new Map<string, string>();
    for (const a of kept.flat()) {
      expect([...shape.replicas.values()]).toContain(a.replica);
      const before = replicaOf.get(a.device);
      if (before !== undefined) expect(a.replica, `${a.device} in ${a.job}`).toBe(before);
      replicaOf.set(a.device, a.replica);
    }
    // The devices both jobs probe: one replica for both.
    expect(kept.flat().filter((a) => REDFISH_DEVICES.slice(0, 100).includes(a.device))).toHaveLength(200);
    // Within each server's share, every replica gets a fair part: the replica hash is
    // independent of the shard hash.
    for (const share of kept) {
      const redfish = share.filter((a) => a.job === 'redfish');
      for (const replica of shape.replicas.values()) {
        const part = redfish.filter((a) => a.replica === replica).length / redfish.length;
        expect(part, `${replica} in a server's share`).toBeGreaterThan(0.6 / shape.replicaModulus);
        expect(part).toBeLessThan(1.4 / shape.replicaModulus);
      }
    }
  });

  it('is a function of the device alone: the MD5 hashmod the comments describe', () => {
    // So an HA twin of a server, a restarted server, and every job agree on it.
    kept.forEach((share, shard) => {
      for (const a of share) {
        expect(hashmod(a.device, shape.shardModulus), `${a.device}: shard`).toBe(shard);
        const r = hashmod(`${shape.replicaSalt}${shape.replicaSeparator}${a.device}`, shape.replicaModulus);
        expect(a.replica, `${a.device}: replica`).toBe(shape.replicas.get(String(r)));
      }
    });
  });

  it('needs the salt: the unsalted hash of the same device would leave replicas idle', () => {
    // What the comment warns about, with 4 replicas on 2 servers: hashmod(device, 4) on
    // the devices with hashmod(device, 2) == 0 only ever gives 0 or 2.
    const shard0 = REDFISH_DEVICES.filter((d) => hashmod(d, 2) === 0);
    expect(new Set(shard0.map((d) => hashmod(d, 4)))).toEqual(new Set([0, 2]));
    expect(new Set(shard0.map((d) => hashmod(`${shape.replicaSalt};${d}`, 4)))).toEqual(new Set([0, 1, 2, 3]));
  });
});
