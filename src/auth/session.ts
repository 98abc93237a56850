// Login sessions: log in once per device, carry the token on later requests, reuse
// it across probes until its TTL or until the device answers 401/403, then log in
// again once. Concurrent probes of one device share one login (a device with a small
// session limit, like iDRAC, sees one session per exporter), and a dropped session is
// logged out: refused, expired (by a timer, whether the device is probed again or
// not), or pushed out by sessions with more devices than SESSION_LIMITS allows.
import type { HostMatcher } from '../fetch/guard.js';
import type { SessionSpec as SessionSpecOut } from '../spec/schema.js';
import { withQueryParam } from '../fetch/query.js';
import type { Transport } from '../fetch/transport.js';
import { compilePath, type CompiledPath } from '../mapping/jsonpath.js';
import { OriginState, type OriginStateLimits } from './origin-state.js';
import type { AuthKind } from './kind.js';
import { plain, reveal, secretOf, type Secret } from './secret.js';
import { AuthError, header, type Answer, type Auth, type Credentials, type Outgoing, type Send } from '../fetch/credentials.js';

interface Session {
  token: string;
  logoutUrl: URL | undefined;
  expires: number;
  /** How to reach the device it belongs to, for the logout. */
  send: Send;
}

export interface SessionCounters {
  logins: { ok: number; failed: number };
}

/** A token longer than this is refused: a device's answer is not kept whole per origin. */
export const MAX_TOKEN_CHARS = 64 * 1024;

/**
 * Sessions one auth holds at most, devices and characters (tokens, logout URLs): ~1,000
 * devices per set of credentials before the least recently probed is logged out; past
 * that a fleet logs in again on each scrape, which apiprobe_auth_state_evictions_total
 * shows. The TTL is the auth's own.
 */
export const SESSION_LIMITS = { maxOrigins: 1024, maxChars: 16 * 1024 * 1024 };

export class SessionAuth implements Auth {
  readonly kind = 'session' as const;
  /** By device origin; sessions that leave it (expired, evicted, replaced) are logged out. */
  private readonly sessions: OriginState<Session>;
  get originState(): OriginState<Session> {
    return this.sessions;
  }
  private readonly pending = new Map<string, Promise<Session>>();
  private readonly tokenPath: CompiledPath | undefined;
  readonly counters: SessionCounters = { logins: { ok: 0, failed: 0 } };

  constructor(
    readonly name: string,
    readonly targets: HostMatcher | undefined,
    readonly transport: Transport | undefined,
    private readonly spec: SessionSpecOut,
    private readonly username: string,
    private readonly password: Secret,
    limits: Omit<OriginStateLimits, 'ttlMs'> = SESSION_LIMITS,
  ) {
    this.tokenPath = spec.token.json !== undefined ? compilePath(spec.token.json) : undefined;
    this.sessions = new OriginState<Session>(
      { ...limits, maxChars: Math.max(limits.maxChars, 2 * MAX_TOKEN_CHARS), ttlMs: spec.ttl * 1000 },
      (s) => s.token.length + (s.logoutUrl?.href.length ?? 0),
      (s) => void this.logout(s),
    );
  }

  get active(): number {
    return this.sessions.size;
  }

  async apply(req: Outgoing, send: Send): Promise<Credentials> {
    const origin = req.url.origin;
    const session = await this.current(origin, send);
    const { headers, url } = this.carry(req.url, session);
    return {
      headers,
      url,
      renew: async (answer: Answer): Promise<boolean> => {
        if (answer.status !== 401 && answer.status !== 403) return false;
        // Only the first request to see the session refused drops it; the others
        // wait for the same new login.
        if (this.sessions.get(origin) === session) this.drop(origin, session);
        await this.current(origin, send);
        return true;
      },
    };
  }

  private carry(target: URL, s: Session): { headers: Record<string, string>; url: URL } {
    const use = this.spec.use;
    if (use.header !== undefined) return { headers: { [use.header.toLowerCase()]: `${use.prefix ?? ''}${s.token}` }, url: target };
    if (use.cookie !== undefined) return { headers: { cookie: `${use.cookie}=${s.token}` }, url: target };
    return { headers: {}, url: withQueryParam(target, use.query!, s.token) };
  }

  private current(origin: string, send: Send): Promise<Session> {
    const s = this.sessions.get(origin);
    if (s && s.expires > Date.now()) return Promise.resolve(s);
    if (s) this.drop(origin, s);
    let login = this.pending.get(origin);
    if (!login) {
      login = this.login(origin, send).finally(() => this.pending.delete(origin));
      this.pending.set(origin, login);
    }
    return login;
  }

