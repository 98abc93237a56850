// What the server does with every probe besides answering it: the landing page's
// history, the log line of a failed probe or of an absent metric, and the exporter's own metrics.
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

/** How many module × target × metric definition absences are remembered as already logged. */
export const ABSENT_LOGGED_MAX = 10_000;

/**
 * A metric definition that found nothing in the answer (a field renamed by a firmware
 * update, a typo in a module) is logged at warn, where it shows by default, the first time
 * for each module, target and definition: a scrape every 15 s must not repeat it. The
 * keys remembered are bounded; the oldest are forgotten first (and may be logged again).
 */
export function warnAbsent(logger: Logger, max = ABSENT_LOGGED_MAX): ProbeObserver {
  const logged = new Set<string>();
  return (probe, result) => {
    for (const m of result.modules) {
      for (const message of m.absent) {
        // The target as logged (a client makes it as long as it likes); the message comes from the configuration.
        const key = `${m.name}\0${clip(probe.target)}\0${message}`;
        if (logged.has(key)) {
          // Seen recently: keep it young, so that a steady absence is not logged again.
          logged.delete(key);
          logged.add(key);
          continue;
        }
        logged.add(key);
        if (logged.size > max) logged.delete(logged.values().next().value!);
        logger.warn({ module: m.name, target: clip(probe.target), metric: clip(message, 1024) }, 'metric absent: nothing in the answer to make its series from (on_missing: skip makes it optional)');
      }
    }
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
