// OAuth 2.0 client credentials (RFC 6749 §4.4): a token from the configured token
// endpoint, sent to devices as `Authorization: Bearer <token>`.
//
// One token per auth, not per device (client credentials name the client, not the
// device), shared by every probe: concurrent probes wait for one token request. A token
// with an expiry is replaced before it runs out: from min(60 s, 10% of its lifetime)
// before its end, the next use fetches a new one in the background and goes on with the
// old one; once half that margin is left the old one is no longer sent and uses wait
// for the new one. A token without expires_in is kept until a device answers 401 (or
// the client secret changes). A 401 from a device drops the token it was sent, once,
// and the request is sent again with a new one.
//
// The token endpoint is not a probed device: its requests go through an undici Agent
// of this auth (with the auth's TLS and proxy settings for it), not through the
// target rules or the device limiters, without redirects, within a fixed time and
// size. Neither the client secret nor a token appears in an error message: they name
// the token URL (origin and path), the HTTP status and the OAuth error code.
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { Deadline } from '../fetch/deadline.js';
import type { HostMatcher } from '../fetch/guard.js';
import type { Transport } from '../fetch/transport.js';
import { VERSION } from '../version.js';
import { compileTransport, TransportError } from '../fetch/transport.js';
import type { OAuth2Spec } from '../spec/schema.js';
import type { AuthBase, AuthKind, Report } from './kind.js';
import { plain, reveal, secretOf, type Secret } from './secret.js';
import { AuthError, type Answer, type Auth, type Credentials, type Outgoing, type Send } from '../fetch/credentials.js';

/** Time allowed to one token request, connection included. */
export const TOKEN_TIMEOUT_MS = 10_000;
/** Largest token response read (as golang.org/x/oauth2 reads). */
export const TOKEN_MAX_BYTES = 1 << 20;
/** A token is renewed once less than min(this, 10% of its lifetime) is left. */
const REFRESH_MARGIN_MS = 60_000;
/** After a failed background renewal, the old token is used this long before trying again. */
const REFRESH_RETRY_MS = 5_000;
/** How long before the probe's deadline a probe stops waiting for a token. */
const GIVE_UP_EARLY_MS = 100;

export interface OAuth2Settings {
  clientId: string;
  clientSecret: Secret;
  tokenUrl: URL;
  scopes: string[];
  endpointParams: Record<string, string>;
  /** TLS and proxy settings for the token endpoint. */
  tokenTransport: Transport;
  /** For tests: the time allowed to a token request, and the clock. */
  timeoutMs?: number;
  now?: () => number;
}

export interface OAuth2Counters {
  /** Token fetches (one may take two requests while the client authentication is detected). */
  tokens: { ok: number; failed: number };
}

interface Token {
  value: string;
  /** From when it is no longer sent (ms since the epoch); undefined: never. */
  expires: number | undefined;
  /** From when a new one is fetched in the background. */
  refreshAt: number | undefined;
  /** The client secret it was obtained with: a rotated secret gets a new token. */
  secret: string;
}

/** Where the client credentials go: golang.org/x/oauth2 tries the Basic header first, then the form. */
type ClientAuth = 'header' | 'body';

/** The endpoint refused the request (400, 401): it may want the client credentials elsewhere. */
class Refused extends AuthError {}

