// TLS and proxy settings of a module (and of an auth, for client certificates),
// compiled at config load: files are read once here.
import { readFileSync } from 'node:fs';
import type { TlsSpec } from '../config/schema.js';

export interface Transport {
  /** Identifies the settings: requests with equal keys share a connection pool. */
  key: string;
  tls: { rejectUnauthorized: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string };
  proxyUrl: string | undefined;
  /** Follow HTTP redirects (the module's follow_redirects). */
  followRedirects: boolean;
}

export class TransportError extends Error {
  constructor(readonly field: string, message: string) {
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

export function compileTransport(tls: TlsSpec | undefined, proxyUrl: string | undefined, resolvePath: (p: string) => string, followRedirects = false): Transport {
  const out: Transport['tls'] = { rejectUnauthorized: !(tls?.insecure_skip_verify ?? false) };
  if (tls?.ca_file) out.ca = read(resolvePath(tls.ca_file), 'ca_file');
  if (tls?.cert_file) out.cert = read(resolvePath(tls.cert_file), 'cert_file');
  if (tls?.key_file) out.key = read(resolvePath(tls.key_file), 'key_file');
  if ((out.cert === undefined) !== (out.key === undefined)) throw new TransportError(out.cert ? 'key_file' : 'cert_file', 'cert_file and key_file go together');
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
  const key = JSON.stringify([out.rejectUnauthorized, tls?.ca_file, tls?.cert_file, tls?.key_file, tls?.server_name, proxyUrl, followRedirects]);
  return { key, tls: out, proxyUrl, followRedirects };
}

/** Auth TLS settings (client certificates) over the module's. */
export function mergeTransport(module: Transport, auth: Transport | undefined): Transport {
  if (!auth) return module;
  return { key: `${module.key}+${auth.key}`, tls: { ...module.tls, ...auth.tls, rejectUnauthorized: module.tls.rejectUnauthorized && auth.tls.rejectUnauthorized }, proxyUrl: module.proxyUrl, followRedirects: module.followRedirects };
}
