// The kinds of credentials, compiled from `auths:` at config load.
import { HostMatcher, RuleError } from '../fetch/guard.js';
import { withQueryParam } from '../fetch/query.js';
import { compileTransport, TransportError, type Transport } from '../fetch/transport.js';
import type { AuthSpec, OAuth2Spec } from '../spec/schema.js';
import { expandEnv, reveal, Secret } from './secret.js';
import { authorization, parseChallenges, type Challenge } from './digest.js';
import { OAuth2Auth } from './oauth2.js';
import { OriginState, type OriginStateLimits } from './origin-state.js';
import { SessionAuth } from './session.js';
import { header, type Answer, type Auth, type Credentials, type Outgoing, type Send } from '../fetch/credentials.js';

export type Report = (path: ReadonlyArray<PropertyKey>, message: string) => void;

const NO_RENEW = (): Promise<boolean> => Promise.resolve(false);

/** A secret from `field` (literal, ${ENV} expanded) or `field_file` (relative to the config). */
export function secretOf(spec: Record<string, unknown>, field: string, resolvePath: (p: string) => string, at: PropertyKey[], report: Report): Secret | undefined {
  const literal = spec[field];
  const file = spec[`${field}_file`];
  if (typeof literal === 'string' && typeof file === 'string') {
    report([...at, `${field}_file`], `give ${field} or ${field}_file, not both`);
    return undefined;
  }
  if (typeof file === 'string') return Secret.file(resolvePath(file));
  if (typeof literal === 'string') {
    const { value, missing } = expandEnv(literal);
    if (missing.length) {
      report([...at, field], `environment variable ${missing.join(', ')} is not set`);
      return undefined;
    }
    return Secret.literal(value);
  }
  report(at, `${field} or ${field}_file is required`);
  return undefined;
}

function plain(text: string, at: PropertyKey[], report: Report): string | undefined {
  const { value, missing } = expandEnv(text);
  if (missing.length) {
    report(at, `environment variable ${missing.join(', ')} is not set`);
    return undefined;
  }
  return value;
}

export function compileAuth(name: string, spec: AuthSpec, resolvePath: (p: string) => string, report: Report): Auth | undefined {
  const kinds = (['basic', 'digest', 'bearer', 'api_key', 'session', 'oauth2'] as const).filter((k) => spec[k] !== undefined);
  // A client certificate alone (tls: with cert_file and key_file) is credentials too.
  if (kinds.length !== 1 && !(kinds.length === 0 && (spec.tls?.cert_file !== undefined || spec.tls?.cert !== undefined))) {
    report([], kinds.length ? `one kind of credentials per auth, not ${kinds.join(' and ')}` : 'needs one of basic, digest, bearer, api_key, session, oauth2, or a client certificate (tls: cert_file and key_file, or cert and key)');
    return undefined;
  }
  let targets: HostMatcher | undefined;
  if (spec.targets) {
    try {
      targets = new HostMatcher(spec.targets);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      report(['targets'], err.message);
      return undefined;
    }
  }
  let transport: Transport | undefined;
  if (spec.tls) {
    try {
      transport = compileTransport(spec.tls, undefined, resolvePath, false, `auth ${name}`);
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      report(['tls', err.field, ...(err.index === undefined ? [] : [err.index])], err.message);
      return undefined;
    }
  }
  const base = { name, targets, transport };
  const kind = kinds[0] ?? 'tls';
  switch (kind) {
    case 'tls':
      return { ...base, kind, apply: (req) => Promise.resolve({ headers: {}, url: req.url, renew: NO_RENEW }), close: async () => {} };
    case 'basic': {
      const s = spec.basic!;
      const username = plain(s.username, ['basic', 'username'], report);
      const password = secretOf(s, 'password', resolvePath, ['basic'], report);
      if (username === undefined || !password) return undefined;
      return {
        ...base,
        kind,
        async apply(req) {
          const value = Buffer.from(`${username}:${await reveal(password)}`).toString('base64');
          return { headers: { authorization: `Basic ${value}` }, url: req.url, renew: NO_RENEW };
        },
        close: async () => {},
      };
    }
    case 'bearer': {
      const token = secretOf(spec.bearer!, 'token', resolvePath, ['bearer'], report);
      if (!token) return undefined;
      return {
        ...base,
        kind,
        async apply(req) {
          return { headers: { authorization: `Bearer ${await reveal(token)}` }, url: req.url, renew: NO_RENEW };
        },
        close: async () => {},
      };
    }
    case 'api_key': {
      const s = spec.api_key!;
      if ((s.header === undefined) === (s.query === undefined)) {
        report(['api_key'], 'give header or query (where the key goes), one of them');
        return undefined;
      }
      const value = secretOf(s, 'value', resolvePath, ['api_key'], report);
      if (!value) return undefined;
      return {
        ...base,
        kind,
        async apply(req) {
          const key = await reveal(value);
          if (s.header !== undefined) return { headers: { [s.header.toLowerCase()]: key }, url: req.url, renew: NO_RENEW };
          return { headers: {}, url: withQueryParam(req.url, s.query!, key), renew: NO_RENEW };
        },
        close: async () => {},
      };
    }
    case 'digest': {
      const s = spec.digest!;
      const username = plain(s.username, ['digest', 'username'], report);
      const password = secretOf(s, 'password', resolvePath, ['digest'], report);
      if (username === undefined || !password) return undefined;
      return { ...base, kind, ...digestAuth(username, password) };
    }
    case 'session': {
      const s = spec.session!;
      const username = plain(s.username, ['session', 'username'], report);
      const password = secretOf(s, 'password', resolvePath, ['session'], report);
      const tokenFrom = Object.entries(s.token).filter(([, v]) => v !== undefined);
      const useIn = Object.entries(s.use).filter(([k, v]) => v !== undefined && k !== 'prefix');
      let ok = username !== undefined && !!password;
      if (tokenFrom.length !== 1) {
        report(['session', 'token'], 'give one of header, json, cookie: where the login answer holds the token');
        ok = false;
      }
      if (useIn.length !== 1) {
        report(['session', 'use'], 'give one of header, cookie, query: where later requests carry the token');
        ok = false;
      }
      if ([s.login.body, s.login.json, s.login.form].filter((b) => b !== undefined).length > 1) {
        report(['session', 'login'], 'give one of body, json, form');
        ok = false;
      }
      if (s.logout && (s.logout.path === undefined) === !s.logout.location) {
        report(['session', 'logout'], 'give path, or location: true, one of them');
        ok = false;
      }
      if (!ok) return undefined;
      try {
        return new SessionAuth(name, targets, transport, s, username!, password!);
      } catch (err) {
        report(['session', 'token', 'json'], (err as Error).message);
        return undefined;
      }
    }
    case 'oauth2':
      return oauth2Auth(name, spec.oauth2!, { targets, transport }, resolvePath, report);
  }
}

