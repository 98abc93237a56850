// The exporter's own metrics, served on /metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { KIND_METRICS } from '../auth/registry.js';
import type { Auth } from '../fetch/credentials.js';
import type { Upstream } from '../fetch/upstream.js';
import type { ProbePool } from '../probe/budget.js';
import { VERSION } from '../version.js';

export class ExporterMetrics {
  /** Records the outcome of a configuration (re)load. */
  reloaded(ok: boolean): void {
    this.reloadOk.set(ok ? 1 : 0);
    if (ok) this.reloadTime.set(Date.now() / 1000);
  }

  readonly registry = new Registry();
  readonly probes: Counter<'module' | 'result'>;
  readonly probeDuration: Histogram<'module'>;
  readonly insecureCredentialProbes: Counter<'module'>;
  private readonly reloadOk: Gauge;
  private readonly reloadTime: Gauge;

  constructor(upstream: Upstream, auths: () => Iterable<Auth>, pool?: ProbePool) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these gauges *_total, which promtool (rightly) rejects; the
    // same counts stay available, by type, as nodejs_active_{handles,requests,resources}.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
    this.probes = new Counter({
      name: 'apiprobe_probes_total',
      help: 'Probes run, by module and result (success or failure)',
      labelNames: ['module', 'result'],
      registers,
    });
    this.probeDuration = new Histogram({
      name: 'apiprobe_probe_duration_seconds',
      help: 'Duration of probes, by module',
      labelNames: ['module'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.insecureCredentialProbes = new Counter({
      name: 'apiprobe_insecure_credential_probes_total',
      help: 'Probes that sent credentials on connections nothing verified (plain HTTP, or TLS with insecure_skip_verify), by module',
      labelNames: ['module'],
      registers,
    });
    new Gauge({
      name: 'apiprobe_upstream_requests_in_flight',
      help: 'Upstream requests being transferred right now',
      registers,
      collect() {
        this.set(upstream.inFlight);
      },
    });
    new Gauge({
      name: 'apiprobe_upstream_queue_length',
      help: 'Upstream requests waiting for a slot under the global, per-target or per-probe limit',
      registers,
      collect() {
        this.set(upstream.queued);
      },
    });
    new Gauge({
      name: 'apiprobe_upstream_target_limiters',
      help: 'Per-target limiters alive (targets with requests queued or in flight)',
      registers,
      collect() {
        this.set(upstream.targetLimiters);
      },
    });
    if (pool) {
      new Gauge({
        name: 'apiprobe_probe_budget_used_bytes',
        help: 'What the probes in flight hold of the exporter-wide probe budget (bytes received, 64 per parsed value)',
        registers,
        collect() {
          this.set(pool.used);
        },
      });
      new Gauge({
        name: 'apiprobe_probe_budget_limit_bytes',
        help: 'The exporter-wide probe budget (--probe.memory-budget)',
        registers,
        collect() {
          this.set(pool.limitBytes);
        },
      });
      mirrorCounter('apiprobe_probes_shed_total', 'Probes answered 503 because the probes in flight held nearly all of the exporter-wide budget', registers, () => pool.shed);
      mirrorCounter('apiprobe_probe_budget_exhausted_total', 'Probes failed because their draw did not fit in the exporter-wide budget', registers, () => pool.refused);
    }
    mirrorCounter('apiprobe_upstream_coalesced_total', 'Upstream requests that joined an identical one in flight instead of asking the device again', registers, () => upstream.coalesced);
    mirrorCounter('apiprobe_cache_hits_total', 'Upstream requests answered from the response cache (cache_ttl)', registers, () => upstream.cacheHits);
    // What each kind of auth counts, summed over the auths of that kind (auth/registry.ts).
    for (const { kind, metrics } of KIND_METRICS) {
      for (const g of metrics.gauges ?? []) {
        new Gauge({
          name: g.name,
          help: g.help,
          registers,
          collect() {
            let n = 0;
            for (const a of auths()) if (a.kind === kind) n += g.read(a);
            this.set(n);
          },
        });
      }
    }
    const evictionsSeen = new WeakMap<Auth, number>();
    const evictions: Counter<'kind'> = new Counter({
      name: 'apiprobe_auth_state_evictions_total',
      help: 'Per-device auth state (digest challenges, login sessions) pushed out, least recently used first, to stay within its bound; an evicted session is logged out. By kind of auth',
      labelNames: ['kind'],
      registers,
      collect() {
        // Auth objects are replaced on reload: what grew since last seen, per object.
        for (const a of auths()) {
          const now = a.originState?.evictions;
          if (now === undefined) continue;
          const last = evictionsSeen.get(a) ?? 0;
          if (now > last) evictions.inc({ kind: a.kind }, now - last);
          evictionsSeen.set(a, now);
        }
      },
    });
    for (const { kind, metrics } of KIND_METRICS) {
      for (const o of metrics.outcomes ?? []) followOutcomes(o.name, o.help, registers, auths, (a) => (a.kind === kind ? o.read(a) : undefined));
    }
    this.reloadOk = new Gauge({
      name: 'apiprobe_config_last_reload_successful',
      help: 'Whether the last configuration (re)load succeeded',
      // With --web.workers: 0 when any worker failed.
      aggregator: 'min',
      registers,
    });
    this.reloadTime = new Gauge({
      name: 'apiprobe_config_last_reload_success_timestamp_seconds',
      help: 'When the configuration was last loaded successfully, in unix seconds',
      aggregator: 'min',
      registers,
    });
    new Gauge({
      name: 'apiprobe_build_info',
      help: 'A metric with a constant 1 value labeled by version and Node.js version of apiprobe',
      labelNames: ['version', 'nodeversion'],
      aggregator: 'first',
      registers,
    }).set({ version: VERSION, nodeversion: process.version }, 1);
  }
}

/**
 * A counter {auth, result} following the success and failure counts each auth keeps
 * (logins, token fetches). Auth objects are replaced on reload, so the last count seen
 * is kept per auth object, and only what grew since is added.
 */
function followOutcomes(name: string, help: string, registers: Registry[], auths: () => Iterable<Auth>, countsOf: (a: Auth) => { ok: number; failed: number } | undefined): void {
  const seen = new WeakMap<Auth, { ok: number; failed: number }>();
  const counter: Counter<'auth' | 'result'> = new Counter({
    name,
    help,
    labelNames: ['auth', 'result'],
    registers,
    collect() {
      for (const a of auths()) {
        const now = countsOf(a);
        if (!now) continue;
        const last = seen.get(a) ?? { ok: 0, failed: 0 };
        if (now.ok > last.ok) counter.inc({ auth: a.name, result: 'success' }, now.ok - last.ok);
        if (now.failed > last.failed) counter.inc({ auth: a.name, result: 'failure' }, now.failed - last.failed);
        seen.set(a, { ...now });
      }
    },
  });
}

/** A counter following a count kept elsewhere (it only ever grows). */
function mirrorCounter(name: string, help: string, registers: Registry[], read: () => number): void {
  let last = 0;
  const c: Counter = new Counter({
    name,
    help,
    registers,
    collect() {
      const now = read();
      if (now > last) c.inc(now - last);
      last = now;
    },
  });
}
