// What the server does with every probe besides answering it: the landing page's
// history, the log line of a failed probe, and the exporter's own metrics.
import { clip, type Logger } from '../log.js';
import type { ProbeObserver } from '../probe/pipeline.js';
import type { ExporterMetrics } from './exporter-metrics.js';
import type { History } from './history.js';

const modulesOf = (runs: ReadonlyArray<{ module: { name: string } }>): string => runs.map((r) => r.module.name).join(',');

export function recordIn(history: History): ProbeObserver {
  return (probe, result) => {
    const auths = [...new Set(probe.runs.map((r) => r.auth?.name).filter((a) => a !== undefined))];
    history.record({
      module: modulesOf(probe.runs),
      target: probe.target,
      auth: auths.length ? auths.join(',') : undefined,
      success: result.success,
      durationSeconds: result.durationSeconds,
      reason: result.log.reason,
      // Rendered now, within the entry's limits: the entry must not keep the probe's log.
      log: result.log,
    });
  };
}

/** A failed probe is one info line with its reason; a successful one logs at debug. */
export function logTo(logger: Logger): ProbeObserver {
  return (probe, result) => {
    // A target or a reason can be as long as a client or a device makes it: cut to a line.
    if (result.success) logger.debug({ module: modulesOf(probe.runs), target: clip(probe.target), duration_seconds: result.durationSeconds }, 'probe succeeded');
    else logger.info({ module: modulesOf(probe.runs), target: clip(probe.target), reason: result.log.reason === undefined ? undefined : clip(result.log.reason, 1024) }, 'probe failed');
  };
}

export function countIn(metrics: ExporterMetrics): ProbeObserver {
  return (_probe, result) => {
    for (const m of result.modules) {
      metrics.probes.inc({ module: m.name, result: m.success ? 'success' : 'failure' });
      metrics.probeDuration.observe({ module: m.name }, result.durationSeconds);
      if (m.insecureCredentials) metrics.insecureCredentialProbes.inc({ module: m.name });
    }
  };
}
