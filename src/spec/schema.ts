// The shape of apiprobe.yml and module files. Structure only: cross-references
// (a metric's `from`, a follow's source, JSONPath syntax) are checked in compile.ts,
// which reports them with the same file:line:column precision.
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A string matching `re`; the message names the bad value and the expected form. */
function named(what: string, re: RegExp, form: string) {
  return z.string().regex(re, { error: (iss) => `${JSON.stringify(iss.input)} is not a valid ${what} (expected ${form})` });
}
/** One of `values`; the message names the bad value and the choices. */
export function oneOf<const T extends readonly [string, ...string[]]>(what: string, values: T) {
  return z.enum(values, { error: (iss) => `unknown ${what} ${JSON.stringify(iss.input)} (expected one of: ${values.join(', ')})` });
}

export const MetricName = named('metric name', METRIC_NAME, '[a-zA-Z_:][a-zA-Z0-9_:]*');
export const LabelName = named('label name', LABEL_NAME, '[a-zA-Z_][a-zA-Z0-9_]*');
export const ModuleName = named('module name', MODULE_NAME, '[A-Za-z0-9][A-Za-z0-9_.-]*');
const RequestName = named('request name', IDENT, '[A-Za-z_][A-Za-z0-9_]*');
const VarName = named('variable name', IDENT, '[A-Za-z_][A-Za-z0-9_]*');