  private async login(origin: string, send: Send): Promise<Session> {
    const l = this.spec.login;
    const user = this.username;
    const pass = await reveal(this.password);
    const fill = (text: string): string => text.replaceAll('{username}', user).replaceAll('{password}', pass);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(l.headers ?? {})) headers[k.toLowerCase()] = v;
    let body: string | undefined;
    if (l.json !== undefined) {
      body = JSON.stringify(l.json, (_k, v: unknown) => (typeof v === 'string' ? fill(v) : v));
      headers['content-type'] ??= 'application/json';
    } else if (l.form !== undefined) {
      body = new URLSearchParams(Object.entries(l.form).map(([k, v]): [string, string] => [k, fill(v)])).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (l.body !== undefined) {
      body = fill(l.body);
    }
    const url = new URL(l.path, origin);
    const answer = await send({ method: l.method, url, headers, body });
    if (!answer.ok || answer.status < 200 || answer.status >= 300) {
      this.counters.logins.failed++;
      throw new AuthError(`login to ${url.pathname} failed: ${answer.ok ? `HTTP status ${answer.status}` : answer.error}`);
    }
    const token = this.token(answer);
    if (!token) {
      this.counters.logins.failed++;
      throw new AuthError(`login to ${url.pathname} answered without a token in ${describe(this.spec.token)}`);
    }
    let logoutUrl: URL | undefined;
    if (this.spec.logout?.location) {
      const loc = header(answer.headers, 'location')[0];
      if (loc) {
        const u = new URL(loc, origin);
        if (u.origin === origin) logoutUrl = u;
      }
    } else if (this.spec.logout?.path !== undefined) {
      logoutUrl = new URL(this.spec.logout.path, origin);
    }
    const session = { token, logoutUrl, expires: Date.now() + this.spec.ttl * 1000, send };
    if (token.length > MAX_TOKEN_CHARS) {
      this.counters.logins.failed++;
      // The device holds a session all the same: it is ended, not kept.
      void this.logout(session);
      throw new AuthError(`login to ${url.pathname} answered with a token of ${token.length} characters in ${describe(this.spec.token)}, more than ${MAX_TOKEN_CHARS}`);
    }
    this.counters.logins.ok++;
    this.sessions.set(origin, session);
    return session;
  }

  private token(answer: Answer): string | undefined {
    const t = this.spec.token;
    if (t.header !== undefined) return header(answer.headers, t.header)[0];
    if (t.cookie !== undefined) {
      for (const c of header(answer.headers, 'set-cookie')) {
        const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
        if (m && m[1] === t.cookie && m[2]) return m[2];
      }
      return undefined;
    }
    try {
      const doc: unknown = JSON.parse(answer.body?.toString('utf8') ?? '');
      const v = this.tokenPath!.first(doc);
      // A token is a string, number or boolean; null, an object or an array is no token.
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Forgets a session and logs it out, without waiting for the device. */
  private drop(origin: string, s: Session): void {
    if (this.sessions.get(origin) === s) this.sessions.delete(origin);
    void this.logout(s);
  }

  private async logout(s: Session): Promise<void> {
    if (!s.logoutUrl) return;
    const { headers, url } = this.carry(s.logoutUrl, s);
    await s.send({ method: this.spec.logout!.method, url, headers }, { detached: true }).catch(() => {});
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.takeAll().map((s) => this.logout(s)));
  }
}

function describe(t: SessionSpecOut['token']): string {
  if (t.header !== undefined) return `header ${t.header}`;
  if (t.cookie !== undefined) return `cookie ${t.cookie}`;
  return `body at ${t.json}`;
}

export const session: AuthKind<'session'> = {
  kind: 'session',
  compile(s, { base, resolvePath, report }) {
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
      return new SessionAuth(base.name, base.targets, base.transport, s, username!, password!);
    } catch (err) {
      report(['session', 'token', 'json'], (err as Error).message);
      return undefined;
    }
  },
  metrics: {
    gauges: [{ name: 'apiprobe_sessions_active', help: 'Login sessions held open with devices', read: (a) => (a instanceof SessionAuth ? a.active : 0) }],
    outcomes: [{ name: 'apiprobe_logins_total', help: 'Session logins, by auth and result (success or failure)', read: (a) => (a instanceof SessionAuth ? a.counters.logins : undefined) }],
  },
};
