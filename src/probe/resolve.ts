// First step of a probe: the request's parameters → modules, targets, deadline.
// Anything wrong here is the caller's mistake and becomes a 400 with one line.
import type { Config } from '../config/load.js';
import type { ModuleRun } from './run.js';
import { resolveTarget, TargetError } from './target.js';

export class BadRequest extends Error {}

export interface ResolvedProbe {
  runs: ModuleRun[];
  target: string;
  debug: boolean;
  scrapeTimeoutSeconds: number | undefined;
}

type Query = Record<string, string | string[] | undefined>;

function single(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw new BadRequest(`${name} parameter given ${v.length} times; give it once`);
  return v;
}

export function resolveProbe(config: Config, query: Query, scrapeTimeoutHeader: string | undefined): ResolvedProbe {
  const target = single(query, 'target');
  if (target === undefined || target.trim() === '') throw new BadRequest('target parameter is missing');
  const moduleParam = single(query, 'module');
  let names: string[];
  if (moduleParam === undefined || moduleParam === '') {
    if (!config.modules.has('default')) throw new BadRequest('module parameter is missing and no module is named "default"');
    names = ['default'];
  } else {
    names = [...new Set(moduleParam.split(',').map((s) => s.trim()).filter(Boolean))];
    if (names.length === 0) throw new BadRequest('module parameter is empty');
  }
  const runs: ModuleRun[] = names.map((name) => {
    const module = config.modules.get(name);
    if (!module) throw new BadRequest(`unknown module "${name}"`);
    try {
      return { module, target: resolveTarget(target, module) };
    } catch (err) {
      if (err instanceof TargetError) throw new BadRequest(err.message);
      throw err;
    }
  });
  const debugParam = single(query, 'debug');
  let scrapeTimeoutSeconds: number | undefined;
  if (scrapeTimeoutHeader !== undefined) {
    const n = Number(scrapeTimeoutHeader);
    if (!(n > 0) || !Number.isFinite(n)) throw new BadRequest(`X-Prometheus-Scrape-Timeout-Seconds ${JSON.stringify(scrapeTimeoutHeader)} is not a positive number`);
    scrapeTimeoutSeconds = n;
  }
  return { runs, target, debug: debugParam === 'true' || debugParam === '1', scrapeTimeoutSeconds };
}
