// The protocol seam, in the spirit of blackbox_exporter's prober registry: every stage
// of a probe that depends on how a device is spoken to asks the module's protocol, and
// nothing else. A protocol resolves the `target` parameter its own way, builds the
// address of each request, and says what the fetcher is to do for one request; the
// fetcher (src/fetch/upstream.ts) keeps the guard, the limiters, the deadline, the
// per-probe budget, the cache and the coalescing for every protocol alike, and the
// answer goes to the same parsers and mapping.
//
// Adding a protocol: its own file implementing Protocol, and one line in PROTOCOLS.
import type { Auth } from '../auth/types.js';
import type { Connections } from '../fetch/connections.js';
import type { Deadline } from '../fetch/deadline.js';
import type { FetchSpec } from '../fetch/upstream.js';
import type { SampleSet } from '../metrics/samples.js';
import type { CompiledModule, CompiledRequest } from '../probe/plan.js';
import type { ModuleRun } from '../probe/resolve.js';
import type { ResolvedTarget } from '../probe/target.js';
import { http } from './http.js';
import { tcp } from './tcp-request.js';

/** One request about to be sent, with what the probe gives every protocol. */
export interface Sending {
  run: ModuleRun;
  req: CompiledRequest;
  url: URL;
  connections: Connections;
  probeLimit: <T>(fn: () => Promise<T>) => Promise<T>;
  signal: Deadline;
  take: (bytes: number) => string | undefined;
}

export interface Protocol {
  readonly name: string;
  /**
   * probe_http_status_code applies (HTTP answers have a status). Every protocol has
   * probe_request_success, probe_request_duration_seconds and probe_response_bytes.
   */
  readonly statusCode: boolean;
  /**
   * Why this auth cannot go with the module's requests, when it cannot (refused at load for
   * a module's default auth, with a 400 for one the probe names); undefined: it can.
   */
  refusesAuth(auth: Auth): string | undefined;
  /** The `target` parameter → where the module's requests go; throws TargetError (a 400). */
  resolveTarget(raw: string, mod: CompiledModule): ResolvedTarget;
  /** The address of a request that follows nothing, built from the probe's parameters; throws ParamError (a 400). */
  address(mod: CompiledModule, req: CompiledRequest, target: ResolvedTarget, params: Readonly<Record<string, string>>): URL;
  /** What the fetcher does for one request. */
  fetchSpec(s: Sending): FetchSpec;
  /**
   * The TLS meta-metrics of a module run, once its requests are done; says whether they
   * went out unverified (credentials sent so count as insecure).
   */
  tlsSamples(run: ModuleRun, connections: Connections, meta: SampleSet): { unverified: boolean };
  /** The request as the probe log names it: `GET /redfish/v1`, `tcp 127.0.0.1:3493 LIST VAR ups`. */
  describe(req: CompiledRequest, url: URL): string;
}

export const PROTOCOLS = {
  http,
  tcp,
} as const satisfies Record<string, Protocol>;

export type ProtocolName = keyof typeof PROTOCOLS;

export function protocolOf(mod: CompiledModule): Protocol {
  return PROTOCOLS[mod.protocol];
}
