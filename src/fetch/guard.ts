// Which addresses the exporter may connect to. Checked on the resolved address,
// and the connection is made to that very address (the connector below asks the
// guard, never the resolver directly), so a name that resolves differently a moment
// later cannot slip past (DNS rebinding).
//
// A host is judged as the address it denotes however it is spelt (address.ts: the
// URL parser decides, as it does for undici), and an address by every address a
// connection to it may reach (its views: 0.0.0.0 is also 127.0.0.1, 64:ff9b::a9fe:a9fe
// is also 169.254.169.254). Deny rules refuse a target when any view matches; an allow
// list lets it through only when every view matches (see HostMatcher).
import { lookup } from 'node:dns/promises';

import { contains, formatAddress, MAX_NAME, parseHost, parseIP, parseNetwork, views, type Address, type Host, type View } from '../net/address.js';

export interface TargetRules {
  allow: string[];
  deny: string[];
}

/**
 * Never reachable unless allowed by name: this host through an unspecified address,
 * link-local ranges and cloud metadata services. Each IPv4 range is also refused where
 * an IPv6 address embeds it (NAT64, 6to4, Teredo, …; address.ts).
 */
export const DEFAULT_DENY: ReadonlyArray<{ rule: string; why: string }> = [
  { rule: '0.0.0.0/8', why: 'this host: a connection to 0.0.0.0 reaches the local host' },
  { rule: '::/128', why: 'this host: a connection to :: reaches the local host' },
  { rule: '169.254.0.0/16', why: 'IPv4 link-local, cloud metadata services' },
  { rule: 'fe80::/10', why: 'IPv6 link-local' },
  { rule: 'fd00:ec2::254/128', why: 'AWS metadata service over IPv6' },
  { rule: '100.100.100.200/32', why: 'Alibaba Cloud metadata service' },
  { rule: 'metadata.google.internal', why: 'Google Cloud metadata service' },
  { rule: 'metadata.goog', why: 'Google Cloud metadata service' },
];

/** A rule matches a host by its name (patterns) or an address (CIDRs, addresses). */
type Rule = { source: string; test: (host: string, address: Address | undefined) => boolean };

export class TargetRefused extends Error {}

export class RuleError extends Error {}

function compileRule(source: string): Rule {
  const cidr = /^(.+)\/(\d{1,3})$/.exec(source);
  const net = parseNetwork(cidr ? cidr[1]! : source, cidr ? Number(cidr[2]) : undefined);
  if (cidr || net) {
    if (!net) throw new RuleError(`"${source}" is neither a CIDR, an IP address nor a host pattern`);
    if (typeof net === 'string') throw new RuleError(`"${source}": ${net}`);
    return { source, test: (_host, address) => address !== undefined && contains(net, address) };
  }
  if (!/^[A-Za-z0-9*.-]+$/.test(source)) throw new RuleError(`"${source}" is neither a CIDR, an IP address nor a host pattern`);
  if (!source.includes('*')) {
    // `127.1`, `0x7f.0.0.1`: an address in a spelling no host name ever has (hosts are
    // judged in their canonical form), so the rule would silently match nothing.
    const host = parseHost(source);
    if (host?.kind === 'ip') throw new RuleError(`"${source}" is the IP address ${host.text} written in another way; write ${host.text}`);
    if (!host) throw new RuleError(`"${source}" is neither a CIDR, an IP address nor a valid host name`);
  }
  const re = new RegExp(`^${source.toLowerCase().replace(/\./g, '\\.').replace(/\*/g, '[a-z0-9-]*(?:\\.[a-z0-9-]+)*?')}\\.?$`);
  return { source, test: (host) => re.test(host.toLowerCase()) };
}

/** The host as rules see it: its canonical form, or as written (lowercase) when it is not a valid host. */
function ruleHost(host: string): { name: string; address: Address | undefined } {
  const h = parseHost(host);
  if (!h) return { name: stripBrackets(host).toLowerCase(), address: undefined };
  return h.kind === 'ip' ? { name: h.text, address: h.address } : { name: h.name, address: undefined };
}

/** An address given as text: '' for none, a strict IP literal (a zone is dropped), or unreadable (null). */
function readAddress(address: string): Address | undefined | null {
  if (address === '') return undefined;
  return parseIP(address.replace(/%[^%]*$/, '')) ?? null;
}

