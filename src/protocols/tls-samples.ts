// What a probe says about the certificate of the device it talked to.
import type { Connections } from '../fetch/connections.js';
import type { SampleSet } from '../metrics/samples.js';
import type { Transport } from '../fetch/transport.js';
import type { PeerInfo } from '../tls/verify.js';
import type { ResolvedTarget } from './target.js';

/**
 * probe_tls_cert_expiry_timestamp_seconds and probe_tls_verification_info{mode}, from
 * the last connection the module's transport opened to the target. Returns whether
 * the module's requests went out unverified (plain HTTP, or TLS with nothing checked).
 */
export function tlsSamples(run: { target: ResolvedTarget; transport: Transport }, connections: Connections, meta: SampleSet): { unverified: boolean } {
  if (run.target.base.protocol !== 'https:') return { unverified: true };
  const peer = connections.peers.get(run.transport.key, run.target.key);
  if (!peer) return { unverified: false };
  peerSamples(peer, meta);
  return { unverified: peer.mode === 'none' };
}

/** The two series of a peer's certificate, for any protocol that records its peers. */
export function peerSamples(peer: PeerInfo, meta: SampleSet): void {
  if (Number.isFinite(peer.expiry)) {
    meta.add('probe_tls_cert_expiry_timestamp_seconds', 'When the certificate the device presented expires (notAfter), in unix seconds', 'gauge', [], [], peer.expiry);
  }
  meta.add('probe_tls_verification_info', 'How the device\'s certificate was verified: ca (chain to a CA), pin (tls.pins or the pins file), first_use (the key first seen), none (insecure_skip_verify)',
    'info', ['mode'], [peer.mode], 1);
}
