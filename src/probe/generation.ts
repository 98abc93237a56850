// A configuration generation: everything probes run on (modules, credentials, target
// guard, connections), replaced as a whole on reload. It lives with the probe, which
// reads it; config/load.ts builds it from the files.
import type { Auth } from '../fetch/credentials.js';
import type { Connections } from '../fetch/connections.js';
import type { TargetGuard, TargetRules } from '../fetch/guard.js';
import type { Transport } from '../fetch/transport.js';
import type { Trust } from '../tls/verify.js';
import type { CompiledModule } from '../module/plan.js';

/** One configuration generation. */
export interface Config {
  file: string;
  /** Every file the configuration was read from: the main file, then the included ones. */
  files: string[];
  modules: Map<string, CompiledModule>;
  auths: Map<string, Auth>;
  targets: TargetRules;
  guard: TargetGuard;
  /** This generation's connections to devices, made through `guard`. */
  connections: Connections;
  /** The pins file and the known hosts (trust: first_use). */
  trust: Trust;
  /** The transport of a module's requests made with an auth (its client certificate over the module's TLS settings). */
  transportFor(module: CompiledModule, auth: Auth | undefined): Transport;
  /** Logs out the generation's sessions, then closes its connections. */
  close(): Promise<void>;
}