export class OAuth2Auth implements Auth {
  readonly kind = 'oauth2' as const;
  readonly counters: OAuth2Counters = { tokens: { ok: 0, failed: 0 } };
  private token: Token | undefined;
  private pending: Promise<Token> | undefined;
  private clientAuth: ClientAuth | undefined;
  private dispatcher: Dispatcher | undefined;
  private quietUntil = 0;
  private closed = false;
  /** The token URL as messages name it: no query, no credentials. */
  private readonly where: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    readonly targets: HostMatcher | undefined,
    readonly transport: Transport | undefined,
    private readonly settings: OAuth2Settings,
  ) {
    this.where = `${settings.tokenUrl.origin}${settings.tokenUrl.pathname}`;
    this.timeoutMs = settings.timeoutMs ?? TOKEN_TIMEOUT_MS;
    this.now = settings.now ?? Date.now;
  }

  async apply(req: Outgoing, _send: Send, deadline?: Deadline): Promise<Credentials> {
    const token = await this.current(deadline);
    return {
      headers: { authorization: `Bearer ${token.value}` },
      url: req.url,
      renew: async (answer: Answer): Promise<boolean> => {
        if (answer.status !== 401) return false;
        // Only the first request refused with this token drops it; the others wait for
        // the same new one (or take it, if it has come).
        if (this.token === token) this.token = undefined;
        await this.current(deadline);
        return true;
      },
    };
  }

  private async current(deadline: Deadline | undefined): Promise<Token> {
    if (this.closed) throw new AuthError('these credentials were closed (a reload or a shutdown)');
    const secret = await reveal(this.settings.clientSecret);
    const t = this.token;
    const now = this.now();
    if (t && t.secret === secret && (t.expires === undefined || now < t.expires)) {
      if (t.refreshAt !== undefined && now >= t.refreshAt && !this.pending && now >= this.quietUntil) {
        this.fetch(secret).catch(() => {
          this.quietUntil = this.now() + REFRESH_RETRY_MS;
        });
      }
      return t;
    }
    if (t && this.token === t) this.token = undefined;
    return this.wait(this.fetch(secret), deadline);
  }

  /** The token request in flight, or a new one. */
  private fetch(secret: string): Promise<Token> {
    if (this.pending) return this.pending;
    const p = this.obtain(secret).then(
      (t) => {
        this.counters.tokens.ok++;
        if (!this.closed) this.token = t;
        return t;
      },
      (err: unknown) => {
        this.counters.tokens.failed++;
        throw err instanceof AuthError ? err : new AuthError(`token request to ${this.where} failed: ${String(err)}`);
      },
    );
    this.pending = p;
    p.then(
      () => this.settled(p),
      () => this.settled(p),
    );
    return p;
  }

  private settled(p: Promise<Token>): void {
    if (this.pending === p) this.pending = undefined;
  }

  /**
   * The shared token request, or the caller's deadline, whichever comes first. A probe
   * gives up a moment before its deadline, so that its reason names the token endpoint
   * rather than the deadline alone.
   */
  private wait(p: Promise<Token>, deadline: Deadline | undefined): Promise<Token> {
    if (!deadline) return p;
    const late = (): AuthError => new AuthError(`no answer from the token endpoint ${this.where} before the probe's deadline`);
    if (deadline.aborted) return Promise.reject(late());
    let onAbort!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(late());
      deadline.once('abort', onAbort);
      if (deadline.due !== undefined) timer = setTimeout(onAbort, Math.max(0, deadline.due - performance.now() - GIVE_UP_EARLY_MS));
    });
    return Promise.race([p, aborted]).finally(() => {
      deadline.removeListener('abort', onAbort);
      clearTimeout(timer);
    });
  }

  private async obtain(secret: string): Promise<Token> {
    const started = this.now();
    const first = this.clientAuth ?? 'header';
    try {
      const t = await this.exchange(first, secret, started);
      this.clientAuth = first;
      return t;
    } catch (err) {
      // Until one way has worked, a refusal of the Basic header is tried again with
      // the credentials in the form, as golang.org/x/oauth2 does (some servers take
      // only one of them). A network error or a 5xx is not retried.
      if (this.clientAuth !== undefined || !(err instanceof Refused)) throw err;
    }
    const t = await this.exchange('body', secret, started);
    this.clientAuth = 'body';
    return t;
  }

  private async exchange(clientAuth: ClientAuth, secret: string, started: number): Promise<Token> {
    const { clientId, scopes, endpointParams } = this.settings;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scopes.length) form.set('scope', scopes.join(' '));
    // endpoint_params may replace grant_type, as in Prometheus (the load refuses the others it would clash with).
    for (const [k, v] of Object.entries(endpointParams)) form.set(k, v);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': `apiprobe/${VERSION}`,
    };
    if (clientAuth === 'header') {
      // RFC 6749 §2.3.1: form-encoded, then Basic.
      headers['authorization'] = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString('base64')}`;
    } else {
      if (clientId !== '') form.set('client_id', clientId);
      if (secret !== '') form.set('client_secret', secret);
    }
    const deadline = Deadline.after(this.timeoutMs);
    const late = (): AuthError => new AuthError(`no answer from the token endpoint ${this.where} within ${this.timeoutMs / 1000} s`);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.settings.tokenUrl, { dispatcher: this.agent(), method: 'POST', headers, body: form.toString(), signal: deadline });
    } catch (err) {
      throw deadline.aborted ? late() : new AuthError(`token request to ${this.where} failed: ${describeError(err)}`);
    }
    const status = res.statusCode;
    const declared = Number(headerValue(res.headers['content-length']));
    const tooLarge = (): AuthError => new AuthError(`the token endpoint ${this.where} answered more than ${TOKEN_MAX_BYTES} bytes (HTTP status ${status})`);
    if (declared > TOKEN_MAX_BYTES) {
      res.body.on('error', () => {});
      res.body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length;
        if (bytes > TOKEN_MAX_BYTES) throw tooLarge();
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof AuthError) throw err;
      throw deadline.aborted ? late() : new AuthError(`token request to ${this.where} failed: ${describeError(err)}`);
    }
    const fields = parseFields(Buffer.concat(chunks, bytes).toString('utf8'), headerValue(res.headers['content-type']));
    const code = fields && fields['error'] !== undefined && fields['error'] !== '' ? oauthError(fields, secret) : undefined;
    if (status < 200 || status > 299 || code !== undefined) {
      const message = code !== undefined
        ? `the token endpoint ${this.where} refused the request: ${code} (HTTP status ${status})`
        : `token request to ${this.where} failed: HTTP status ${status}`;
      throw status === 400 || status === 401 ? new Refused(message) : new AuthError(message);
    }
    if (!fields) throw new AuthError(`the token endpoint ${this.where} answered with a body that is not a JSON object (HTTP status ${status})`);
    const value = fields['access_token'];
    if (typeof value !== 'string' || value === '') throw new AuthError(`the token endpoint ${this.where} answered without an access_token`);
    if (!/^[\x21-\x7e]+$/.test(value)) throw new AuthError(`the token endpoint ${this.where} answered with an access_token that cannot be sent in a header`);
    const type = fields['token_type'];
    // RFC 6749 requires token_type; golang.org/x/oauth2 takes a missing one as Bearer, and so does this.
    if (type !== undefined && type !== null && type !== '' && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) {
      throw new AuthError(`the token endpoint ${this.where} gave a token of type ${printable(type, 20)}; only Bearer tokens are supported`);
    }
    const lifetime = seconds(fields['expires_in']);
    if (lifetime === null) throw new AuthError(`the token endpoint ${this.where} answered with expires_in ${printable(fields['expires_in'], 20)}, not a number of seconds`);
    if (lifetime === undefined) return { value, expires: undefined, refreshAt: undefined, secret };
    const ms = lifetime * 1000;
    const margin = Math.min(REFRESH_MARGIN_MS, ms / 10);
    return { value, expires: started + ms - margin / 2, refreshAt: started + ms - margin, secret };
  }

  private agent(): Dispatcher {
    // A request still under way when the auth closed (the second try of the client
    // authentication) gets no new Agent to leak.
    if (this.closed) throw new AuthError('these credentials were closed (a reload or a shutdown)');
    if (this.dispatcher) return this.dispatcher;
    const t = this.settings.tokenTransport;
    const common = { headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, keepAliveTimeout: 30_000 };
    this.dispatcher = t.proxyUrl !== undefined
      ? new ProxyAgent({ uri: t.proxyUrl, requestTls: { ...t.tls, timeout: this.timeoutMs }, proxyTls: { timeout: this.timeoutMs }, ...common })
      : new Agent({ ...common, connect: { ...t.tls, timeout: this.timeoutMs } });
    return this.dispatcher;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.token = undefined;
    const d = this.dispatcher;
    this.dispatcher = undefined;
    await d?.destroy();
  }
}

/** application/x-www-form-urlencoded as Go's url.QueryEscape writes it (RFC 6749 §2.3.1, Appendix B). */
function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/**
 * The answer's fields: a JSON object, or a form-encoded body (some endpoints answer
 * application/x-www-form-urlencoded or text/plain, which golang.org/x/oauth2 reads so).
 */
function parseFields(text: string, contentType: string | undefined): Record<string, unknown> | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded' || type === 'text/plain') return Object.fromEntries(new URLSearchParams(text));
  try {
    const doc: unknown = JSON.parse(text);
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 6749 §5.2 error and error_description, short, printable, and without the client secret. */
function oauthError(fields: Record<string, unknown>, secret: string): string {
  const clean = (v: unknown, max: number): string => {
    if (typeof v !== 'string') return '';
    let s = v;
    // As sent, and as form-encoded in the Basic header.
    if (secret !== '') s = s.replaceAll(secret, '<secret>').replaceAll(formEncode(secret), '<secret>');
    s = s.replace(/[^\x20-\x7e]/g, '');
    return s.length > max ? `${s.slice(0, max)}…` : s;
  };
  const code = clean(fields['error'], 40).replace(/["\\]/g, '') || 'error';
  const description = clean(fields['error_description'], 120);
  return description ? `${code} (${JSON.stringify(description)})` : code;
}

/** expires_in in seconds: undefined when absent or 0 (no expiry, as golang.org/x/oauth2 reads it), null when not a number. */
function seconds(v: unknown): number | undefined | null {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) return null;
  return n === 0 ? undefined : Math.min(n, 2 ** 31);
}

function printable(v: unknown, max: number): string {
  const s = (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)).replace(/[^\x20-\x7e]/g, '');
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const inner = e.cause ?? e;
  const code = inner.code ?? e.code;
  const msg = inner.message || e.message || String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

export const oauth2: AuthKind<'oauth2'> = {
  kind: 'oauth2',
  compile: (s, { base, resolvePath, report }) => oauth2Auth(s, base, resolvePath, report),
  metrics: {
    outcomes: [{
      name: 'apiprobe_oauth2_token_requests_total',
      help: 'OAuth 2.0 token fetches from token endpoints (one may take two requests while the client authentication is detected), by auth and result (success or failure)',
      read: (a) => (a instanceof OAuth2Auth ? a.counters.tokens : undefined),
    }],
  },
};

function oauth2Auth(s: OAuth2Spec, base: AuthBase, resolvePath: (p: string) => string, report: Report): Auth | undefined {
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
  return new OAuth2Auth(base.name, base.targets, base.transport, {
    clientId,
    clientSecret,
    tokenUrl,
    scopes: s.scopes ?? [],
    endpointParams: s.endpoint_params ?? {},
    tokenTransport,
  });
}
