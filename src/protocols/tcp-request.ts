// The `tcp` request kind: a status port speaking lines or records (NUT upsd, apcupsd NIS,
// memcached, ZooKeeper, Redis), fetched with fetchTcp (./tcp.ts) under the fetcher's
// guard, limiters, deadline, budget and coalescing, its answer read by the same parsers.
//
// Lines are templates compiled at load: `{name}` is a probe parameter, allowed only when
// the parameter has an enum or a pattern (a line protocol has no escaping: a free value
// would be a second command), and `{username}`/`{password}` in login lines are the
// basic auth's, sent only when the probe has one. CR, LF and NUL are refused in every
// value that lands in a line, parameters and credentials alike.
import { AuthError, type Auth } from '../fetch/credentials.js';
import type { Deadline } from '../fetch/deadline.js';
import { stripBrackets } from '../fetch/guard.js';
import type { FetchResult, FetchSpec } from '../fetch/upstream.js';
import { clip } from '../log.js';
import type { CompiledModule, CompiledRequest, CompiledTcp, LineTemplate } from '../module/plan.js';
import { deviceHost } from '../net/address.js';
import { TargetError, type ResolvedTarget } from './target.js';
import { ParamError } from '../module/url-plan.js';
import { LINE_BREAK } from '../module/tcp-lines.js';
import type { Protocol, Sending } from './types.js';
import { fetchTcp, type TcpTerminator } from './tcp.js';
import { peerSamples } from './tls-samples.js';
import { checkPeer, deviceKey, planFor, type PeerInfo } from '../tls/verify.js';

export type { CompiledTcp } from '../module/plan.js';

function fill(t: LineTemplate, params: Readonly<Record<string, string>>, creds?: { username: string; password: string }): string {
  let s = '';
  for (const part of t) {
    if (typeof part === 'string') s += part;
    else if ('param' in part) s += params[part.param] ?? '';
    else s += creds?.[part.credential] ?? '';
  }
  return s;
}

/** The username and password of an auth made of them (basic), checked to fit on a login line. */
async function basicCredentials(auth: Auth): Promise<{ username: string; password: string }> {
  if (!auth.userPassword) throw new AuthError(`a ${auth.kind} auth cannot log in on a TCP port (basic only)`);
  const creds = await auth.userPassword();
  if (LINE_BREAK.test(creds.username) || LINE_BREAK.test(creds.password)) throw new AuthError('the username or password holds CR, LF or NUL, which would end its login line');
  return creds;
}

const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const PORT = /:(\d{1,5})$/;

function tcpOf(req: CompiledRequest): CompiledTcp {
  return req.tcp!;
}

