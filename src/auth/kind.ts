// What a kind of credentials is to the rest of the exporter: how its part of an
// `auths:` entry compiles, and what the exporter's own metrics read of it. One file per
// kind exports one of these; registry.ts holds them all.
import type { HostMatcher } from '../fetch/guard.js';
import type { Transport } from '../fetch/transport.js';
import type { Auth, AuthKindName } from '../fetch/credentials.js';
import type { AuthSpec } from '../spec/schema.js';

export type Report = (path: ReadonlyArray<PropertyKey>, message: string) => void;

export const NO_RENEW = (): Promise<boolean> => Promise.resolve(false);

/** What every kind shares: the auth's name, where it may be sent, its TLS settings. */
export interface AuthBase {
  name: string;
  targets: HostMatcher | undefined;
  transport: Transport | undefined;
}

export interface CompileContext {
  base: AuthBase;
  /** A file named by the configuration, relative to it. */
  resolvePath: (p: string) => string;
  /** A problem at a path within the `auths:` entry. */
  report: Report;
}

export interface Outcomes {
  ok: number;
  failed: number;
}

/**
 * The exporter's own metrics an auth kind keeps (read at scrape time, summed over the
 * auths of the kind and kept across reloads): `read` gets only auths of its kind.
 */
export interface KindMetrics {
  /** Gauges: one value per auth, summed. */
  gauges?: ReadonlyArray<{ name: string; help: string; read(auth: Auth): number }>;
  /** Counters {auth, result}: successes and failures each auth counts. */
  outcomes?: ReadonlyArray<{ name: string; help: string; read(auth: Auth): Outcomes | undefined }>;
}

/** A kind with its own key in an `auths:` entry; its schema fragment is AuthSchema's field of that name (spec/schema.ts). */
export interface AuthKind<K extends CredentialKey> {
  kind: K;
  compile(spec: NonNullable<AuthSpec[K]>, ctx: CompileContext): Auth | undefined;
  metrics?: KindMetrics;
}

/** The keys of an `auths:` entry that name a kind of credentials (the others: targets, tls). */
export type CredentialKey = Exclude<AuthKindName, 'tls'>;