/** The longest a timer can wait (2^31−1 ms, ~24.8 days): a longer one fires at once. */
const TIMER_MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A duration in seconds, at most `maxSeconds` (`limit` says what the bound is in words). */
export function duration(maxSeconds = TIMER_MAX_SECONDS, limit = 'the longest a timer can wait') {
  return z
    .union([z.number().positive(), z.string()], { error: 'expected a duration such as 500ms, 10s or 1m30s, or a number of seconds' })
    .transform((v, ctx) => {
      const seconds = typeof v === 'number' ? v : parseDuration(v);
      if (seconds === undefined) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a duration (examples: 500ms, 10s, 1m30s)` });
        return z.NEVER;
      }
      if (seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)}: a duration must be longer than 0` });
        return z.NEVER;
      }
      if (seconds > maxSeconds) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is longer than ${formatDuration(maxSeconds)} (${limit})` });
        return z.NEVER;
      }
      return seconds;
    });
}

export const Duration = duration();

const Scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });
const StringMap = z.record(z.string(), z.string());

export const FollowSchema = z.strictObject({
  from: z.string().describe('The request whose responses hold the links'),
  path: z.string().describe('JSONPath selecting the links (paths or same-origin URLs)'),
  vars: z.record(VarName, z.string()).optional()
    .describe('Variables captured from the source document, usable as {name} in labels'),
  when: z.string().optional()
    .describe('RFC 9535 filter expression on the source document (@), variables as $.name: links are taken only from documents where it holds, e.g. !@.ThermalSubsystem'),
});

const FORMATS = ['auto', 'json', 'kv', 'regex', 'csv', 'xml', 'nut'] as const;
export const FormatSchema = z.union([
  oneOf('format', FORMATS),
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.enum(['auto', 'json', 'nut']) }),
    z.strictObject({ type: z.literal('kv'), separator: z.string().min(1).optional() }),
    z.strictObject({
      type: z.literal('regex'),
      pattern: z.string().describe('Regular expression with named groups (?<name>…)'),
      match: oneOf('match', ['first', 'all']).default('first'),
    }),
    z.strictObject({ type: z.literal('csv'), delimiter: z.string().length(1).optional() }),
    z.strictObject({ type: z.literal('xml'), arrays: z.array(z.string()).optional().describe('Elements that are always lists') }),
  ], { error: `expected a format name (${FORMATS.join(', ')}) or { type: <format>, …options }` }),
], { error: `expected a format name (${FORMATS.join(', ')}) or { type: <format>, …options }` });

// The `tcp` request kind (issue 19): a line/record status port (NUT upsd, apcupsd NIS,
// memcached, ZooKeeper, Redis), fetched by src/protocols/tcp-request.ts.
export const TcpRequestSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).describe('The port when the target gives none'),
  tls: oneOf('tls', ['none', 'tls', 'starttls']).default('none')
    .describe('none: clear text; tls: TLS from the first byte (stunnel); starttls: upsd\'s STARTTLS before anything else is sent'),
  login: z.array(z.string()).min(1).optional()
    .describe('Lines sent first when the probe has a basic auth, each answered OK; {username} and {password} are the auth\'s'),
  send: z.array(z.string()).min(1).describe('The request lines; {name} is a probe parameter with an enum or a pattern'),
  until: z.union([
    z.strictObject({ line: z.string().min(1) }),
    z.strictObject({ bytes: z.number().int().min(1) }),
    z.strictObject({ length_prefix: z.literal(2) }),
    z.enum(['close', 'resp']),
  ], { error: 'expected { line: <text> }, { bytes: <n> }, { length_prefix: 2 }, close or resp' })
    .describe('Where the answer ends: this line, a byte count, length-prefixed records (apcupsd NIS), the device closing the connection, or one RESP reply (Redis)'),
  quit: z.string().optional().describe('Sent after the answer (LOGOUT, quit); its answer is not awaited'),
  eol: z.enum(['\n', '\r\n', '']).default('\n').describe('What ends each line sent'),
  errors: z.array(z.string().min(1)).optional().describe('First-line prefixes that mean the device refused the request (ERR , SERVER_ERROR)'),
});

export const RequestSchema = z.strictObject({
  tcp: TcpRequestSchema.optional()
    .describe('A TCP line/record request instead of HTTP: the HTTP fields (path, follow, method, headers, query, body, valid_status_codes, expand) do not apply'),
  path: z.string().optional().describe('Path (and query) on the target; omitted: the target URL itself'),
  follow: z.union([FollowSchema, z.array(FollowSchema).min(1)], { error: 'expected { from, path } or a list of them' }).optional()
    .describe('Fetch the links found in the responses of another request (or of several: a link found twice is fetched once)'),
  min_links: z.number().int().min(1).optional()
    .describe('The request fails when its sources, all answered, hold fewer links than this (a device shaped unlike the module expects)'),
  min_followers: z.number().int().min(1).optional()
    .describe('The request fails when, all its answers read, the links of fewer than this many of the requests following it were found in them (an index such as a service root that offers nothing the module reads)'),
  expand: z.strictObject({
    levels: z.number().int().min(1).max(6).default(1).describe('How many levels of subordinate resources the answer holds ($levels)'),
    when: z.string().optional()
      .describe('RFC 9535 filter expression on the source document (@), variables as $.name: ask for expansion only where it holds, e.g. $.expand for a variable captured from the service root'),
  }).optional()
    .describe('OData/Redfish $expand=.: the links this request follows are fetched with subordinate resources expanded in the answer; followers take an expanded resource from it instead of fetching it'),
  priority: z.number().int().min(-100).max(100).default(0)
    .describe('Under the device\'s concurrency, fetches of a higher priority start first (health before bulk sensors, should the deadline cut the probe)'),
  method: oneOf('method', ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  headers: StringMap.optional(),
  query: z.record(z.string(), Scalar).optional(),
  body: z.string().optional(),
  // JSON unless the module says otherwise: a device's Content-Type must not pick the parser
  // (and with it the memory a body costs); `auto` is the module opting in to that.
  format: FormatSchema.default('json')
    .describe('How to read the body: json (the default), kv, regex, csv, xml, or auto (the answer\'s content type picks XML, CSV or JSON)'),
  valid_status_codes: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  optional: z.boolean().default(false)
    .describe('A failure of this request does not set probe_success to 0'),
  cache_ttl: Duration.optional().describe('Serve successful answers from a cache this long (slow devices)'),
});

export const EachStepSchema = z.union([
  z.string(),
  z.strictObject({
    path: z.string(),
    vars: z.record(VarName, z.string()).optional(),
  }),
], { error: 'expected a JSONPath or { path, vars }' });

export const MetricSchema = z.strictObject({
  name: MetricName,
  help: z.string().optional(),
  type: oneOf('type', ['gauge', 'counter', 'untyped', 'info', 'stateset']).default('gauge'),
  from: z.string(),
  each: z.union([z.string(), z.array(EachStepSchema).min(1)], { error: 'expected a JSONPath or a list of steps' }).optional(),
  labels: z.record(LabelName, Scalar).optional(),
  value: Scalar.optional(),
  value_map: z.record(z.string(), z.number()).optional(),
  ignore_case: z.boolean().default(false),
  scale: z.number().optional(),
  regex: z.string().optional().describe('Extract the value from a string: the group named "value", else the first group'),
  convert: oneOf('convert', ['number', 'size', 'duration', 'timestamp', 'hex', 'length', 'count']).default('number')
    .describe('How the value becomes a number: number, size (bytes), duration (seconds), timestamp (unix seconds), hex, length (of a list, map or string), count (matches of regex in a string)'),
  states: z.array(z.string()).min(1).optional(),
  on_missing: oneOf('on_missing', ['report', 'skip', 'error']).default('report')
    .describe('A value not found: report (no series; a definition that finds nothing at all counts in probe_metrics_absent and is logged), skip (optional: quiet), error (fails the probe)'),
  timestamp: Scalar.optional()
    .describe('Expression giving the sample\'s timestamp in milliseconds since the epoch (a number or a numeric string)'),
  when: z.string().optional()
    .describe('RFC 9535 filter expression on the item (@), variables as $.name: series only for items where it holds, e.g. @.ReadingType == "Temperature"'),
  go_text: z.boolean().default(false)
    .describe('Read labels and the value as json_exporter does: matches printed as Go prints them and joined by spaces, values parsed as Go parses them (null is NaN)'),
});

export const TargetSchema = z.strictObject({
  scheme: oneOf('scheme', ['http', 'https']).default('http'),
  port: z.number().int().min(1).max(65535).optional(),
  url: z.boolean().default(false).describe('Accept a full URL with a path as target'),
});

export const TlsSchema = z.strictObject({
  insecure_skip_verify: z.boolean().default(false),
  ca_file: z.string().optional().describe('PEM file of the CAs that sign the devices\' certificates'),
  ca: z.string().optional().describe('The CAs as PEM text, instead of ca_file'),
  cert_file: z.string().optional().describe('PEM client certificate, for devices that require one'),
  cert: z.string().optional().describe('The client certificate as PEM text, instead of cert_file'),
  key_file: z.string().optional().describe('PEM key of the client certificate'),
  key: z.string().optional().describe('The client certificate\'s key as PEM text, instead of key_file (under auths: only: it is a secret)'),
  server_name: z.string().optional().describe('Name to verify the device certificate against (and send as SNI)'),
  pins: z.array(z.string()).min(1).optional()
    .describe('SHA-256 fingerprints, one of which the device certificate must match: AB:CD:… or 64 hex digits (of the certificate), spki:<hex> or sha256/<base64> (of its public key). Without ca/ca_file the pin alone decides (a self-signed certificate is accepted); with one, the chain is verified too'),
  trust: oneOf('trust', ['ca', 'first_use']).optional()
    .describe('first_use: the public key a device presents first is recorded (tls.known_hosts_file of apiprobe.yml) and later connections must present the same one. ca: the chain is verified against ca/ca_file or the system\'s CAs, pins or not. Not given: the CAs, unless pins apply (they replace the CAs when no ca/ca_file is given)'),
});

const Credential = {
  username: z.string(),
  password: z.string().optional().describe('The password; ${ENV} is expanded'),
  password_file: z.string().optional().describe('File holding the password, re-read when it changes'),
};

const LoginSchema = z.strictObject({
  method: oneOf('method', ['POST', 'GET', 'PUT']).default('POST'),
  path: z.string(),
  headers: StringMap.optional(),
  body: z.string().optional().describe('Request body; {username} and {password} are filled in as they are'),
  json: z.record(z.string(), z.unknown()).optional()
    .describe('JSON body; {username} and {password} in its strings are filled in and JSON-escaped'),
  form: StringMap.optional().describe('Form body (application/x-www-form-urlencoded); {username} and {password} filled in'),
});

export const SessionSchema = z.strictObject({
  ...Credential,
  login: LoginSchema,
  token: z.strictObject({
    header: z.string().optional().describe('Response header holding the token (Redfish: X-Auth-Token)'),
    json: z.string().optional().describe('JSONPath of the token in the response body'),
    cookie: z.string().optional().describe('Cookie set by the response'),
  }),
  use: z.strictObject({
    header: z.string().optional(),
    prefix: z.string().optional().describe('Text before the token in the header, e.g. "Bearer "'),
    cookie: z.string().optional(),
    query: z.string().optional(),
  }),
  logout: z.strictObject({
    method: oneOf('method', ['DELETE', 'POST', 'GET']).default('DELETE'),
    path: z.string().optional(),
    location: z.boolean().default(false).describe('Log out at the URL the login answered in its Location header (Redfish)'),
  }).optional(),
  ttl: Duration.default(600).describe('How long a session is reused before logging in again'),
});

// RFC 6749 §4.4, with the fields of Prometheus's oauth2 block (json_exporter's too).
export const OAuth2Schema = z.strictObject({
  client_id: z.string().describe('The client identifier; ${ENV} is expanded'),
  client_secret: z.string().optional().describe('The client secret; ${ENV} is expanded'),
  client_secret_file: z.string().optional().describe('File holding the client secret, re-read when it changes'),
  token_url: z.string().describe('The token endpoint (http:// or https://)'),
  scopes: z.array(z.string()).optional().describe('Scopes asked for (the scope parameter, joined by spaces)'),
  endpoint_params: StringMap.optional().describe('Further form parameters of the token request'),
  tls: TlsSchema.optional().describe('TLS settings for the token endpoint'),
  proxy_url: z.string().optional().describe('HTTP(S) proxy for the token endpoint'),
});

export const AuthSchema = z.strictObject({
  basic: z.strictObject(Credential).optional(),
  digest: z.strictObject(Credential).optional(),
  bearer: z.strictObject({ token: z.string().optional(), token_file: z.string().optional() }).optional(),
  api_key: z.strictObject({
    header: z.string().optional(),
    query: z.string().optional(),
    value: z.string().optional(),
    value_file: z.string().optional(),
  }).optional(),
  session: SessionSchema.optional(),
  oauth2: OAuth2Schema.optional().describe('OAuth 2.0 client credentials: a token from token_url, sent as Authorization: Bearer'),
  targets: z.array(z.string()).optional().describe('Targets these credentials may be sent to (CIDRs, host patterns); default: any allowed target'),
  tls: TlsSchema.optional().describe('TLS settings used with these credentials (client certificates)'),
});

export const TargetsSchema = z.strictObject({
  allow: z.array(z.string()).default([]).describe('When not empty, only targets matching a rule may be probed'),
  deny: z.array(z.string()).default([]).describe('Targets never probed (besides the built-in link-local and metadata rules)'),
});

export const ParamSchema = z.strictObject({
  default: z.union([z.string(), z.null()]).optional().describe('The value when the probe gives none; absent or null: the probe must give it'),
  enum: z.array(z.string()).min(1).optional().describe('The values allowed'),
  pattern: z.string().optional()
    .describe('RE2 regular expression the whole value must match (a linear-time engine: no lookaround, no backreferences)'),
});

export const ModuleSchema = z.strictObject({
  description: z.string().default(''),
  target: TargetSchema.default({ scheme: 'http', url: false }),
  timeout: duration(3600, 'the longest a probe may take').default(10),
  concurrency: z.number().int().min(1).max(256).default(4),
  probe_concurrency: z.number().int().min(1).max(1024).default(16),
  max_requests: z.number().int().min(1).max(100_000).default(500),
  // Bodies become one string to parse: V8's strings stop at 512 MiB; well under that.
  max_response_bytes: z.number().int().min(1).max(256 * 1024 * 1024, { error: 'at most 268435456 (256 MiB): a body is parsed in memory as one string' }).default(16 * 1024 * 1024),
  // A probe's budget, all its fetches together. Defaults: two answers of the largest
  // size and a million parsed values (~64 MiB of heap, the cost of 3 MiB of `[{},{},…]`);
  // a large Redfish service takes a few MiB and a few hundred thousand values.
  max_probe_bytes: z.number().int().min(1).max(1024 * 1024 * 1024).default(32 * 1024 * 1024)
    .describe('Bytes all the fetches of one probe may receive together (past it: probe_success 0)'),
  max_parse_values: z.number().int().min(1).max(100_000_000).default(1_000_000)
    .describe('Values (objects, arrays, numbers, strings, CSV fields, XML elements and attributes) the parsers of one probe may build together'),
  headers: StringMap.optional(),
  tls: TlsSchema.default({ insecure_skip_verify: false }),
  proxy_url: z.string().optional().describe('HTTP(S) proxy for the requests of this module'),
  follow_redirects: z.boolean().default(false)
    .describe('Follow HTTP redirects (up to 10); a redirect to another host is checked against the target rules and gets no credentials'),
  converted_from: oneOf('converted_from', ['json_exporter']).optional()
    .describe('The module was converted from another exporter\'s configuration and keeps its metric names as they were'),
  auth: z.string().optional().describe('Default credentials, by name under auths: (the probe may name others with &auth=)'),
  params: z.record(VarName, z.union([z.string(), z.null(), ParamSchema], { error: 'expected a default value, null (required), or { default, enum | pattern }' })).optional()
    .describe('Probe query parameters requests may use as {name} in path, query and body: name → default (null: required), or { default, enum | pattern }'),
  requests: z.record(RequestName, RequestSchema),
  metrics: z.array(MetricSchema).default([]),
});

export const ModuleFileSchema = z.strictObject({
  modules: z.record(ModuleName, ModuleSchema),
});

export const MainConfigSchema = z.strictObject({
  include: z.array(z.string()).default([]).describe('Module files, as globs relative to this file'),
  modules: z.record(ModuleName, ModuleSchema).default({}),
  auths: z.record(ModuleName, AuthSchema).default({}).describe('Credentials by name, kept out of modules and of Prometheus'),
  targets: TargetsSchema.default({ allow: [], deny: [] }),
  tls: z.strictObject({
    known_hosts_file: z.string().optional()
      .describe('State file of trust: first_use: the key first seen per device (kept in memory only when not given: a restart records anew)'),
    pins_file: z.string().optional()
      .describe('YAML file mapping devices (host:port) to fingerprints, checked on every module\'s connections to them; read again on reload'),
  }).optional().describe('Device trust shared by all modules'),
});

// The same files with each module left unchecked: load.ts validates modules one by one,
// so that a broken module does not hide the problems of the others.
export const ModuleFileShell = ModuleFileSchema.extend({ modules: z.record(ModuleName, z.unknown()) });
export const MainConfigShell = MainConfigSchema.extend({ modules: z.record(ModuleName, z.unknown()).default({}) });

export type ModuleSpec = z.output<typeof ModuleSchema>;
export type RequestSpec = z.output<typeof RequestSchema>;
export type TcpRequestSpec = z.output<typeof TcpRequestSchema>;
export type MetricSpec = z.output<typeof MetricSchema>;
export type AuthSpec = z.output<typeof AuthSchema>;
export type TlsSpec = z.output<typeof TlsSchema>;
export type SessionSpec = z.output<typeof SessionSchema>;
export type OAuth2Spec = z.output<typeof OAuth2Schema>;
export type EachStepSpec = z.output<typeof EachStepSchema>;
export type FollowSpec = z.output<typeof FollowSchema>;