/**
 * Host patterns and CIDRs; used for the global rules and for an auth's allowed targets.
 *
 * An address is matched by each of its views (address.ts). Which way is safe differs:
 * - refusing (deny rules): a rule matching ANY view refuses, so `deny: [169.254.0.0/16]`
 *   also refuses 64:ff9b::a9fe:a9fe and 2002:a9fe:a9fe::, and `deny: [127.0.0.0/8]`
 *   refuses 0.0.0.0;
 * - letting through (allow lists, an auth's targets): EVERY view must be matched, so an
 *   embedding never lets a target pass that its IPv4 address would not pass:
 *   `allow: [10.0.0.0/8]` does not admit 64:ff9b::a00:1 (the address itself is not in
 *   10.0.0.0/8), and `allow: ['::/0']` does not admit 64:ff9b::808:808 (8.8.8.8 is not
 *   allowed). IPv4-mapped addresses are the IPv4 address, so `::ffff:10.0.0.1` passes
 *   `10.0.0.0/8`. A host pattern matches by name, whatever the addresses.
 */
export class HostMatcher {
  private readonly rules: Rule[];
  constructor(sources: readonly string[]) {
    this.rules = sources.map(compileRule);
  }
  get empty(): boolean {
    return this.rules.length === 0;
  }

  /**
   * The rule that lets this host at this address through: the first matching its name or
   * the address, provided every other view of the address is matched too. With no
   * address ('') an IP host is its own address, and a name is matched by patterns only.
   */
  match(host: string, address: string): string | undefined {
    const h = ruleHost(host);
    const a = readAddress(address);
    if (a === null) return undefined;
    const addr = a ?? h.address;
    if (addr === undefined) return this.rules.find((r) => r.test(h.name, undefined))?.source;
    return this.unmatched(h.name, views(addr)) ? undefined : this.rules.find((r) => r.test(h.name, addr))?.source;
  }

  /** The first of the views (the address itself first) that no rule matches. */
  unmatched(host: string, all: readonly View[]): View | undefined {
    return all.find((v) => !this.rules.some((r) => r.test(host, v.address)));
  }

