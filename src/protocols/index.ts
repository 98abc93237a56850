// The protocol seam, in the spirit of blackbox_exporter's prober registry: every stage
// of a probe that depends on how a device is spoken to asks the module's protocol, and
// nothing else. A protocol resolves the `target` parameter its own way, builds the
// address of each request, and says what the fetcher is to do for one request; the
// fetcher (src/fetch/upstream.ts) keeps the guard, the limiters, the deadline, the
// per-probe budget, the cache and the coalescing for every protocol alike, and the
// answer goes to the same parsers and mapping.
//
// Adding a protocol: its own file implementing Protocol (./types.ts), and one line in
// PROTOCOLS; its name in CompiledModule['protocol'] (the compiler asks for it), and its
// request block in the module language (schema, compile step).
import type { CompiledModule } from '../module/plan.js';
import { http } from './http.js';
import { tcp } from './tcp-request.js';
import type { Protocol } from './types.js';

export type { ModuleRun, Protocol, Sending } from './types.js';

export const PROTOCOLS = {
  http,
  tcp,
} as const satisfies Record<CompiledModule['protocol'], Protocol>;

export type ProtocolName = keyof typeof PROTOCOLS;

export function protocolOf(mod: CompiledModule): Protocol {
  return PROTOCOLS[mod.protocol];
}
