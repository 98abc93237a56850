// HTTP(S), the protocol of every module without a `tcp:` request: the method, headers,
// body, redirects, TLS client settings and every auth kind are HTTP's, and go to the
// device through src/fetch/upstream.ts.
import type { CompiledModule, CompiledRequest } from '../module/plan.js';
import { resolveTarget, type ResolvedTarget } from './target.js';
import { buildUrl } from '../module/url-plan.js';
import type { Protocol, Sending } from './types.js';
import type { FetchSpec } from '../fetch/upstream.js';
import { tlsSamples } from './tls-samples.js';

export const http: Protocol = {
  name: 'http',
  statusCode: true,
  // Every auth kind is HTTP's.
  refusesAuth: () => undefined,
  resolveTarget: (raw: string, mod: CompiledModule): ResolvedTarget => resolveTarget(raw, mod),
  address(mod, req, target, params): URL {
    return buildUrl(mod.name, req.path, req.query, target.base, params);
  },
  fetchSpec({ run, req, url, connections, probeLimit, signal, take }: Sending): FetchSpec {
    const mod = run.module;
    return {
      request: req.name,
      url,
      method: req.method,
      headers: req.headers,
      body: run.bodies.get(req.name),
      transport: run.transport,
      redirectTransport: run.transport === mod.transport ? undefined : mod.transport,
      connections,
      auth: run.auth,
      cacheSeconds: req.cacheSeconds,
      maxBytes: mod.maxResponseBytes,
      targetKey: run.target.key,
      targetConcurrency: mod.concurrency,
      probeLimit,
      signal,
      take,
    };
  },
  tlsSamples,
  describe: (req: CompiledRequest, url: URL): string => `${req.method} ${url.pathname}${url.search}`,
};
