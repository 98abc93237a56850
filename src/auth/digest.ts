// HTTP Digest access authentication (RFC 7616), MD5 and SHA-256, qop=auth.
import { createHash, randomBytes } from 'node:crypto';

export interface Challenge {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  qop: string | undefined;
  algorithm: 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';
  stale: boolean;
}

const PARAM = /([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;

/** The best Digest challenge among WWW-Authenticate values (SHA-256 over MD5), if any. */
export function parseChallenges(values: readonly string[]): Challenge | undefined {
  const found: Challenge[] = [];
  for (const value of values) {
    // One header may carry several challenges: split before each scheme name.
    for (const part of value.split(/,?\s*(?=\b(?:Digest|Basic|Bearer|Negotiate)\s)/i)) {
      const m = /^\s*Digest\s+(.*)$/is.exec(part);
      if (!m) continue;
      const params: Record<string, string> = {};
      for (const p of m[1]!.matchAll(PARAM)) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
      const algorithm = (params['algorithm'] ?? 'MD5').toUpperCase();
      const alg = algorithm === 'MD5' ? 'MD5' : algorithm === 'MD5-SESS' ? 'MD5-sess' : algorithm === 'SHA-256' ? 'SHA-256' : algorithm === 'SHA-256-SESS' ? 'SHA-256-sess' : undefined;
      if (!alg || params['realm'] === undefined || params['nonce'] === undefined) continue;
      const qops = params['qop']?.split(',').map((q) => q.trim());
      if (qops && !qops.includes('auth')) continue;
      found.push({ realm: params['realm'], nonce: params['nonce'], opaque: params['opaque'], qop: qops ? 'auth' : undefined, algorithm: alg, stale: params['stale']?.toLowerCase() === 'true' });
    }
  }
  return found.find((c) => c.algorithm.startsWith('SHA-256')) ?? found[0];
}

function hash(algorithm: Challenge['algorithm'], text: string): string {
  return createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5').update(text).digest('hex');
}

/** The Authorization header for one request. `nc` counts uses of the nonce, from 1. */
export function authorization(c: Challenge, username: string, password: string, method: string, uri: string, nc: number, cnonce = randomBytes(8).toString('hex')): string {
  let ha1 = hash(c.algorithm, `${username}:${c.realm}:${password}`);
  if (c.algorithm.endsWith('-sess')) ha1 = hash(c.algorithm, `${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = hash(c.algorithm, `${method}:${uri}`);
  const ncHex = nc.toString(16).padStart(8, '0');
  const response = c.qop ? hash(c.algorithm, `${ha1}:${c.nonce}:${ncHex}:${cnonce}:${c.qop}:${ha2}`) : hash(c.algorithm, `${ha1}:${c.nonce}:${ha2}`);
  const q = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [`username=${q(username)}`, `realm=${q(c.realm)}`, `nonce=${q(c.nonce)}`, `uri=${q(uri)}`, `algorithm=${c.algorithm}`, `response=${q(response)}`];
  if (c.qop) parts.push(`qop=${c.qop}`, `nc=${ncHex}`, `cnonce=${q(cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${q(c.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}