  /** The first rule matching the host's name (no views: not resolved yet) or any of the views, and the view. */
  refusing(host: string, all: readonly View[] | undefined): { rule: string; view: View | undefined } | undefined {
    if (all === undefined) {
      const rule = this.rules.find((r) => r.test(host, undefined));
      return rule && { rule: rule.source, view: undefined };
    }
    for (const r of this.rules) for (const v of all) if (r.test(host, v.address)) return { rule: r.source, view: v };
    return undefined;
  }
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** A host as written, for a one-line message: control and line-breaking characters escaped. */
function shown(host: string): string {
  return host.replace(/[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

let compiledDefaults: Array<{ rule: string; matcher: HostMatcher; name: string }> | undefined;

/** DEFAULT_DENY compiled once: a guard is made at each configuration load (and per test). */
function defaultDeny(): Array<{ rule: string; matcher: HostMatcher; name: string }> {
  compiledDefaults ??= DEFAULT_DENY.map((d) => ({ rule: d.rule, matcher: new HostMatcher([d.rule]), name: `default deny ${d.rule} (${d.why})` }));
  return compiledDefaults;
}

interface Vetted {
  address: string;
  family: number;
  expires: number;
}

const CACHE_SECONDS = 10;
const CACHE_MAX = 10_000;
/** The longest spelling of a host worth parsing: 253 characters, each percent-encoded. */
const MAX_SPELLING = MAX_NAME * 3 + 2;

export class TargetGuard {
  private readonly deny: Array<{ matcher: HostMatcher; name: string }>;
  private readonly allow: HostMatcher;
  private readonly cache = new Map<string, Vetted>();
  /** What each spelling of a host parses to (parsing is pure): a probe and each new connection ask again. */
  private readonly hosts = new Map<string, Host | null>();

  constructor(rules: TargetRules, private readonly resolve: typeof lookup = lookup) {
    this.deny = [
      ...rules.deny.map((r, i) => ({ matcher: new HostMatcher([r]), name: `targets.deny[${i}] (${r})` })),
      ...defaultDeny().filter((d) => !rules.allow.includes(d.rule)),
    ];
    this.allow = new HostMatcher(rules.allow);
  }

  /**
   * Why the host at this address may not be reached, or undefined when it may. With
   * no address, only the deny rules by name are checked (before resolving), unless the
   * host is an IP address, which is then its own address.
   */
  refusal(host: string, address: string): string | undefined {
    const h = ruleHost(host);
    const a = readAddress(address);
    if (a === null) return `refused: ${shown(JSON.stringify(address))} is not an IP address`;
    return this.judge(h.name, a ?? h.address);
  }

  private parse(hostname: string): Host | null {
    // Longer than any spelling of a valid host (253 characters, each percent-encoded at
    // most): refused without a parse, and never a key of the bounded cache.
    if (hostname.length > MAX_SPELLING) return null;
    let host = this.hosts.get(hostname);
    if (host === undefined) {
      host = parseHost(hostname) ?? null;
      if (this.hosts.size >= CACHE_MAX) this.hosts.clear();
      this.hosts.set(hostname, host);
    }
    return host;
  }

  private judge(name: string, address: Address | undefined): string | undefined {
    // A name no DNS carries never reaches the host patterns (two stars make one quadratic).
    if (name.length > MAX_NAME + 1) return `refused: a host name is at most ${MAX_NAME} characters`;
    const all = address && views(address);
    for (const d of this.deny) {
      const hit = d.matcher.refusing(name, all);
      if (hit) return `refused by ${d.name}${hit.view?.why ? `: ${hit.view.why}` : ''}`;
    }
    if (all && !this.allow.empty) {
      const miss = this.allow.unmatched(name, all);
      if (miss) return `not allowed by any rule in targets.allow${miss.why ? ` (${miss.why})` : ''}`;
    }
    return undefined;
  }

  /**
   * Resolves a host name and vets every address it has; throws TargetRefused naming
   * the rule. The host may be written in any way the URL parser accepts (brackets
   * around IPv6 optional); an IP address in any spelling is never looked up. The vetted
   * address is remembered briefly (by the host's canonical form) and is the one
   * connected to.
   */
  async vet(hostname: string): Promise<{ address: string; family: number }> {
    const host = this.parse(hostname);
    if (!host) throw new TargetRefused(`target ${shown(JSON.stringify(hostname))} is not a valid host name or IP address`);
    const key = host.kind === 'ip' ? host.text : host.name;
    const cached = this.cache.get(key);
    if (cached && cached.expires > Date.now()) return cached;
    const written = shown(stripBrackets(hostname).toLowerCase());
    let addresses: Address[];
    if (host.kind === 'ip') addresses = [host.address];
    else {
      const byName = this.judge(host.name, undefined);
      if (byName) throw new TargetRefused(`target ${written} ${byName}`);
      let answers: Array<{ address: string; family: number }>;
      try {
        answers = await this.resolve(host.name, { all: true, verbatim: true });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new Error(`cannot resolve ${written}: ${e.code ?? e.message}`);
      }
      addresses = [];
      for (const answer of answers) {
        const a = readAddress(answer.address);
        if (!a) throw new TargetRefused(`target ${written} resolved to ${shown(JSON.stringify(answer.address))}, not an IP address`);
        addresses.push(a);
      }
    }
    // Every address must pass: a name with one public and one link-local record
    // must not be usable to reach the latter.
    for (const a of addresses) {
      const why = this.judge(key, a);
      const text = formatAddress(a);
      if (why) throw new TargetRefused(`target ${written}${text === written ? '' : ` (${text})`} ${why}`);
    }
    const first = addresses[0];
    if (!first) throw new Error(`cannot resolve ${written}: no addresses`);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    const vetted = { address: formatAddress(first), family: first.family, expires: Date.now() + CACHE_SECONDS * 1000 };
    this.cache.set(key, vetted);
    return vetted;
  }

  /**
   * A host reached through a proxy, which resolves the name itself: vetted by name, and
   * by every address the exporter's own resolver gives for it. A name the exporter cannot
   * resolve (a proxy is often there because only it can) passes on its name: the deny
   * rules by name, and, when targets.allow is set, a host pattern there (its addresses
   * cannot be checked against the allowed networks). Throws TargetRefused.
   */
  async vetForProxy(hostname: string): Promise<void> {
    try {
      await this.vet(hostname);
    } catch (err) {
      if (err instanceof TargetRefused) throw err;
      const host = this.parse(hostname);
      if (host?.kind === 'name' && !this.allow.empty && this.allow.match(host.name, '') === undefined) {
        throw new TargetRefused(`target ${shown(host.name)} cannot be resolved here to check its addresses against targets.allow, and matches no host pattern there (${(err as Error).message})`);
      }
    }
  }
}
