// First step of a probe: the request's parameters → modules, targets, credentials,
// parameters, deadline. Anything wrong here is the caller's mistake (or a target the
// rules refuse) and becomes a 400 with one line; nothing has been sent anywhere yet.
import type { Config } from './generation.js';
import { TargetRefused } from '../fetch/guard.js';
import { protocolOf, type ModuleRun } from '../protocols/index.js';
import { TargetError } from '../protocols/target.js';
import { buildBody, checkParam, ParamError } from '../module/url-plan.js';
import { suggestion } from './suggest.js';

export class BadRequest extends Error {}

// What a module run is belongs to the protocols that send it (src/protocols/index.ts).
export type { ModuleRun };

export interface ResolvedProbe {
  runs: ModuleRun[];
  target: string;
  debug: boolean;
  scrapeTimeoutSeconds: number | undefined;
}

export type Query = Record<string, string | string[] | undefined>;

function single(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw new BadRequest(`${name} parameter given ${v.length} times; give it once`);
  return v;
}

export async function resolveProbe(config: Config, query: Query, scrapeTimeoutHeader: string | undefined): Promise<ResolvedProbe> {
  const target = single(query, 'target');
  if (target === undefined || target.trim() === '') throw new BadRequest('target parameter is missing');
  // module=a,b and module=a&module=b (what Prometheus sends for params: { module: [a, b] }) alike.
  const rawModule = query['module'];
  const moduleParam = Array.isArray(rawModule) ? rawModule.join(',') : rawModule;
  let names: string[];
  if (moduleParam === undefined || moduleParam === '') {
    if (!config.modules.has('default')) throw new BadRequest('module parameter is missing and no module is named "default"');
    names = ['default'];
  } else {
    names = [...new Set(moduleParam.split(',').map((s) => s.trim()).filter(Boolean))];
    if (names.length === 0) throw new BadRequest('module parameter is empty');
  }
  // An empty auth= (a form left at "the module's default") is no auth parameter.
  const authParam = single(query, 'auth') || undefined;
  if (authParam !== undefined && !config.auths.has(authParam)) throw new BadRequest(`unknown auth "${authParam}"`);

  const runs: ModuleRun[] = [];
  for (const name of names) {
    const module = config.modules.get(name);
    if (!module) throw new BadRequest(`unknown module "${name}"${suggestion(name, config.modules.keys())}`);
    const protocol = protocolOf(module);
    let resolved;
    try {
      resolved = protocol.resolveTarget(target, module);
    } catch (err) {
      if (err instanceof TargetError) throw new BadRequest(err.message);
      throw err;
    }
    const params: Record<string, string> = {};
    for (const [param, p] of module.params) {
      const v = single(query, param) ?? p.fallback;
      if (v === null) throw new BadRequest(`parameter "${param}" is required by module ${name}`);
      params[param] = v;
    }
    // Checked and built before anything is sent: a value outside its param's rule, or
    // one that would take a request off the target, is the caller's mistake.
    const urls = new Map<string, URL>();
    const bodies = new Map<string, string>();
    try {
      for (const [param, p] of module.params) checkParam(name, param, p, params[param]!);
      for (const root of module.roots) {
        const req = module.requests.get(root)!;
        urls.set(root, protocol.address(module, req, resolved, params));
      }
      for (const req of module.requests.values()) if (req.body) bodies.set(req.name, buildBody(name, req.body, params));
    } catch (err) {
      if (err instanceof ParamError) throw new BadRequest(err.message);
      throw err;
    }
    const authName = authParam ?? module.auth;
    const auth = authName === undefined ? undefined : config.auths.get(authName);
    // The module's default auth was checked at load; one the probe names, here.
    const refused = auth && protocol.refusesAuth(auth);
    if (refused) throw new BadRequest(`module ${name}: ${refused}`);
    runs.push({ module, target: resolved, auth, transport: config.transportFor(module, auth), params, urls, bodies });
  }

  // The rules are checked on the resolved address before anything is sent; a name
  // that does not resolve is left to fail as an upstream error (probe_success 0).
  const host = runs[0]!.target.base.hostname;
  let address = '';
  try {
    address = (await config.guard.vet(host)).address;
  } catch (err) {
    if (err instanceof TargetRefused) throw new BadRequest(err.message);
  }
  for (const run of runs) {
    if (run.auth?.targets && !run.auth.targets.match(host.replace(/^\[|\]$/g, ''), address)) {
      throw new BadRequest(`auth ${run.auth.name} may not be sent to ${host} (not in auths.${run.auth.name}.targets)`);
    }
  }

  const debugParam = single(query, 'debug');
  let scrapeTimeoutSeconds: number | undefined;
  if (scrapeTimeoutHeader !== undefined) {
    const n = Number(scrapeTimeoutHeader);
    if (!(n > 0) || !Number.isFinite(n)) throw new BadRequest(`X-Prometheus-Scrape-Timeout-Seconds ${JSON.stringify(scrapeTimeoutHeader)} is not a positive number`);
    scrapeTimeoutSeconds = n;
  }
  return { runs, target, debug: debugParam === 'true' || debugParam === '1', scrapeTimeoutSeconds };
}
