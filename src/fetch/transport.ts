// TLS and proxy settings of a module (and of an auth, for client certificates),
// compiled at config load: files are read once here, inline PEM is checked here.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { TlsSpec } from '../spec/schema.js';
import { parsePin, PinError, type Pin } from '../tls/pins.js';
import type { VerifyPolicy } from '../tls/verify.js';

export interface Transport {
  /** Identifies the settings: requests with equal keys share a connection pool. */
  key: string;
  tls: { rejectUnauthorized: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string };
  proxyUrl: string | undefined;
  /** Follow HTTP redirects (the module's follow_redirects). */
  followRedirects: boolean;
  /** How the device's certificate is verified: CAs, pins, first use (src/tls/verify.ts). */
  verify: VerifyPolicy;
}

export class TransportError extends Error {
  /** `index`: the item of a list field (a pin) the problem is in. */
  constructor(readonly field: string, message: string, readonly index?: number) {
    super(message);
  }
}

function read(file: string, field: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TransportError(field, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/** Inline PEM certificates (a CA bundle, or a certificate and its chain): each must parse. */
function certificates(text: string, field: 'ca' | 'cert'): Buffer {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new TransportError(field, `${field} is not PEM text: no -----BEGIN CERTIFICATE----- block`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new TransportError(field, `${field}: certificate ${i + 1} of ${blocks.length} is not a valid PEM certificate`);
    }
  });
  return Buffer.from(text);
}

/** An inline private key; the message never quotes it. */
function privateKey(text: string): Buffer {
  try {
    createPrivateKey(text);
  } catch {
    throw new TransportError('key', 'key is not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1)');
  }
  return Buffer.from(text);
}

/** Where a TLS setting comes from, for the transport key: a file by name, inline text by digest. */
function origin(file: string | undefined, inline: string | undefined): string | undefined {
  if (inline !== undefined) return `sha256:${createHash('sha256').update(inline).digest('hex')}`;
  return file;
}

/** `owner`: whose settings these are (`module redfish`, `auth bmc`), for the messages of a refused peer. */
export function compileTransport(tls: TlsSpec | undefined, proxyUrl: string | undefined, resolvePath: (p: string) => string, followRedirects = false, owner = 'the module'): Transport {
  const verify = compileVerify(tls, proxyUrl, owner);
  const out: Transport['tls'] = { rejectUnauthorized: verify.chain !== 'never' };
  for (const field of ['ca', 'cert', 'key'] as const) {
    if (tls?.[field] !== undefined && tls[`${field}_file`] !== undefined) throw new TransportError(`${field}_file`, `give ${field} or ${field}_file, not both`);
  }
  if (tls?.ca !== undefined) out.ca = certificates(tls.ca, 'ca');
  else if (tls?.ca_file) out.ca = read(resolvePath(tls.ca_file), 'ca_file');
  if (tls?.cert !== undefined) out.cert = certificates(tls.cert, 'cert');
  else if (tls?.cert_file) out.cert = read(resolvePath(tls.cert_file), 'cert_file');
  if (tls?.key !== undefined) out.key = privateKey(tls.key);
  else if (tls?.key_file) out.key = read(resolvePath(tls.key_file), 'key_file');
  const certField = tls?.cert !== undefined ? 'cert' : 'cert_file';
  const keyField = tls?.key !== undefined ? 'key' : 'key_file';
  if ((out.cert === undefined) !== (out.key === undefined)) {
    throw new TransportError(out.cert ? keyField : certField, `a client certificate needs its key: give ${out.cert ? 'key or key_file' : 'cert or cert_file'} too`);
  }
  // A pair given inline is checked now rather than at the first handshake.
  if (out.cert && out.key && (tls?.cert !== undefined || tls?.key !== undefined)) {
    try {
      createSecureContext({ cert: out.cert, key: out.key });
    } catch {
      throw new TransportError(keyField, `the key does not belong to the client certificate (${certField})`);
    }
  }
  if (tls?.server_name) out.servername = tls.server_name;
  if (proxyUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(proxyUrl);
    } catch {
      throw new TransportError('proxy_url', `${JSON.stringify(proxyUrl)} is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TransportError('proxy_url', 'proxy_url must be an http:// or https:// URL');
  }
  const key = JSON.stringify([
    out.rejectUnauthorized, origin(tls?.ca_file, tls?.ca), origin(tls?.cert_file, tls?.cert), origin(tls?.key_file, tls?.key), tls?.server_name, proxyUrl, followRedirects,
    verify.chain, verify.firstUse, verify.pins.map((s) => s.pins.map((p) => `${p.kind}:${p.hex}`)),
  ]);
  return { key, tls: out, proxyUrl, followRedirects, verify };
}

function compileVerify(tls: TlsSpec | undefined, proxyUrl: string | undefined, owner: string): VerifyPolicy {
  const insecure = tls?.insecure_skip_verify ?? false;
  const firstUse = tls?.trust === 'first_use';
  const pins: Pin[] = [];
  (tls?.pins ?? []).forEach((raw, i) => {
    try {
      pins.push(parsePin(raw));
    } catch (err) {
      if (!(err instanceof PinError)) throw err;
      throw new TransportError('pins', err.message, i);
    }
  });
  if (tls?.trust !== undefined && insecure) {
    throw new TransportError('trust', `trust: ${tls.trust} checks the device's ${firstUse ? 'key' : 'certificate chain'} and insecure_skip_verify: true turns every check off: give one of them`);
  }
  if ((firstUse || pins.length) && proxyUrl !== undefined) {
    throw new TransportError(pins.length ? 'pins' : 'trust', 'pins and trust: first_use are checked on direct connections only, not through proxy_url: give ca_file (or ca) instead');
  }
  // A CA given, or trust: ca said: the chain is verified whatever else is.
  const ca = tls?.ca !== undefined || tls?.ca_file !== undefined || tls?.trust === 'ca';
  // Otherwise a pin, or the key seen first, stands in for the CA.
  const chain = insecure ? 'never' : ca ? 'always' : pins.length || firstUse ? 'never' : 'unless_pinned';
  return { chain, pins: pins.length ? [{ source: `tls.pins of ${owner}`, pins }] : [], firstUse: firstUse && !insecure };
}

/** Auth TLS settings (client certificates) over the module's. */
export function mergeTransport(module: Transport, auth: Transport | undefined): Transport {
  if (!auth) return module;
  // Both sides' pins must match: an auth's pins say where its credentials may go.
  const chains = [module.verify.chain, auth.verify.chain];
  const chain = chains.includes('never') ? 'never' : chains.includes('always') ? 'always' : 'unless_pinned';
  const verify: VerifyPolicy = { chain, pins: [...module.verify.pins, ...auth.verify.pins], firstUse: module.verify.firstUse || auth.verify.firstUse };
  return { key: `${module.key}+${auth.key}`, tls: { ...module.tls, ...auth.tls, rejectUnauthorized: module.tls.rejectUnauthorized && auth.tls.rejectUnauthorized }, proxyUrl: module.proxyUrl, followRedirects: module.followRedirects, verify };
}
