// Stage one of a module's probe: fetch its requests under the limiters and the
// deadline, parse each answer, and launch the fan-outs that follow it as soon as it
// has arrived. What comes out is, per request, its documents and what its fetches did.
import pLimit from 'p-limit';
import type { Connections } from '../fetch/connections.js';
import { Deadline, timerMs } from '../fetch/deadline.js';
import type { Fetcher, FetchResult } from '../fetch/upstream.js';
import { evaluate } from '../mapping/expr.js';
import type { Document } from '../mapping/map.js';
import type { ProbeBudget } from './budget.js';
import type { ProbeLog } from './log.js';
import { protocolOf, type Protocol } from '../protocols/index.js';
import type { CompiledFollow, CompiledModule, CompiledRequest } from '../module/plan.js';
import type { ModuleRun } from '../protocols/index.js';

export interface RequestStats {
  fetches: number;
  /** Fetches answered from the cache. */
  cached: number;
  errors: number;
  bytes: number;
  /** First failed status, else the last status seen. */
  status: number;
  firstStart: number;
  lastEnd: number;
  /**
   * The parsed answers, with the variables their fan-out captured; only for requests a
   * metric reads (a document only followed is dropped once its links are launched).
   */
  docs: Document[];
  /** Documents read (answers and expanded resources), kept or not. */
  read: number;
  /** URLs fetched (a link found twice is fetched once). */
  seen: Set<string>;
}

export interface GatherOptions {
  fetcher: Fetcher;
  connections: Connections;
  timeoutSeconds: number;
  log: ProbeLog;
  /** `module/` when several modules are probed together, so their requests stay apart. */
  prefix: string;
  /** Log what every follow found, not only the follows that found nothing. */
  trace: boolean;
  /** What the module run may receive, parse and request; the caller releases it once the documents are mapped. */
  budget: ProbeBudget;
}

interface Attempt {
  req: CompiledRequest;
  url: URL;
  started: number;
  /** Asked with $expand: resources it holds whole are taken from it, not fetched. */
  expanded: boolean;
  /** False while it waits in the probe's priority queue. */
  sent: boolean;
}

export async function gather(run: ModuleRun, opts: GatherOptions): Promise<Map<string, RequestStats>> {
  return new Gathering(run, opts).run();
}

/**
 * One module run's fetches in flight, and what they found so far: the state gather()
 * works on, each field named, each step a method. Requests go out through the module's
 * protocol (src/protocols/), which says what the fetcher is to do for each.
 */
