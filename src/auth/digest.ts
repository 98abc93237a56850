// HTTP Digest access authentication (RFC 7616), MD5 and SHA-256, qop=auth.
import { createHash, randomBytes } from 'node:crypto';
import { header, type Answer, type Auth, type Credentials, type Outgoing } from '../fetch/credentials.js';
import type { AuthKind } from './kind.js';
import { OriginState, type OriginStateLimits } from './origin-state.js';
import { plain, reveal, secretOf, type Secret } from './secret.js';

export interface Challenge {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  qop: string | undefined;
  algorithm: 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';
  stale: boolean;
}

/** The best Digest challenge among WWW-Authenticate values (SHA-256 over MD5), if any. */
export function parseChallenges(values: readonly string[]): Challenge | undefined {
  const found: Challenge[] = [];
  for (const value of values) {
    for (const { scheme, params } of challengesIn(value)) {
      if (scheme.toLowerCase() !== 'digest') continue;
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

export interface ParsedChallenge {
  scheme: string;
  /** Parameter names in lower case; a later one of the same name wins. */
  params: Record<string, string>;
}

// RFC 7235 §2.1 and §4.1 (tchar: RFC 7230 §3.2.6), by character code.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;
const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const isTchar = (code: number): boolean => code < 128 && TCHAR[code] === 1;

/**
 * The challenges in one WWW-Authenticate value: `scheme [param=value, …]`, several
 * separated by commas. A hand tokenizer, one pass, each character looked at a bounded
 * number of times: the header comes from the device, and a regex splitter backtracked
 * over long runs of spaces (0.3 s on 15 KB). Lenient as devices need: an unquoted
 * value runs to the next space or comma, an unterminated quoted string to the end,
 * and what fits nowhere (a token68, stray characters) is skipped.
 */
export function challengesIn(value: string): ParsedChallenge[] {
  const out: ParsedChallenge[] = [];
  let current: ParsedChallenge | undefined;
  const n = value.length;
  // NaN past the end: no test below holds for it.
  const at = (k: number): number => value.charCodeAt(k);
  let i = 0;
  while (i < n) {
    const c = at(i);
    if (c === COMMA || c === SP || c === HTAB) {
      i++;
      continue;
    }
    const start = i;
    while (isTchar(at(i))) i++;
    if (i === start) {
      i++;
      continue;
    }
    const token = value.slice(start, i);
    while (at(i) === SP || at(i) === HTAB) i++;
    if (at(i) !== EQUALS) {
      current = { scheme: token, params: {} };
      out.push(current);
      continue;
    }
    i++;
    while (at(i) === SP || at(i) === HTAB) i++;
    let v = '';
    if (at(i) === DQUOTE) {
      i++;
      let from = i;
      while (i < n && at(i) !== DQUOTE) {
        if (at(i) === BACKSLASH && i + 1 < n) {
          v += value.slice(from, i);
          from = ++i;
        }
        i++;
      }
      v += value.slice(from, i);
      i++;
    } else {
      const from = i;
      while (i < n && at(i) !== COMMA && at(i) !== SP && at(i) !== HTAB) i++;
      v = value.slice(from, i);
    }
    if (current) current.params[token.toLowerCase()] = v;
  }
  return out;
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

export const digest: AuthKind<'digest'> = {
  kind: 'digest',
  compile(s, { base, resolvePath, report }) {
    const username = plain(s.username, ['digest', 'username'], report);
    const password = secretOf(s, 'password', resolvePath, ['digest'], report);
    if (username === undefined || !password) return undefined;
    return { ...base, kind: 'digest', ...digestAuth(username, password) };
  },
};

const NONCE_USES = 10_000;

/**
 * Digest challenges one auth keeps: ~4,000 devices, their realms, nonces and opaques
 * (from the device) 4 Mi characters in all, each kept 10 minutes after its last use; a
 * device whose challenge was dropped answers the next request with a 401 and a new one.
 */
export const DIGEST_LIMITS: OriginStateLimits = { maxOrigins: 4096, maxChars: 4 * 1024 * 1024, ttlMs: 10 * 60 * 1000, sliding: true };

export function digestAuth(username: string, password: Secret, limits: OriginStateLimits = DIGEST_LIMITS): Pick<Auth, 'apply' | 'close'> & { originState: { readonly size: number; readonly evictions: number } } {
  // The last challenge per device, so that later requests answer it at once instead
  // of taking a 401 first every time.
  const challenges = new OriginState<{ challenge: Challenge; nc: number }>(limits, ({ challenge: c }) => c.realm.length + c.nonce.length + (c.opaque?.length ?? 0));
  return {
    originState: challenges,
    close: () => {
      challenges.takeAll();
      return Promise.resolve();
    },
    async apply(req: Outgoing): Promise<Credentials> {
      const origin = req.url.origin;
      const uri = req.url.pathname + req.url.search;
      const state = challenges.get(origin);
      const pass = await reveal(password);
      const headers: Record<string, string> = {};
      if (state && state.nc < NONCE_USES) {
        state.nc++;
        headers['authorization'] = authorization(state.challenge, username, pass, req.method, uri, state.nc);
      }
      return {
        headers,
        url: req.url,
        renew(answer: Answer): Promise<boolean> {
          if (answer.status !== 401) return Promise.resolve(false);
          const challenge = parseChallenges(header(answer.headers, 'www-authenticate'));
          if (!challenge) return Promise.resolve(false);
          // Sent once more at most (the caller retries once): a wrong password ends in a 401.
          challenges.set(origin, { challenge, nc: 0 });
          return Promise.resolve(true);
        },
      };
    },
  };
}
