// The check of a device's certificate, made when its connection is opened and before
// the connection is handed to the HTTP client: a connection whose peer does not pass
// is destroyed there, so no request (no password, no token) is ever written on it.
import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import { deviceHost } from '../net/address.js';
import { KnownHosts } from './known-hosts.js';
import { formatPin, identityOf, matches, spkiPin, type PinSet } from './pins.js';

/** How a transport verifies its peers (compiled from a module's or an auth's tls:). */
export interface VerifyPolicy {
  /**
   * Whether the chain (and the name) is verified against the CAs: `always` when a CA is
   * given; `never` with insecure_skip_verify, or when pins or first use replace it;
   * `unless_pinned` by default (the system CAs, unless the pins file lists the device).
   */
  chain: 'always' | 'never' | 'unless_pinned';
  /** Every set must be matched (one pin of each). */
  pins: PinSet[];
  firstUse: boolean;
}

export type VerificationMode = 'ca' | 'pin' | 'first_use' | 'none';

export interface PeerInfo {
  mode: VerificationMode;
  /** The certificate's notAfter, in unix seconds. */
  expiry: number;
}

/** What a configuration generation trusts besides its transports: the pins file, the known hosts. */
export interface Trust {
  /** tls.pins_file of apiprobe.yml: device (host:port) → its pins. */
  targetPins: ReadonlyMap<string, PinSet>;
  knownHosts: KnownHosts;
}

export const NO_TRUST: Trust = { targetPins: new Map(), knownHosts: new KnownHosts(undefined) };

/** What is checked on a connection to `device`. */
export function planFor(v: VerifyPolicy, device: string, trust: Trust): { chain: boolean; pins: PinSet[]; firstUse: boolean; mode: VerificationMode } {
  const listed = trust.targetPins.get(device);
  const chain = v.chain === 'always' || (v.chain === 'unless_pinned' && listed === undefined);
  const pins = listed ? [...v.pins, listed] : v.pins;
  // Pins decide where there are any; first use is for the devices nobody pinned.
  const firstUse = v.firstUse && pins.length === 0;
  const mode: VerificationMode = pins.length ? 'pin' : firstUse ? 'first_use' : chain ? 'ca' : 'none';
  return { chain, pins, firstUse, mode };
}

/** The device a connection goes to, spelt as the probe's target key (host:port). */
export function deviceKey(hostname: string, port: string | number | undefined, protocol: string): string {
  // undici connects to an IPv6 literal without its brackets; targets are written with them.
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  return `${deviceHost(host)}:${port || (protocol === 'https:' ? 443 : 80)}`;
}

/** A connection refused by a pin or by the known hosts. */
export class PeerRefused extends Error {}

/** The peers verified lately, per transport and device, for the probe's meta-metrics. */
export class PeerLog {
  private readonly peers = new Map<string, PeerInfo>();

  constructor(readonly max = 10_000) {}

  get size(): number {
    return this.peers.size;
  }

  record(transportKey: string, device: string, info: PeerInfo): void {
    const key = `${transportKey}\n${device}`;
    this.peers.delete(key);
    if (this.peers.size >= this.max) this.peers.delete(this.peers.keys().next().value!);
    this.peers.set(key, info);
  }

  forget(transportKey: string, device: string): void {
    this.peers.delete(`${transportKey}\n${device}`);
  }

  get(transportKey: string, device: string): PeerInfo | undefined {
    return this.peers.get(`${transportKey}\n${device}`);
  }
}

type Connect = buildConnector.connector;
type Callback = buildConnector.Callback;
type ConnectOptions = buildConnector.Options;

/**
 * undici's connector for `tls` settings, with the peer checked as `verify` and `trust`
 * say. `device`: the host the request named (the connection itself goes to the
 * address the target guard vetted).
 */
export function verifyingConnector(
  transportKey: string,
  tls: Record<string, unknown>,
  verify: VerifyPolicy,
  trust: Trust,
  peers: PeerLog,
  timeout: number,
): (opts: ConnectOptions, callback: Callback, device: string) => void {
  const strict: Connect = buildConnector({ ...tls, rejectUnauthorized: true, timeout });
  // Without a chain to verify, resumed sessions are not offered: every connection
  // shows its certificate in a full handshake, and is checked on it.
  let lax: Connect | undefined;
  return (opts, callback, hostname) => {
    if (opts.protocol !== 'https:') return strict(opts, callback);
    const device = deviceKey(hostname, opts.port, opts.protocol);
    const plan = planFor(verify, device, trust);
    const connect = plan.chain ? strict : (lax ??= buildConnector({ ...tls, rejectUnauthorized: false, maxCachedSessions: 0, timeout }));
    connect(opts, (err, socket) => {
      if (err !== null) return callback(err, null);
      const verdict = checkPeer(socket as TLSSocket, device, plan, trust);
      if (!verdict.ok) {
        peers.forget(transportKey, device);
        socket.destroy();
        return callback(new PeerRefused(verdict.reason), null);
      }
      peers.record(transportKey, device, verdict.info);
      callback(null, socket);
    });
  };
}

/**
 * The peer of a connection whose handshake is done, checked as `plan` says (pins, first use;
 * the chain was checked by the handshake itself when `plan.chain`). Used by the HTTP
 * connector above and by TCP requests over TLS (src/protocols/tcp-request.ts).
 */
export function checkPeer(socket: TLSSocket, device: string, plan: ReturnType<typeof planFor>, trust: Trust): { ok: true; info: PeerInfo } | { ok: false; reason: string } {
  const cert = socket.getPeerCertificate(false) as { raw?: Buffer; valid_to?: string } | undefined;
  if (!cert?.raw) return plan.mode === 'ca' || plan.mode === 'none' ? { ok: true, info: { mode: plan.mode, expiry: NaN } } : { ok: false, reason: `${device} presented no certificate` };
  if (plan.pins.length === 0 && !plan.firstUse) {
    return { ok: true, info: { mode: plan.mode, expiry: Math.floor(Date.parse(cert.valid_to ?? '') / 1000) } };
  }
  const peer = identityOf(cert.raw);
  for (const set of plan.pins) {
    if (!matches(set, peer)) {
      return {
        ok: false,
        reason: `the certificate of ${device} matches no pin of ${set.source} (it presented public key ${spkiPin(peer)}, certificate ${formatPin({ kind: 'cert', hex: peer.certHex })}); credentials were not sent`,
      };
    }
  }
  if (plan.firstUse) {
    const r = trust.knownHosts.check(device, spkiPin(peer));
    if (!r.ok) return r;
  }
  return { ok: true, info: { mode: plan.mode, expiry: peer.expiry } };
}
