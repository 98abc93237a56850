// What a protocol is (src/protocols/index.ts holds the registry): the run it sends for,
// one request about to be sent, and the interface each protocol implements.
import type { Auth } from '../fetch/credentials.js';
import type { Connections } from '../fetch/connections.js';
import type { Deadline } from '../fetch/deadline.js';
import type { Transport } from '../fetch/transport.js';
import type { FetchSpec } from '../fetch/upstream.js';
import type { SampleSet } from '../metrics/samples.js';
import type { CompiledModule, CompiledRequest } from '../module/plan.js';
import type { ResolvedTarget } from './target.js';

/** One module of a probe, with everything its requests need. */
export interface ModuleRun {
  module: CompiledModule;
  target: ResolvedTarget;
  auth: Auth | undefined;
  /** The module's TLS and proxy settings, with the auth's client certificate if it has one. */
  transport: Transport;
  /** Values of the module's params for this probe. */
  params: Readonly<Record<string, string>>;
  /** The URL of each request that follows nothing, built from the params: on the target's origin. */
  urls: ReadonlyMap<string, URL>;
  /** The body of each request that has one, filled with the params. */
  bodies: ReadonlyMap<string, string>;
}

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
  describe(req: CompiledRequest, url: URL, params: Readonly<Record<string, string>>): string;
}

