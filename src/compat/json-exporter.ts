// prometheus-community/json_exporter configuration files (0.6/0.7), loaded unchanged:
// each json_exporter module is translated at load into an ordinary apiprobe module
// (the target is the full URL, one request, json_exporter's reading of values), so
// that everything apiprobe does for its own modules applies to it. What apiprobe
// cannot do exactly as json_exporter does is refused here, naming the field.
import { z } from 'zod';
import { LabelName, METRIC_NAME, MetricName, ModuleName, oneOf } from '../spec/schema.js';
import { parseGoValue } from '../mapping/gotext.js';
import { compileGoTemplate, TemplateError } from './go-template.js';
import { k8sEachPath, k8sExpression, K8sPathError } from './k8s-jsonpath.js';

/** A problem at a field of the json_exporter module. */
export type Report = (path: ReadonlyArray<PropertyKey>, message: string, atKey?: boolean) => void;

// yaml.v2 reads any scalar into json_exporter's string fields.
const Text = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string' }).transform(String);
const TextMap = z.record(z.string(), Text);

const MetricSchema = z.strictObject({
  name: MetricName,
  path: z.string(),
  help: z.string().optional(),
  type: oneOf('type', ['value', 'object']).default('value'),
  valuetype: oneOf('valuetype', ['gauge', 'counter', 'untyped']).default('untyped'),
  engine: z.string().optional(),
  labels: z.record(LabelName, Text).optional(),
  values: TextMap.optional(),
  epochTimestamp: z.string().optional(),
  epochtimestamp: z.string().optional(),
  allow_missing_key: z.boolean().default(false),
  valueconverter: z.record(z.string(), TextMap).optional(),
});

// Prometheus's common HTTP client configuration. Fields apiprobe cannot honour are
// accepted by the schema and refused by translate() with the reason.
const Refusable = z.unknown().optional();
const TlsConfigSchema = z.strictObject({
  insecure_skip_verify: z.boolean().optional(),
  ca_file: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  server_name: z.string().optional(),
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  ca_ref: Refusable,
  cert_ref: Refusable,
  key_ref: Refusable,
  min_version: Refusable,
  max_version: Refusable,
});
const ProxyFields = {
  proxy_url: z.string().optional(),
  no_proxy: Refusable,
  proxy_from_environment: Refusable,
  proxy_connect_header: Refusable,
};
const HttpClientSchema = z.strictObject({
  basic_auth: z.strictObject({
    username: z.string().optional(),
    username_file: Refusable,
    username_ref: Refusable,
    password: z.string().optional(),
    password_file: z.string().optional(),
    password_ref: Refusable,
  }).optional(),
  authorization: z.strictObject({
    type: z.string().optional(),
    credentials: z.string().optional(),
    credentials_file: z.string().optional(),
    credentials_ref: Refusable,
  }).optional(),
  bearer_token: z.string().optional(),
  bearer_token_file: z.string().optional(),
  oauth2: z.strictObject({
    client_id: Text.optional(),
    client_secret: Text.optional(),
    client_secret_file: z.string().optional(),
    client_secret_ref: Refusable,
    scopes: z.array(Text).optional(),
    token_url: z.string().optional(),
    endpoint_params: TextMap.optional(),
    tls_config: TlsConfigSchema.optional(),
    ...ProxyFields,
  }).optional(),
  tls_config: TlsConfigSchema.optional(),
  ...ProxyFields,
  follow_redirects: z.boolean().default(true),
  // json_exporter speaks HTTP/1.1 whatever this says (it builds its client with HTTP/2 disabled), as apiprobe does.
  enable_http2: z.boolean().optional(),
  http_headers: Refusable,
});

export const JsonExporterModuleSchema = z.strictObject({
  headers: TextMap.optional(),
  metrics: z.array(MetricSchema).default([]),
  http_client_config: HttpClientSchema.default({ follow_redirects: true }),
  body: z.strictObject({ content: z.string().default(''), templatize: z.boolean().default(false) }).optional(),
  valid_status_codes: z.array(z.number().int().min(100).max(599)).optional(),
});