function oauth2Auth(name: string, s: OAuth2Spec, base: { targets: HostMatcher | undefined; transport: Transport | undefined }, resolvePath: (p: string) => string, report: Report): Auth | undefined {
  let ok = true;
  const fail: Report = (p, message) => {
    ok = false;
    report(['oauth2', ...p], message);
  };
  const clientId = plain(s.client_id, ['oauth2', 'client_id'], report);
  if (clientId === '') fail(['client_id'], 'client_id is empty');
  const clientSecret = secretOf(s, 'client_secret', resolvePath, ['oauth2'], report);
  let tokenUrl: URL | undefined;
  try {
    tokenUrl = new URL(s.token_url);
  } catch {
    fail(['token_url'], `${JSON.stringify(s.token_url)} is not a URL`);
  }
  if (tokenUrl) {
    if (tokenUrl.protocol !== 'http:' && tokenUrl.protocol !== 'https:') fail(['token_url'], `token_url must be an http:// or https:// URL, not ${tokenUrl.protocol}`);
    else if (tokenUrl.username !== '' || tokenUrl.password !== '') fail(['token_url'], 'token_url may not hold credentials: give client_id and client_secret');
    tokenUrl.hash = '';
  }
  // golang.org/x/oauth2 refuses the same clash when it asks for a token.
  if (s.endpoint_params?.['scope'] !== undefined && (s.scopes?.length ?? 0) > 0) fail(['endpoint_params', 'scope'], 'give the scopes in scopes or in endpoint_params, not both');
  let tokenTransport: Transport | undefined;
  // The token endpoint's connections are its own (oauth2.ts), not the devices'.
  if (s.tls?.pins !== undefined || s.tls?.trust !== undefined) fail(['tls', s.tls.pins !== undefined ? 'pins' : 'trust'], 'pins and trust are not checked on the token endpoint: give ca_file (or ca)');
  try {
    tokenTransport = compileTransport(s.tls, s.proxy_url, resolvePath);
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    fail(err.field === 'proxy_url' ? ['proxy_url'] : ['tls', err.field], err.message);
  }
  if (!ok || clientId === undefined || !clientSecret || !tokenUrl || !tokenTransport) return undefined;
  return new OAuth2Auth(name, base.targets, base.transport, {
    clientId,
    clientSecret,
    tokenUrl,
    scopes: s.scopes ?? [],
    endpointParams: s.endpoint_params ?? {},
    tokenTransport,
  });
}

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

export type { Auth, Send };
