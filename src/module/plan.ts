// What a module is once compiled: the plan a probe executes. Built by
// module/compile.ts at load (JSONPaths, templates, parsers, transports); a probe only
// reads it.
import type { ModuleSpec, TcpRequestSpec } from '../spec/schema.js';
import type { Transport } from '../fetch/transport.js';
import type { Expr } from '../mapping/expr.js';
import type { CompiledPath, Condition } from '../mapping/jsonpath.js';
import type { CompiledMetric } from '../mapping/plan.js';
import type { Parser } from '../parse/index.js';
import type { CompiledParam, RequestTemplate } from './url-plan.js';

export interface CompiledFollow {
  /** The request whose responses hold the links. */
  from: string;
  links: CompiledPath;
  /** For a link `X["@odata.id"]`: the objects X, which an expanded answer holds whole. */
  holders: CompiledPath | undefined;
  vars: Array<[string, Expr]>;
  /** Links are taken only from source documents where this holds. */
  when: Condition | undefined;
}

/** When the answer is complete. */
export type TcpTerminator =
  /** This exact line (a trailing CR ignored); the body is the lines before it. */
  | { line: string }
  /** Exactly this many bytes. */
  | { bytes: number }
  /** Everything until the device closes the connection (ZooKeeper's four-letter words). */
  | 'close'
  /** apcupsd NIS: records of a 2-byte big-endian length, until a zero-length record. Sent lines are framed the same way. */
  | { length_prefix: 2 }
  /** One RESP reply (Redis, Valkey): a bulk string `$<n>\r\n…\r\n` or a simple string `+…`; `-ERR …` fails. */
  | 'resp';

// A `tcp:` request's plan (src/protocols/tcp-request.ts compiles it, and sends it).
export type LineSlot = { param: string } | { credential: 'username' | 'password' };
/** A line as compiled: literal text and slots. */
export type LineTemplate = ReadonlyArray<string | LineSlot>;

export interface CompiledTcp {
  port: number;
  tls: TcpRequestSpec['tls'];
  login: LineTemplate[] | undefined;
  send: LineTemplate[];
  /** A `line` terminator is a template too (`END LIST VAR {ups}`). */
  until: Exclude<TcpTerminator, { line: string }> | { line: LineTemplate };
  quit: string | undefined;
  eol: '\n' | '\r\n' | '';
  errors: string[] | undefined;
  /** The params the lines use: checked for CR/LF/NUL before anything is sent. */
  params: string[];
}

export interface CompiledRequest {
  name: string;
  /** A `tcp:` request's lines and terminator; undefined for HTTP. */
  tcp: CompiledTcp | undefined;
  method: string;
  /** Path (and query) relative to the target; undefined means the target URL itself. Templates may use the module's params. */
  path: RequestTemplate | undefined;
  /** Query parameters added to the URL. */
  query: Array<[string, RequestTemplate]>;
  headers: Record<string, string>;
  body: RequestTemplate | undefined;
  /** Seconds a successful answer may be served from the cache; 0: never. */
  cacheSeconds: number;
  /** Where the request's links come from: none for a request with a path. */
  follows: CompiledFollow[];
  /** The request fails when its sources, all answered, held fewer links (0: no minimum). */
  minLinks: number;
  /** The request fails when, all its answers read, fewer of its followers found links in them (0: no minimum). */
  minFollowers: number;
  /** `$expand=.` on this request's links: the query parameter's value, where `when` holds on the source document. */
  expand: { value: string; when: Condition | undefined } | undefined;
  /** Higher starts first when fetches queue (modules with prioritized requests). */
  priority: number;
  parser: Parser;
  validStatus: (status: number) => boolean;
  optional: boolean;
  /** Requests that fan out from this one's responses. */
  followers: string[];
  /** A metric reads this request's documents: they are kept until the probe is mapped. */
  mapped: boolean;
  /** Variables available to metrics reading this request. */
  vars: ReadonlySet<string>;
}

export interface CompiledModule {
  name: string;
  description: string;
  file: string;
  /** The module as validated, for debug output. */
  spec: ModuleSpec;
  /** How the module's requests are sent (src/protocols/): all of one module's alike. */
  protocol: 'http' | 'tcp';
  scheme: 'http' | 'https';
  port: number | undefined;
  allowUrl: boolean;
  timeoutSeconds: number;
  concurrency: number;
  probeConcurrency: number;
  maxRequests: number;
  maxResponseBytes: number;
  /** Bytes all fetches of one probe may receive together. */
  maxProbeBytes: number;
  /** Values all parsers of one probe may build together. */
  maxParseValues: number;
  transport: Transport;
  /** The credentials used when the probe names none. */
  auth: string | undefined;
  /** Probe parameters the requests may use: name → default (null: the probe must give it) and constraint. */
  params: Map<string, CompiledParam>;
  requests: Map<string, CompiledRequest>;
  /** Requests that start at once (the ones that follow nothing). */
  roots: string[];
  /** A probe of this module can never have more requests in flight than probe_concurrency: no limiter needed. */
  boundedByShape: boolean;
  /** Some request has a priority: the probe starts its fetches in priority order. */
  prioritized: boolean;
  metrics: CompiledMetric[];
}