export const JsonExporterFileShell = z.strictObject({ modules: z.record(ModuleName, z.unknown()) });

export type JsonExporterModule = z.output<typeof JsonExporterModuleSchema>;

/** The one request of a translated module: json_exporter fetches the target URL itself. */
export const REQUEST = 'json';

/** The name of the auth holding a translated module's credentials. */
export function authName(module: string): string {
  return `json_exporter.${module}`;
}

const JSON_EXPORTER_ONLY = ['http_client_config', 'body', 'valid_status_codes'];

/**
 * Whether parsed YAML has json_exporter's shape: only `modules`, none with apiprobe's
 * `requests`, and some with json_exporter's own fields (a metric `path`, `http_client_config`, `body`).
 */
export function looksLikeJsonExporter(data: unknown): boolean {
  if (!isRecord(data) || !isRecord(data.modules)) return false;
  if (Object.keys(data).some((k) => k !== 'modules' && !k.startsWith('x-'))) return false;
  const modules = Object.values(data.modules);
  if (modules.some((m) => !isRecord(m) || Object.hasOwn(m, 'requests'))) return false;
  return modules.some((m) => {
    const mod = m as Record<string, unknown>;
    if (JSON_EXPORTER_ONLY.some((k) => Object.hasOwn(mod, k))) return true;
    return Array.isArray(mod.metrics) && mod.metrics.some((x) => isRecord(x) && Object.hasOwn(x, 'path'));
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface Translation {
  /** The apiprobe module, as it is written in YAML. */
  module: Record<string, unknown>;
  /** The credentials it uses, as an `auths:` entry (its name is authName(module)). */
  auth: Record<string, unknown> | undefined;
  /** The json_exporter field a field of the apiprobe module came from, to report problems where the user wrote them. */
  origin: (path: ReadonlyArray<PropertyKey>) => PropertyKey[];
  /** The json_exporter field an auth field came from. */
  authOrigin: (path: ReadonlyArray<PropertyKey>) => PropertyKey[];
}

const PLACEHOLDER = /\{\s*[A-Za-z_][A-Za-z0-9_]*\s*(\|\s*[A-Za-z_]+\s*)?\}/;

/** Translates one validated json_exporter module; undefined when a problem was reported. */
export function translateModule(name: string, je: JsonExporterModule, report: Report): Translation | undefined {
  let ok = true;
  const refuse: Report = (p, message, atKey) => {
    ok = false;
    report(p, message, atKey);
  };
  const expr = (src: string, at: PropertyKey[]): string | undefined => {
    try {
      return k8sExpression(src);
    } catch (err) {
      if (!(err instanceof K8sPathError)) throw err;
      refuse(at, `${JSON.stringify(src)}: ${err.message}`);
      return undefined;
    }
  };

  const module: Record<string, unknown> = {
    description: `json_exporter module ${name}`,
    converted_from: 'json_exporter',
    target: { url: true },
    // json_exporter has no limits of its own: Prometheus's scrape timeout (which still
    // caps this) and many concurrent requests to one API host are normal there.
    timeout: '60s',
    concurrency: 64,
  };
  const hc = je.http_client_config;
  module.follow_redirects = hc.follow_redirects;
  if (je.headers && Object.keys(je.headers).length) module.headers = je.headers;

  // TLS and proxy. A private key given inline is a secret: the client certificate then
  // goes with the credentials (an auth's tls), not in the module.
  let clientCert: Record<string, unknown> | undefined;
  if (hc.tls_config) {
    const tls = translateTls(hc.tls_config, ['http_client_config', 'tls_config'], refuse);
    if (tls.key !== undefined) {
      clientCert = {};
      for (const field of ['cert', 'cert_file', 'key'] as const) {
        if (tls[field] !== undefined) clientCert[field] = tls[field];
        delete tls[field];
      }
    }
    if (Object.keys(tls).length) module.tls = tls;
  }
  if (hc.proxy_url !== undefined) module.proxy_url = hc.proxy_url;
  refuseProxyFields(hc, ['http_client_config'], refuse);
  if (hc.http_headers !== undefined) refuse(['http_client_config', 'http_headers'], 'http_headers is not supported; use the module\'s headers', true);

  // Credentials: an auth of their own, named after the module.
  let auth = translateAuth(hc, refuse);
  if (clientCert) auth = { ...auth, tls: clientCert };

  // The request: GET the target URL, or POST the body (a Go template with templatize).
  const request: Record<string, unknown> = { format: 'json' };
  if (je.valid_status_codes?.length) request.valid_status_codes = je.valid_status_codes;
  if (je.body && je.body.content !== '') {
    request.method = 'POST';
    if (je.body.templatize) {
      try {
        const body = compileGoTemplate(je.body.content);
        request.body = body.template;
        if (Object.keys(body.params).length) module.params = body.params;
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        refuse(['body', 'content'], `template: ${err.message}`);
      }
    } else {
      const clash = PLACEHOLDER.exec(je.body.content);
      if (clash) refuse(['body', 'content'], `the text ${JSON.stringify(clash[0])} would read as an apiprobe parameter placeholder`);
      request.body = je.body.content;
    }
  }
  module.requests = { [REQUEST]: request };

  // Metrics: one apiprobe metric per value metric, one per entry of `values` for an object metric.
  const metrics: Array<Record<string, unknown>> = [];
  const from: Array<{ index: number; key: string | undefined; timestampKey: string }> = [];
  je.metrics.forEach((m, i) => {
    const at = ['metrics', i];
    if (m.engine !== undefined && m.engine !== 'jsonpath') {
      refuse([...at, 'engine'], `engine ${JSON.stringify(m.engine)} is not supported: apiprobe translates json_exporter's JSONPath (engine: jsonpath) only`);
      return;
    }
    if (m.epochTimestamp !== undefined && m.epochtimestamp !== undefined) {
      refuse([...at, 'epochtimestamp'], 'give epochTimestamp or epochtimestamp, not both', true);
      return;
    }
    const timestampKey = m.epochTimestamp !== undefined ? 'epochTimestamp' : 'epochtimestamp';
    const timestampSrc = m.epochTimestamp ?? m.epochtimestamp;
    const common: Record<string, unknown> = {
      help: m.help || m.name,
      type: m.valuetype,
      from: REQUEST,
      go_text: true,
      // Without allow_missing_key a missing key is an error in json_exporter (logged); with it, silence.
      on_missing: m.allow_missing_key ? 'skip' : 'error',
    };
    if (m.labels && Object.keys(m.labels).length) {
      const labels: Record<string, string> = {};
      for (const [label, src] of Object.entries(m.labels)) {
        const e = expr(src, [...at, 'labels', label]);
        if (e !== undefined) labels[label] = e;
      }
      common.labels = labels;
    }
    if (timestampSrc !== undefined && timestampSrc !== '') {
      const e = expr(timestampSrc, [...at, timestampKey]);
      if (e !== undefined) common.timestamp = e;
    }
    if (m.type === 'value') {
      if (m.valueconverter !== undefined) refuse([...at, 'valueconverter'], 'valueconverter applies to the values of a type: object metric', true);
      if (m.path === '') refuse([...at, 'path'], 'path is empty');
      const value = expr(m.path, [...at, 'path']);
      if (value === undefined) return;
      metrics.push(ordered({ name: m.name, ...common, value }));
      from.push({ index: i, key: undefined, timestampKey });
      return;
    }
    let each: string;
    try {
      each = k8sEachPath(m.path);
    } catch (err) {
      if (!(err instanceof K8sPathError)) throw err;
      refuse([...at, 'path'], `${JSON.stringify(m.path)}: ${err.message}`);
      return;
    }
    for (const [key, src] of Object.entries(m.values ?? {})) {
      const sub = `${m.name}_${key}`;
      if (!METRIC_NAME.test(sub)) {
        refuse([...at, 'values', key], `${JSON.stringify(sub)} is not a valid metric name`, true);
        continue;
      }
      const value = expr(src, [...at, 'values', key]);
      if (value === undefined) continue;
      const metric: Record<string, unknown> = { name: sub, ...common, each, value };
      const converter = m.valueconverter?.[src];
      if (converter) {
        const map: Record<string, number> = {};
        for (const [from, to] of Object.entries(converter)) {
          const n = parseGoValue(to);
          if (n === undefined) refuse([...at, 'valueconverter', src, from], `${JSON.stringify(to)} is not a number`);
          else map[from] = n;
        }
        metric.value_map = map;
        // json_exporter compares in lower case.
        metric.ignore_case = true;
      }
      metrics.push(ordered(metric));
      from.push({ index: i, key, timestampKey });
    }
  });
  if (auth) module.auth = authName(name);
  module.metrics = metrics;
  if (!ok) return undefined;

  const origin = (p: ReadonlyArray<PropertyKey>): PropertyKey[] => {
    const [head, a, b, ...rest] = p;
    if (head === 'metrics' && typeof a === 'number' && from[a]) {
      const o = from[a];
      const base: PropertyKey[] = ['metrics', o.index];
      switch (b) {
        case 'name':
          return o.key === undefined ? [...base, 'name'] : [...base, 'values', o.key];
        case 'labels':
          return [...base, 'labels', ...rest];
        case 'value':
          return o.key === undefined ? [...base, 'path'] : [...base, 'values', o.key];
        case 'each':
          return [...base, 'path'];
        case 'timestamp':
          return [...base, o.timestampKey];
        case 'type':
          return [...base, 'valuetype'];
        case 'help':
          return [...base, 'help'];
        case 'value_map':
          return [...base, 'valueconverter'];
        default:
          return base;
      }
    }
    switch (head) {
      case 'requests':
        if (b === 'body' || b === 'method') return ['body', 'content'];
        if (b === 'valid_status_codes') return ['valid_status_codes', ...rest];
        return [];
      case 'params':
        return ['body', 'content'];
      case 'tls':
        return ['http_client_config', 'tls_config', ...p.slice(1)];
      case 'proxy_url':
      case 'follow_redirects':
        return ['http_client_config', head];
      case 'headers':
        return ['headers', ...p.slice(1)];
      default:
        return [];
    }
  };
  const authOrigin = (p: ReadonlyArray<PropertyKey>): PropertyKey[] => {
    const [kind, field] = p;
    if (kind === 'tls') return ['http_client_config', 'tls_config', ...p.slice(1)];
    if (kind === 'oauth2') {
      if (field === 'tls') return ['http_client_config', 'oauth2', 'tls_config', ...p.slice(2)];
      return ['http_client_config', 'oauth2', ...p.slice(1)];
    }
    if (kind === 'basic') return ['http_client_config', 'basic_auth', ...(field === undefined ? [] : [field])];
    if (kind === 'bearer' || kind === 'api_key') {
      const where = hc.authorization ? 'authorization' : field === 'token_file' ? 'bearer_token_file' : 'bearer_token';
      return hc.authorization ? ['http_client_config', where, field === 'token_file' ? 'credentials_file' : 'credentials'] : ['http_client_config', where];
    }
    return ['http_client_config'];
  };
  return { module, auth, origin, authOrigin };
}

const METRIC_FIELDS = ['name', 'help', 'type', 'from', 'each', 'labels', 'value', 'value_map', 'ignore_case', 'timestamp', 'go_text', 'on_missing'];

/** A metric's fields in the order they read best; labels copied so no two metrics share an object. */
function ordered(metric: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of METRIC_FIELDS) if (metric[k] !== undefined) out[k] = k === 'labels' ? { ...(metric[k] as object) } : metric[k];
  return out;
}

function translateAuth(hc: JsonExporterModule['http_client_config'], refuse: Report): Record<string, unknown> | undefined {
  const given = (['basic_auth', 'authorization', 'bearer_token', 'bearer_token_file', 'oauth2'] as const).filter((k) => hc[k] !== undefined);
  if (given.length > 1 && !(given.length === 2 && given.includes('bearer_token') && given.includes('bearer_token_file'))) {
    refuse(['http_client_config', given[1]!], `one kind of credentials per module, not ${given.join(' and ')}`, true);
    return undefined;
  }
  const noEnv = (value: string, at: PropertyKey[]): boolean => {
    // apiprobe expands ${ENV} in literal secrets; json_exporter does not.
    if (!value.includes('${')) return true;
    refuse(at, 'a literal secret containing "${" would be read as an environment variable by apiprobe; put it in a file and use the _file field');
    return false;
  };
  if (hc.basic_auth) {
    const b = hc.basic_auth;
    if (b.username_file !== undefined) {
      refuse(['http_client_config', 'basic_auth', 'username_file'], 'username_file is not supported; give username', true);
      return undefined;
    }
    if (b.username_ref !== undefined || b.password_ref !== undefined) {
      const field = b.username_ref !== undefined ? 'username_ref' : 'password_ref';
      refuse(['http_client_config', 'basic_auth', field], noSecretManager(field, field === 'username_ref' ? 'username' : 'password or password_file'), true);
      return undefined;
    }
    if (b.password !== undefined && b.password_file !== undefined) {
      refuse(['http_client_config', 'basic_auth', 'password_file'], 'give password or password_file, not both', true);
      return undefined;
    }
    const basic: Record<string, unknown> = { username: b.username ?? '' };
    if (b.username !== undefined && !noEnv(b.username, ['http_client_config', 'basic_auth', 'username'])) return undefined;
    if (b.password_file !== undefined) basic.password_file = b.password_file;
    else {
      if (!noEnv(b.password ?? '', ['http_client_config', 'basic_auth', 'password'])) return undefined;
      basic.password = b.password ?? '';
    }
    return { basic };
  }
  if (hc.authorization) {
    const a = hc.authorization;
    const type = a.type || 'Bearer';
    if (a.credentials_ref !== undefined) {
      refuse(['http_client_config', 'authorization', 'credentials_ref'], noSecretManager('credentials_ref', 'credentials_file'), true);
      return undefined;
    }
    if (a.credentials !== undefined && a.credentials_file !== undefined) {
      refuse(['http_client_config', 'authorization', 'credentials_file'], 'give credentials or credentials_file, not both', true);
      return undefined;
    }
    if (type.toLowerCase() === 'basic') {
      refuse(['http_client_config', 'authorization', 'type'], 'authorization type Basic is refused by Prometheus\'s client too; use basic_auth');
      return undefined;
    }
    if (a.credentials_file !== undefined) {
      if (type !== 'Bearer') {
        refuse(['http_client_config', 'authorization', 'type'], `authorization type ${type} with credentials_file is not supported (only Bearer reads its credentials from a file)`);
        return undefined;
      }
      return { bearer: { token_file: a.credentials_file } };
    }
    const credentials = a.credentials ?? '';
    if (!noEnv(credentials, ['http_client_config', 'authorization', 'credentials'])) return undefined;
    if (type === 'Bearer') return { bearer: { token: credentials } };
    return { api_key: { header: 'Authorization', value: `${type} ${credentials}` } };
  }
  if (hc.oauth2) return translateOAuth2(hc.oauth2, refuse, noEnv);
  if (hc.bearer_token_file !== undefined) {
    if (hc.bearer_token !== undefined) {
      refuse(['http_client_config', 'bearer_token_file'], 'give bearer_token or bearer_token_file, not both', true);
      return undefined;
    }
    return { bearer: { token_file: hc.bearer_token_file } };
  }
  if (hc.bearer_token !== undefined) {
    if (!noEnv(hc.bearer_token, ['http_client_config', 'bearer_token'])) return undefined;
    return { bearer: { token: hc.bearer_token } };
  }
  return undefined;
}

type HttpClient = JsonExporterModule['http_client_config'];

/**
 * Why a *_ref field is refused: it names a secret in a secret manager, and json_exporter
 * builds its HTTP client without one (prometheus/common then fails every request with
 * "cannot use secret ref without manager"), so no json_exporter configuration works with it.
 */
function noSecretManager(field: string, instead: string): string {
  return `${field} is not supported: json_exporter has no secret manager to resolve it (every scrape fails there with "cannot use secret ref without manager"); use ${instead}`;
}

/** A tls_config as an apiprobe tls (inline PEM included). */
function translateTls(tlsIn: NonNullable<HttpClient['tls_config']>, at: PropertyKey[], refuse: Report): Record<string, unknown> {
  const tls: Record<string, unknown> = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    if (tlsIn[`${field}_ref`] !== undefined) refuse([...at, `${field}_ref`], noSecretManager(`${field}_ref`, `${field} or ${field}_file`), true);
  }
  for (const field of ['min_version', 'max_version'] as const) {
    if (tlsIn[field] !== undefined) refuse([...at, field], `${field} is not supported: apiprobe uses Node.js's TLS versions (1.2 and 1.3)`, true);
  }
  for (const field of ['insecure_skip_verify', 'ca_file', 'ca', 'cert_file', 'cert', 'key_file', 'key', 'server_name'] as const) {
    // Prometheus takes an empty string as not given.
    if (tlsIn[field] !== undefined && tlsIn[field] !== '') tls[field] = tlsIn[field];
  }
  // Prometheus's checks, made here: a client key given inline is moved to the credentials.
  for (const field of ['ca', 'cert', 'key'] as const) {
    if (tls[field] !== undefined && tls[`${field}_file`] !== undefined) refuse([...at, `${field}_file`], `give ${field} or ${field}_file, not both`, true);
  }
  const cert = tls.cert !== undefined || tls.cert_file !== undefined;
  const key = tls.key !== undefined || tls.key_file !== undefined;
  if (cert && !key) refuse([...at, tls.cert !== undefined ? 'cert' : 'cert_file'], 'a client certificate needs its key: give key or key_file too', true);
  if (key && !cert) refuse([...at, tls.key !== undefined ? 'key' : 'key_file'], 'a client key needs its certificate: give cert or cert_file too', true);
  return tls;
}

function refuseProxyFields(c: { no_proxy?: unknown; proxy_from_environment?: unknown; proxy_connect_header?: unknown }, at: PropertyKey[], refuse: Report): void {
  for (const field of ['no_proxy', 'proxy_from_environment', 'proxy_connect_header'] as const) {
    if (c[field] !== undefined) refuse([...at, field], `${field} is not supported; give proxy_url alone`, true);
  }
}

function translateOAuth2(o: NonNullable<HttpClient['oauth2']>, refuse: Report, noEnv: (value: string, at: PropertyKey[]) => boolean): Record<string, unknown> | undefined {
  const at = ['http_client_config', 'oauth2'];
  let ok = true;
  const fail: Report = (p, message, atKey) => {
    ok = false;
    refuse(p, message, atKey);
  };
  // Prometheus's own checks of the block.
  if (!o.client_id) fail(at, 'oauth2 client_id must be configured', true);
  if (!o.token_url) fail(at, 'oauth2 token_url must be configured', true);
  if (o.client_secret_ref !== undefined) fail([...at, 'client_secret_ref'], noSecretManager('client_secret_ref', 'client_secret or client_secret_file'), true);
  if (o.client_secret && o.client_secret_file) fail([...at, 'client_secret_file'], 'give client_secret or client_secret_file, not both', true);
  refuseProxyFields(o, at, fail);
  if (!ok) return undefined;
  if (!noEnv(o.client_id!, [...at, 'client_id'])) return undefined;
  const oauth2: Record<string, unknown> = { client_id: o.client_id };
  if (o.client_secret_file) oauth2.client_secret_file = o.client_secret_file;
  else {
    // Prometheus sends an empty secret when none is given.
    if (!noEnv(o.client_secret ?? '', [...at, 'client_secret'])) return undefined;
    oauth2.client_secret = o.client_secret ?? '';
  }
  oauth2.token_url = o.token_url;
  if (o.scopes?.length) oauth2.scopes = o.scopes;
  if (o.endpoint_params && Object.keys(o.endpoint_params).length) oauth2.endpoint_params = o.endpoint_params;
  if (o.tls_config) {
    const tls = translateTls(o.tls_config, [...at, 'tls_config'], fail);
    if (!ok) return undefined;
    if (Object.keys(tls).length) oauth2.tls = tls;
  }
  if (o.proxy_url) oauth2.proxy_url = o.proxy_url;
  return { oauth2 };
}