export const tcp: Protocol = {
  name: 'tcp',
  statusCode: false,
  // Login lines take a username and a password: a basic auth's.
  refusesAuth: (auth) => (auth.userPassword !== undefined ? undefined : `auth ${auth.name} is ${auth.kind}: a tcp module logs in with a basic auth's username and password only`),

  // host[:port]; the port, when not given, is each request's own.
  resolveTarget(raw: string, mod: CompiledModule): ResolvedTarget {
    const target = raw.trim();
    if (!target) throw new TargetError('target parameter is missing');
    if (HAS_SCHEME.test(target)) throw new TargetError(`module ${mod.name} speaks TCP: give the target as host[:port], not a URL`);
    let url: URL;
    try {
      // Parsed as an HTTP authority for the host's one spelling (lowercase, IPv4 as dotted quad).
      url = new URL(`http://${target}`);
    } catch {
      throw new TargetError(`target ${JSON.stringify(clip(raw, 100))} is not a valid host[:port]`);
    }
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || target.includes('/')) {
      throw new TargetError(`target ${JSON.stringify(clip(raw, 100))} is not a valid host[:port]`);
    }
    if (!url.hostname) throw new TargetError(`target ${JSON.stringify(clip(raw, 100))} has no host`);
    if (url.hostname.length > 253) throw new TargetError(`target host is ${url.hostname.length} characters long; a host name has at most 253`);
    // The HTTP parser drops :80; the port as written, when there is one.
    const written = PORT.exec(target.endsWith(']') ? '' : target)?.[1];
    const port = written === undefined ? undefined : Number(written);
    if (port !== undefined && (port < 1 || port > 65535)) throw new TargetError(`target port ${port} is not between 1 and 65535`);
    const first = mod.requests.get(mod.roots[0]!)!;
    const keyPort = port ?? tcpOf(first).port;
    return { base: new URL(`tcp://${url.hostname}${port === undefined ? '' : `:${port}`}/`), key: `${deviceHost(url.hostname)}:${keyPort}` };
  },

  address(mod, req, target, params): URL {
    const t = tcpOf(req);
    for (const p of t.params) {
      if (LINE_BREAK.test(params[p] ?? '')) throw new ParamError(`parameter "${p}" of module ${mod.name} holds CR, LF or NUL, which would end its line`);
    }
    return new URL(`tcp://${target.base.hostname}:${target.base.port || t.port}/${req.name}`);
  },

  fetchSpec({ run, req, url, connections, probeLimit, signal, take }: Sending): FetchSpec {
    const mod = run.module;
    const t = tcpOf(req);
    const send = t.send.map((l) => fill(l, run.params));
    const until: TcpTerminator = typeof t.until === 'object' && 'line' in t.until ? { line: fill(t.until.line, run.params) } : t.until;
    const auth = t.login ? run.auth : undefined;
    const host = stripBrackets(url.hostname);
    const tlsSettings = run.transport.tls;
    // What is checked on this device's certificate: the chain, pins (the module's, the
    // pins file's), trust on first use; as the HTTP connector does (src/tls/verify.ts).
    const device = deviceKey(url.hostname, url.port, 'tcp:');
    const plan = planFor(run.transport.verify, device, connections.trust);
    const exchange = async (deadline: Deadline): Promise<FetchResult> => {
      const started = performance.now();
      const failed = (error: string, bytes = 0): FetchResult => ({ ok: false, status: 0, bytes, body: undefined, contentType: undefined, headers: {}, error, seconds: (performance.now() - started) / 1000, cached: false });
      let login: string[] | undefined;
      if (auth) {
        try {
          const creds = await basicCredentials(auth);
          login = t.login!.map((l) => fill(l, run.params, creds));
        } catch (err) {
          if (err instanceof AuthError) return failed(`auth ${auth.name}: ${err.message}`);
          throw err;
        }
      }
      // fetchTcp takes an AbortSignal; the probe's deadline is an EventEmitter (cheaper
      // for HTTP's many requests): one controller per TCP exchange, its listener removed after.
      let seen: PeerInfo | undefined;
      const controller = new AbortController();
      const onAbort = (): void => controller.abort();
      if (deadline.aborted) controller.abort();
      else deadline.once('abort', onAbort);
      try {
        const res = await fetchTcp(
          {
            host,
            port: Number(url.port),
            tls: t.tls,
            tlsOptions: {
              rejectUnauthorized: plan.chain,
              ...(tlsSettings.ca && { ca: tlsSettings.ca }),
              ...(tlsSettings.cert && { cert: tlsSettings.cert }),
              ...(tlsSettings.key && { key: tlsSettings.key }),
              ...(tlsSettings.servername !== undefined && { servername: tlsSettings.servername }),
              verifyPeer: (socket) => {
                const verdict = checkPeer(socket, device, plan, connections.trust);
                if (!verdict.ok) return verdict.reason;
                seen = verdict.info;
                return undefined;
              },
            },
            ...(login && { login }),
            send,
            until,
            ...(t.quit !== undefined && { quit: t.quit }),
            eol: t.eol,
            ...(t.errors && { errors: t.errors }),
            maxBytes: mod.maxResponseBytes,
            signal: controller.signal,
          },
          {
            // Credentials go only where the auth's targets allow, checked on the very
            // address the connection is made to (as for HTTP in upstream.ts).
            vet: async (h) => {
              const vetted = await connections.guard.vet(h);
              if (auth?.targets && !auth.targets.match(h, vetted.address)) throw new Error(`auth ${auth.name} may not be sent to ${h} (not in auths.${auth.name}.targets)`);
              return vetted;
            },
          },
        );
        // The certificate this exchange accepted, for probe_tls_*: each exchange is a
        // connection of its own, so one that accepted none (refused, failed before or in the
        // handshake) forgets what an earlier one saw rather than report it again.
        if (t.tls !== 'none') {
          if (seen) connections.peers.record(run.transport.key, device, seen);
          else connections.peers.forget(run.transport.key, device);
        }
        if (!res.ok) return failed(`${res.error} (tcp ${res.phase})`, res.bytes);
        return { ok: true, status: 0, bytes: res.bytes, body: res.body, contentType: undefined, headers: {}, error: undefined, seconds: res.seconds, cached: false };
      } finally {
        deadline.removeListener('abort', onAbort);
      }
    };
    return {
      request: req.name,
      url,
      method: 'GET',
      headers: {},
      // What tells two exchanges apart when coalescing: the lines sent, and whose login.
      body: `${send.join('\n')}\n${auth?.name ?? ''}`,
      transport: run.transport,
      connections,
      auth: undefined,
      cacheSeconds: req.cacheSeconds,
      maxBytes: mod.maxResponseBytes,
      targetKey: `${deviceHost(url.hostname)}:${url.port}`,
      targetConcurrency: mod.concurrency,
      probeLimit,
      signal,
      take,
      exchange,
    };
  },

  // The certificate of the first request over TLS that saw one (a module's requests go to
  // one device, usually on one port). A module run is unverified when any of its requests
  // is sent in clear or without checking the chain.
  tlsSamples: (run, connections, meta) => {
    const requests = [...run.module.requests.values()];
    for (const r of requests) {
      const t = tcpOf(r);
      if (t.tls === 'none') continue;
      const peer = connections.peers.get(run.transport.key, deviceKey(run.target.base.hostname, run.target.base.port || t.port, 'tcp:'));
      if (!peer) continue;
      peerSamples(peer, meta);
      break;
    }
    return { unverified: requests.some((r) => tcpOf(r).tls === 'none') || !run.transport.tls.rejectUnauthorized };
  },

  // The lines as sent (params are checked values; credentials are never in send lines).
  describe: (req: CompiledRequest, url: URL, params): string => `tcp ${url.host} ${tcpOf(req).send.map((l) => clip(fill(l, params), 80)).join(' / ')}`,
};
