// --web.config.file: TLS and basic auth for the exporter's own endpoints, in the
// format of the Prometheus exporter-toolkit, so one file serves all exporters.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:https';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import type Koa from 'koa';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { ConfigError, fieldPath, type ConfigProblem } from '../spec/errors.js';

const CLIENT_AUTH = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
const TLS_VERSIONS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

const WebConfigSchema = z.strictObject({
  tls_server_config: z.strictObject({
    cert_file: z.string(),
    key_file: z.string(),
    client_auth_type: z.enum(CLIENT_AUTH).default('NoClientCert'),
    client_ca_file: z.string().optional(),
    min_version: z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']).default('TLS12'),
    max_version: z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']).optional(),
  }).optional(),
  basic_auth_users: z.record(z.string(), z.string().regex(/^\$2[aby]?\$\d\d\$/, 'expected a bcrypt hash ($2y$…)')).optional(),
  http_server_config: z.strictObject({ headers: z.record(z.string(), z.string()).optional() }).optional(),
});

export interface WebConfig {
  tls: ServerOptions | undefined;
  requireAnyClientCert: boolean;
  users: Map<string, string> | undefined;
  headers: Record<string, string>;
}

export async function loadWebConfig(file: string): Promise<WebConfig> {
  const abs = path.resolve(file);
  const fail = (line: number, column: number, field: string, message: string): never => {
    throw new ConfigError([{ file: abs, line, column, field, message } satisfies ConfigProblem]);
  };
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    return fail(0, 0, '', `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    return fail(pos.line, pos.col, '', e.message.split('\n')[0]!);
  }
  const parsed = WebConfigSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue): ConfigProblem => {
      const p = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
      let node: Node | undefined;
      if (issue.code === 'unrecognized_keys') {
        // Point at the unknown key itself, not its value.
        const parent = issue.path.length ? doc.getIn(issue.path as unknown[], true) : doc.contents;
        if (isMap(parent)) node = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === issue.keys[0])?.key as Node | undefined;
      }
      for (let n = p.length; n >= 0 && !node; n--) node = doc.getIn(p.slice(0, n) as unknown[], true) as Node | undefined;
      const pos = lines.linePos(node?.range?.[0] ?? 0);
      const message = issue.code === 'unrecognized_keys' ? `unknown field "${issue.keys[0]}"` : issue.message;
      return { file: abs, line: pos.line, column: pos.col, field: fieldPath(p), message };
    });
    throw new ConfigError(problems);
  }
  const spec = parsed.data;
  const dir = path.dirname(abs);
  const read = (f: string, field: string): Buffer => {
    try {
      return readFileSync(path.resolve(dir, f));
    } catch (err) {
      return fail(0, 0, `tls_server_config.${field}`, `cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  let tls: ServerOptions | undefined;
  const t = spec.tls_server_config;
  if (t) {
    const verify = t.client_auth_type === 'VerifyClientCertIfGiven' || t.client_auth_type === 'RequireAndVerifyClientCert';
    if (verify && !t.client_ca_file) fail(0, 0, 'tls_server_config.client_ca_file', `client_auth_type ${t.client_auth_type} needs client_ca_file`);
    tls = {
      cert: read(t.cert_file, 'cert_file'),
      key: read(t.key_file, 'key_file'),
      minVersion: TLS_VERSIONS[t.min_version],
      ...(t.max_version ? { maxVersion: TLS_VERSIONS[t.max_version] } : {}),
      ...(t.client_ca_file ? { ca: read(t.client_ca_file, 'client_ca_file') } : {}),
      requestCert: t.client_auth_type !== 'NoClientCert',
      // Verified where the type says so; RequireAnyClientCert is checked in the middleware.
      rejectUnauthorized: t.client_auth_type === 'RequireAndVerifyClientCert',
    };
  }
  return {
    tls,
    requireAnyClientCert: t?.client_auth_type === 'RequireAnyClientCert',
    users: spec.basic_auth_users ? new Map(Object.entries(spec.basic_auth_users)) : undefined,
    headers: spec.http_server_config?.headers ?? {},
  };
}

/**
 * Basic auth against bcrypt hashes, on every endpoint. A successful check is
 * remembered (by a hash of user, password and bcrypt hash) so that a scrape does not
 * pay bcrypt's deliberate slowness every time; failures are never remembered.
 */
export function basicAuth(users: Map<string, string>): Koa.Middleware {
  const verified = new Set<string>();
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const m = /^Basic\s+(\S+)$/i.exec(header);
    let ok = false;
    if (m) {
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const user = i < 0 ? decoded : decoded.slice(0, i);
      const password = i < 0 ? '' : decoded.slice(i + 1);
      const hash = users.get(user);
      if (hash !== undefined) {
        const key = createHash('sha256').update(`${user}\u0000${password}\u0000${hash}`).digest('hex');
        if (verified.has(key)) ok = true;
        else if (await bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'))) {
          if (verified.size > 1000) verified.clear();
          verified.add(key);
          ok = true;
        }
      }
    }
    if (!ok) {
      ctx.status = 401;
      ctx.set('www-authenticate', 'Basic realm="apiprobe"');
      ctx.type = 'text/plain';
      ctx.body = 'Unauthorized\n';
      return;
    }
    await next();
  };
}

/** RequireAnyClientCert: a certificate must be presented, verified or not. */
export function requireClientCert(): Koa.Middleware {
  return async (ctx, next) => {
    const socket = ctx.req.socket as import('node:tls').TLSSocket;
    const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    if (!cert || Object.keys(cert).length === 0) {
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = 'a client certificate is required\n';
      return;
    }
    await next();
  };
}

