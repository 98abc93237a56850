// What a fetch asks of credentials: an auth adds them to a request and may renew them
// once the device answered. The kinds (auth/) implement it; fetch/ needs only this.
import type { IncomingHttpHeaders } from 'node:http';
import type { Deadline } from './deadline.js';
import type { HostMatcher } from './guard.js';
import type { Transport } from './transport.js';
import type { AuthSpec } from '../spec/schema.js';

/**
 * The kinds of credentials: each key of an `auths:` entry but targets and tls, which go
 * with every kind; `tls` is a client certificate alone.
 */
export type AuthKindName = Exclude<keyof AuthSpec, 'targets' | 'tls'> | 'tls';

/** A request as the device will see it, credentials included. */
export interface Outgoing {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface Answer {
  ok: boolean;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer | undefined;
  error: string | undefined;
}

/**
 * Sends a request to the same device, through the limiters, without credentials of
 * its own. `detached`: not bound to the probe's deadline (a logout outliving it).
 */
export type Send = (req: Outgoing, opts?: { detached?: boolean }) => Promise<Answer>;

export interface Credentials {
  headers: Record<string, string>;
  url: URL;
  /**
   * After the device answered: true when the credentials were renewed (a digest
   * challenge, an expired session) and the request should be sent once more.
   */
  renew(answer: Answer): Promise<boolean>;
}

export interface AuthStats {
  logins: Map<string, number>;
  sessionsActive(): number;
}

export interface Auth {
  readonly name: string;
  readonly kind: AuthKindName;
  /** Where these credentials may be sent; undefined: any target the exporter may reach. */
  readonly targets: HostMatcher | undefined;
  /** TLS settings that go with these credentials (client certificates). */
  readonly transport: Transport | undefined;
  /**
   * Adds credentials to a request to `origin`; throws AuthError with a message free of
   * secrets. `deadline`: the probe's, for credentials fetched from elsewhere (an OAuth 2.0
   * token endpoint) that the request waits for; `send` carries it for the device itself.
   */
  apply(req: Outgoing, send: Send, deadline?: Deadline): Promise<Credentials>;
  /**
   * The username and password themselves, for a protocol that logs in with them (a TCP
   * login line); only an auth made of them has it (basic).
   */
  userPassword?(): Promise<{ username: string; password: string }>;
  /** Ends every session (on shutdown). */
  close(): Promise<void>;
  /** What it keeps per device origin (digest challenges, sessions), for the exporter's metrics. */
  readonly originState?: { readonly size: number; readonly evictions: number };
}

export class AuthError extends Error {}

export function header(headers: IncomingHttpHeaders, name: string): string[] {
  const v = headers[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
