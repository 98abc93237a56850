// Certificate pins: SHA-256 fingerprints of a device's certificate or of its public
// key, parsed at config load, checked on the peer certificate of every connection.
import { createHash, X509Certificate } from 'node:crypto';

/**
 * `cert`: SHA-256 of the certificate (DER), what `openssl x509 -fingerprint -sha256`
 * and browsers show. `spki`: SHA-256 of the SubjectPublicKeyInfo (DER), HPKP's
 * pin-sha256 and curl's --pinnedpubkey: it survives a certificate renewed with the
 * same key.
 */
export interface Pin {
  kind: 'cert' | 'spki';
  /** 32 bytes as 64 lowercase hex digits. */
  hex: string;
}

/** The pins one setting lists (module, auth, pins file): a peer must match one of them. */
export interface PinSet {
  /** Where the pins come from, for messages: `tls.pins of module redfish`. */
  source: string;
  pins: Pin[];
}

export class PinError extends Error {}

const HEX = /^[0-9a-fA-F]{64}$/;
const COLON_HEX = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){31}$/;
const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/;

export const PIN_FORMS = 'AB:CD:… or 64 hex digits (SHA-256 of the certificate), spki:<64 hex digits> or sha256/<base64> (SHA-256 of the public key)';

function hexOf(text: string): string | undefined {
  if (HEX.test(text)) return text.toLowerCase();
  if (COLON_HEX.test(text)) return text.replaceAll(':', '').toLowerCase();
  return undefined;
}

/**
 * A pin as written in the configuration:
 *   `AB:CD:…` or `abcd…` (64 hex digits, colons optional, optional `cert:` before):
 *     SHA-256 of the certificate;
 *   `spki:AB:CD:…` or `spki:abcd…`, or `sha256/<base64>`: SHA-256 of the public key.
 */
export function parsePin(raw: string): Pin {
  const text = raw.trim();
  if (text.startsWith('sha256/')) {
    const b64 = text.slice('sha256/'.length);
    if (!BASE64_32.test(b64)) throw new PinError(`${JSON.stringify(raw)} is not a fingerprint: sha256/ is followed by 44 characters of base64 (32 bytes)`);
    return { kind: 'spki', hex: Buffer.from(b64, 'base64').toString('hex') };
  }
  const m = /^(cert|spki):(.*)$/i.exec(text);
  const kind = m ? (m[1]!.toLowerCase() as Pin['kind']) : 'cert';
  const hex = hexOf(m ? m[2]!.trim() : text);
  if (hex === undefined) throw new PinError(`${JSON.stringify(raw)} is not a fingerprint (expected ${PIN_FORMS})`);
  return { kind, hex };
}

/** How a pin is shown: the public key's as sha256/<base64>, the certificate's as colon hex. */
export function formatPin(pin: Pin): string {
  if (pin.kind === 'spki') return `sha256/${Buffer.from(pin.hex, 'hex').toString('base64')}`;
  return pin.hex.toUpperCase().match(/../g)!.join(':');
}

/** What is pinned of a peer certificate, computed once per connection. */
export interface PeerIdentity {
  certHex: string;
  spkiHex: string;
  /** notAfter, in unix seconds. */
  expiry: number;
}

/** Certificates seen lately, by their SHA-256: parsing one costs a hundred times more than hashing it. */
const identities = new Map<string, PeerIdentity>();
const IDENTITIES_MAX = 10_000;

export function identityOf(der: Buffer): PeerIdentity {
  const certHex = createHash('sha256').update(der).digest('hex');
  const known = identities.get(certHex);
  if (known) return known;
  const x = new X509Certificate(der);
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  const identity = {
    certHex,
    spkiHex: createHash('sha256').update(spki).digest('hex'),
    expiry: Math.floor(new Date(x.validTo).getTime() / 1000),
  };
  if (identities.size >= IDENTITIES_MAX) identities.delete(identities.keys().next().value!);
  identities.set(certHex, identity);
  return identity;
}

export function matches(set: PinSet, peer: PeerIdentity): boolean {
  return set.pins.some((p) => p.hex === (p.kind === 'cert' ? peer.certHex : peer.spkiHex));
}

/** The public key's pin of a peer, as the known hosts file and messages write it. */
export function spkiPin(peer: PeerIdentity): string {
  return formatPin({ kind: 'spki', hex: peer.spkiHex });
}
