// The exporter's own metrics, served on /metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Upstream } from '../fetch/upstream.js';
import { VERSION } from '../version.js';

export class ExporterMetrics {
  readonly registry = new Registry();
  readonly probes: Counter<'module' | 'result'>;
  readonly probeDuration: Histogram<'module'>;

  constructor(upstream: Upstream) {
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
    new Gauge({
      name: 'apiprobe_build_info',
      help: 'A metric with a constant 1 value labeled by version and Node.js version of apiprobe',
      labelNames: ['version', 'nodeversion'],
      registers,
    }).set({ version: VERSION, nodeversion: process.version }, 1);
  }
}