class Gathering {
  private readonly mod: CompiledModule;
  private readonly protocol: Protocol;
  private readonly stats = new Map<string, RequestStats>();
  private readonly deadline = new Deadline();
  private readonly probeLimit: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly limits: { takeValues: (n: number) => string | undefined; due: number };
  /** Fetches sent (or queued) and not settled. */
  private readonly pending = new Set<Attempt>();
  /** Answers being parsed: at the deadline, their parse stops at its next slice. */
  private readonly parsing = new Set<Attempt>();
  /** The deadline passed: answers still arriving are counted, not read. */
  private timedOut = false;
  /** Nothing more is recorded. */
  private closed = false;
  private launched = 0;
  private outstanding = 0;
  private allDone!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.allDone = resolve));
  private overLimit = false;
  /** Per source with min_followers: the followers that found links in its answers. */
  private readonly led = new Map<string, Set<string>>();
  // Prioritized modules: fetches wait here, highest priority first, and at most the
  // device's concurrency of them are sent at once, so that when the deadline cuts the
  // probe, what it cut is what the module marked least important.
  private readonly queue: Array<{ priority: number; send: () => void }> = [];
  private sending = 0;
  /** The budget's reason has been logged once: every later fetch it stops fails quietly. */
  private budgetReported = false;

  constructor(
    private readonly runOf: ModuleRun,
    private readonly opts: GatherOptions,
  ) {
    this.mod = runOf.module;
    this.protocol = protocolOf(this.mod);
    for (const name of this.mod.requests.keys()) {
      this.stats.set(name, { fetches: 0, cached: 0, errors: 0, bytes: 0, status: 0, firstStart: Infinity, lastEnd: 0, docs: [], read: 0, seen: new Set() });
    }
    this.deadline.due = performance.now() + opts.timeoutSeconds * 1000;
    this.probeLimit = this.mod.boundedByShape ? passThrough : pLimit(this.mod.probeConcurrency);
    const budget = opts.budget;
    this.limits = { takeValues: (n: number) => budget.takeValues(n), due: this.deadline.due };
  }

  async run(): Promise<Map<string, RequestStats>> {
    const { mod, stats, opts } = this;
    for (const name of mod.roots) {
      const req = mod.requests.get(name)!;
      this.launch(req, this.runOf.urls.get(name)!, this.runOf.params);
    }
    if (this.outstanding > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timerMs(opts.timeoutSeconds));
      });
      await Promise.race([this.finished, timeUp]);
      clearTimeout(timer);
    }
    // Aborting builds an Error: only worth it when something is still running.
    if (this.pending.size > 0 || this.parsing.size > 0) {
      this.timedOut = true;
      this.deadline.abort();
      // Fetches end within moments of the abort with what they had received (a status, the
      // bytes of a body still trickling in): wait that long, no longer, to report it.
      await Promise.race([this.finished, new Promise((resolve) => setTimeout(resolve, LATE_GRACE_MS))]);
    }
    this.closed = true;
    const now = performance.now();
    const timeout = seconds(opts.timeoutSeconds);
    for (const attempt of this.pending) {
      const s = stats.get(attempt.req.name)!;
      if (!attempt.sent) {
        this.fail(attempt.req, `${this.where(attempt)}: not fetched, deadline of ${timeout}s reached first (priority ${attempt.req.priority})`);
        continue;
      }
      s.fetches++;
      s.lastEnd = now;
      this.fail(attempt.req, `${this.where(attempt)}: deadline of ${timeout}s exceeded`);
    }
    for (const attempt of this.parsing) {
      this.fail(attempt.req, `${this.where(attempt)}: deadline of ${timeout}s exceeded while parsing the answer`);
    }
    // A fan-out whose sources all answered but held too few links: the device is shaped
    // unlike the module expects (no chassis found at all), which must not pass for success.
    const answered = (req: CompiledRequest): boolean =>
      stats.get(req.name)!.errors === 0 && req.follows.every((f) => answered(mod.requests.get(f.from)!));
    for (const req of mod.requests.values()) {
      const s = stats.get(req.name)!;
      if (req.minLinks === 0 || s.seen.size >= req.minLinks || !answered(req)) continue;
      const where = req.follows.map((f) => `${f.links.source} in ${f.from}`).join(', ');
      this.fail(req, `${s.seen.size === 0 ? 'no links' : `${s.seen.size} link${s.seen.size === 1 ? '' : 's'}`} found (${where}); at least ${req.minLinks} expected`);
    }
    // An index (a service root) that links nothing the module reads: shaped unlike any
    // device the module is for, which must not pass for success either.
    for (const req of mod.requests.values()) {
      if (req.minFollowers === 0 || !answered(req) || stats.get(req.name)!.read === 0) continue;
      const found = this.led.get(req.name)?.size ?? 0;
      if (found >= req.minFollowers) continue;
      this.fail(req, `links for ${found === 0 ? 'none' : `only ${found}`} of ${req.followers.join(', ')} found; at least ${req.minFollowers} expected`);
    }
    return stats;
  }

  private where(attempt: Attempt): string {
    return this.protocol.describe(attempt.req, attempt.url, this.runOf.params);
  }

  private pump(): void {
    while (this.sending < this.mod.concurrency && this.queue.length > 0 && !this.timedOut) {
      this.sending++;
      this.queue.shift()!.send();
    }
  }

  private fail(req: CompiledRequest, message: string): void {
    const { log, prefix, budget } = this.opts;
    this.stats.get(req.name)!.errors++;
    const text = `${prefix}${req.name}: ${message}`;
    if (budget.exceeded !== undefined && message.endsWith(budget.exceeded)) {
      // A spent budget fails the probe, optional request or not: it is the probe that
      // cost too much, not that request.
      if (this.budgetReported) return log.add('debug', text);
      this.budgetReported = true;
      return log.fail(text);
    }
    if (req.optional) log.add('warn', `${text} (optional request)`);
    else log.fail(text);
  }

  private launch(req: CompiledRequest, url: URL, vars: Readonly<Record<string, unknown>>, expand?: string): void {
    const { mod, opts } = this;
    const s = this.stats.get(req.name)!;
    const id = resourceKey(url);
    if (s.seen.has(id)) return;
    s.seen.add(id);
    if (opts.budget.exceeded !== undefined) {
      this.fail(req, `${url.pathname} not fetched: ${opts.budget.exceeded}`);
      return;
    }
    if (this.launched >= mod.maxRequests) {
      if (!this.overLimit) this.fail(req, `more than max_requests (${mod.maxRequests}) upstream requests; ${url.pathname} and later links not fetched`);
      this.overLimit = true;
      return;
    }
    this.launched++;
    opts.budget.requests = this.launched;
    this.outstanding++;
    // As DSP0266 writes it: `$` unescaped (BMCs match the literal name).
    if (expand !== undefined) url.search = `${url.search.length > 1 ? `${url.search}&` : '?'}$expand=${expand}`;
    const attempt: Attempt = { req, url, started: performance.now(), expanded: expand !== undefined, sent: !mod.prioritized };
    this.pending.add(attempt);
    s.firstStart = Math.min(s.firstStart, attempt.started);
    if (!mod.prioritized) return this.send(attempt, vars);
    const at = this.queue.findIndex((q) => q.priority < req.priority);
    const entry = {
      priority: req.priority,
      send: () => {
        attempt.sent = true;
        this.send(attempt, vars);
      },
    };
    if (at < 0) this.queue.push(entry);
    else this.queue.splice(at, 0, entry);
    this.pump();
  }

  private send(attempt: Attempt, vars: Readonly<Record<string, unknown>>): void {
    const { req, url } = attempt;
    const { opts, mod } = this;
    const budget = opts.budget;
    opts.log.add('debug', `${opts.prefix}${req.name}: ${req.tcp ? this.where(attempt) : `${req.method} ${url.href}`}`);
    // What this fetch streamed into the budget; an answer shared with another probe's
    // fetch, or from the cache, is taken whole when it settles.
    let streamed = 0;
    const take = (n: number): string | undefined => {
      streamed += n;
      return budget.takeBytes(n);
    };
    // Not awaited: answers are read as they arrive, and `finished` says when the last
    // one is in. Handled to its end: a failed fetch becomes a failed FetchResult, and
    // the .catch below takes whatever reading the answer threw.
    void opts.fetcher
      .fetch(this.protocol.fetchSpec({ run: this.runOf, req, url, connections: opts.connections, probeLimit: this.probeLimit, signal: this.deadline, take }))
      // A fetch that throws is a failed fetch; settling it is another matter: a failure
      // there (a library limit on a hostile document) is that request's error, and the
      // fetch is still counted once.
      .then(
        (res) => res,
        (err: unknown): FetchResult => ({ ok: false, status: 0, bytes: 0, body: undefined, contentType: undefined, headers: {}, error: String(err), seconds: 0, cached: false }),
      )
      .then(async (res) => {
        if (this.closed) return;
        if (this.timedOut) return this.late(attempt, res);
        try {
          await this.settle(attempt, res, vars, res.bytes - streamed);
        } catch (err) {
          if (!this.closed) this.fail(req, `${this.where(attempt)}: ${(err as Error).message}`);
        }
      })
      // settle() reports its own throws above; anything else thrown on the way (late(),
      // fail() itself) is this request's error too while the probe is open, and never an
      // unhandled rejection, which would end the exporter.
      .catch((err: unknown) => {
        if (!this.closed) this.fail(req, `${this.where(attempt)}: ${String(err)}`);
      })
      .finally(() => {
        if (mod.prioritized) {
          this.sending--;
          this.pump();
        }
        if (--this.outstanding === 0) this.allDone();
      });
  }

  private async settle(attempt: Attempt, res: FetchResult, vars: Readonly<Record<string, unknown>>, unpaid: number): Promise<void> {
    const { opts } = this;
    this.pending.delete(attempt);
    const { req, url } = attempt;
    const s = this.stats.get(req.name)!;
    s.fetches++;
    if (res.cached) s.cached++;
    s.bytes += res.bytes;
    s.lastEnd = Math.max(s.lastEnd, performance.now());
    if (s.errors === 0) s.status = res.status;
    const where = this.where(attempt);
    if (!res.ok) return this.fail(req, `${where}: ${res.error}`);
    const status = this.protocol.statusCode ? `${res.status}, ` : '';
    opts.log.add('debug', `${opts.prefix}${req.name}: ${where} -> ${status}${res.bytes} bytes ${res.cached ? 'from the cache' : `in ${res.seconds.toFixed(3)}s`}`);
    if (!req.validStatus(res.status)) return this.fail(req, `${where}: unexpected HTTP status ${res.status}`);
    const spent = unpaid > 0 ? opts.budget.takeBytes(unpaid) : opts.budget.exceeded;
    if (spent) return this.fail(req, `${where}: ${spent}`);
    // An answer that arrives as the deadline passes is not parsed: the probe is over.
    if (performance.now() >= this.deadline.due!) return this.fail(req, `${where}: deadline of ${seconds(opts.timeoutSeconds)}s exceeded before the answer was parsed`);
    this.parsing.add(attempt);
    let parsed;
    try {
      parsed = await req.parser(res.body ?? Buffer.alloc(0), res.contentType, this.limits);
    } finally {
      this.parsing.delete(attempt);
    }
    if (this.closed) return;
    if (!parsed.ok) return this.fail(req, `${where}: ${parsed.error}`);
    this.accept(req, parsed.doc, url, where, vars, attempt.expanded);
  }

  /** A document of `req` (an answer, or a resource an expanded answer held), and the links it holds. */
  private accept(req: CompiledRequest, doc: unknown, url: URL, where: string, vars: Readonly<Record<string, unknown>>, expanded: boolean): void {
    const s = this.stats.get(req.name)!;
    s.read++;
    if (req.mapped) s.docs.push({ doc, vars });
    for (const name of req.followers) {
      const follower = this.mod.requests.get(name)!;
      for (const spec of follower.follows) if (spec.from === req.name) this.follow(follower, spec, doc, url, where, vars, expanded);
    }
  }

  /** A resource an expanded answer holds whole: read as if fetched, and not fetched. */
  private inline(req: CompiledRequest, doc: unknown, url: URL, where: string, vars: Readonly<Record<string, unknown>>): void {
    const { opts } = this;
    const s = this.stats.get(req.name)!;
    const id = resourceKey(url);
    if (s.seen.has(id)) return;
    s.seen.add(id);
    const now = performance.now();
    s.firstStart = Math.min(s.firstStart, now);
    s.lastEnd = Math.max(s.lastEnd, now);
    if (opts.trace) opts.log.add('debug', `${opts.prefix}${req.name}: ${url.pathname} expanded in ${where}`);
    try {
      this.accept(req, doc, url, `${url.pathname} (expanded in ${where})`, vars, true);
    } catch (err) {
      this.fail(req, `${url.pathname} (expanded in ${where}): ${(err as Error).message}`);
    }
  }

  // The links a follower finds in one answer of its source, each launched at once.
  private follow(follower: CompiledRequest, spec: CompiledFollow, doc: unknown, url: URL, where: string, vars: Readonly<Record<string, unknown>>, expanded = false): void {
    const { opts, mod } = this;
    const { log, prefix } = opts;
    if (spec.when && !spec.when.holds(doc, vars)) {
      if (opts.trace) log.add('debug', `${prefix}${follower.name}: not followed from ${where}: when ${spec.when.source} does not hold`);
      return;
    }
    let childVars = vars;
    if (spec.vars.length) {
      const captured: Record<string, unknown> = { ...vars };
      const scope = { item: doc, key: undefined, vars };
      for (const [v, expr] of spec.vars) captured[v] = evaluate(expr, scope);
      childVars = captured;
    }
    // In an expanded answer a link's object may hold its resource whole: taken as it is.
    const holders = expanded && spec.holders ? spec.holders.all(doc) : undefined;
    const links = holders
      ? holders.filter((h) => isRecord(h.value) && Object.hasOwn(h.value, '@odata.id')).map((h) => ({ value: (h.value as Record<string, unknown>)['@odata.id'], key: '@odata.id', holder: h.value }))
      : spec.links.all(doc);
    const expand = follower.expand && (!follower.expand.when || follower.expand.when.holds(doc, childVars)) ? follower.expand.value : undefined;
    if (links.length > 0 && mod.requests.get(spec.from)!.minFollowers > 0) {
      let followers = this.led.get(spec.from);
      if (!followers) this.led.set(spec.from, (followers = new Set()));
      followers.add(follower.name);
    }
    // A follow that finds nothing is how a device shaped unlike the module's author
    // expected shows itself: always said, so that --explain and debug=true show it.
    if (links.length === 0) log.add('debug', `${prefix}${follower.name}: ${spec.links.source} matched nothing in ${where} (0 links)`);
    else if (opts.trace) log.add('debug', `${prefix}${follower.name}: ${spec.links.source} matched ${links.length} link${links.length === 1 ? '' : 's'} in ${where}`);
    const origin = this.runOf.target.base.origin;
    for (const link of links) {
      if (typeof link.value !== 'string') {
        this.fail(follower, `${spec.links.source} in ${where} matched a ${link.value === null ? 'null' : typeof link.value}, not a link`);
        continue;
      }
      let next: URL;
      try {
        next = new URL(link.value, url);
      } catch {
        this.fail(follower, `link ${JSON.stringify(link.value)} in ${where} is not a valid URL`);
        continue;
      }
      if (next.origin !== origin) {
        this.fail(follower, `link ${JSON.stringify(link.value)} in ${where} leaves the target (${origin}); not followed`);
        continue;
      }
      if ('holder' in link && isExpanded(link.holder)) this.inline(follower, link.holder, next, where, childVars);
      else this.launch(follower, next, childVars, expand);
    }
  }

  /** An answer cut by the deadline: what arrived is counted, and the request failed. */
  private late(attempt: Attempt, res: FetchResult): void {
    this.pending.delete(attempt);
    const s = this.stats.get(attempt.req.name)!;
    s.fetches++;
    s.bytes += res.bytes;
    s.lastEnd = Math.max(s.lastEnd, performance.now());
    if (s.errors === 0) s.status = res.status;
    const what = res.status ? ` (HTTP ${res.status}, ${res.bytes} bytes received)` : res.bytes ? ` (${res.bytes} bytes received)` : '';
    this.fail(attempt.req, `${this.where(attempt)}: deadline of ${seconds(this.opts.timeoutSeconds)}s exceeded${what}`);
  }
}

/** How long fetches cut at the deadline get to report what they received. */
const LATE_GRACE_MS = 50;

function seconds(n: number): number {
  return Number(n.toFixed(3));
}

const passThrough = <T>(fn: () => Promise<T>): Promise<T> => fn();

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A link's object that holds its resource, not just the reference: a resource has
 * properties (Name, Id, Members), a reference only `@odata.id` and annotations.
 */
function isExpanded(holder: unknown): boolean {
  if (!isRecord(holder)) return false;
  for (const k in holder) if (!k.startsWith('@')) return true;
  return false;
}

/**
 * What makes two links one resource: the URL without a trailing slash on its path
 * (Redfish lists `/Chassis/1/` in one place and `/Chassis/1` in another; no status
 * page serves two different things at the two).
 */
function resourceKey(url: URL): string {
  const p = url.pathname;
  // Without the fragment: cut at the first # (/#.*$/ backtracked over a link of many #s).
  return p.length > 1 && p.endsWith('/') ? `${url.origin}${p.slice(0, -1)}${url.search}` : url.hash ? url.href.slice(0, url.href.indexOf('#')) : url.href;
}
