// Which addresses the exporter may connect to. Checked on the resolved address,
// and the connection is made to that very address (the connector below asks the
// guard, never the resolver directly), so a name that resolves differently a moment
// later cannot slip past (DNS rebinding).
import { lookup } from 'node:dns/promises';
import net from 'node:net';

export interface TargetRules {
  allow: string[];
  deny: string[];
}

/** Never reachable unless allowed by name: link-local ranges and cloud metadata services. */
export const DEFAULT_DENY: ReadonlyArray<{ rule: string; why: string }> = [
  { rule: '169.254.0.0/16', why: 'IPv4 link-local, cloud metadata services' },
  { rule: 'fe80::/10', why: 'IPv6 link-local' },
  { rule: 'fd00:ec2::254/128', why: 'AWS metadata service over IPv6' },
  { rule: '100.100.100.200/32', why: 'Alibaba Cloud metadata service' },
  { rule: 'metadata.google.internal', why: 'Google Cloud metadata service' },
  { rule: 'metadata.goog', why: 'Google Cloud metadata service' },
];

type Rule = { source: string; test: (host: string, address: string) => boolean };

export class TargetRefused extends Error {}

export class RuleError extends Error {}

function compileRule(source: string): Rule {
  const cidr = /^(.+)\/(\d{1,3})$/.exec(source);
  if (cidr || net.isIP(source)) {
    const ip = cidr ? cidr[1]! : source;
    const family = net.isIP(ip);
    if (!family) throw new RuleError(`"${source}" is neither a CIDR, an IP address nor a host pattern`);
    const prefix = cidr ? Number(cidr[2]) : family === 4 ? 32 : 128;
    if (prefix > (family === 4 ? 32 : 128)) throw new RuleError(`"${source}": prefix /${prefix} is too long for IPv${family}`);
    const list = new net.BlockList();
    list.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return { source, test: (_host, address) => address !== '' && list.check(address, net.isIP(address) === 4 ? 'ipv4' : 'ipv6') };
  }
  if (!/^[A-Za-z0-9*.-]+$/.test(source)) throw new RuleError(`"${source}" is neither a CIDR, an IP address nor a host pattern`);
  const re = new RegExp(`^${source.toLowerCase().replace(/\./g, '\\.').replace(/\*/g, '[a-z0-9-]*(?:\\.[a-z0-9-]+)*?')}\\.?$`);
  return { source, test: (host) => re.test(host.toLowerCase()) };
}

/** Host patterns and CIDRs; used for the global rules and for an auth's allowed targets. */
export class HostMatcher {
  private readonly rules: Rule[];
  constructor(sources: readonly string[]) {
    this.rules = sources.map(compileRule);
  }
  get empty(): boolean {
    return this.rules.length === 0;
  }
  /** The first rule matching the host name or one of its addresses. */
  match(host: string, address: string): string | undefined {
    return this.rules.find((r) => r.test(host, address))?.source;
  }
}

/** An IPv4-mapped IPv6 address checked as the IPv4 address it is. */
function canonical(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

interface Vetted {
  address: string;
  family: number;
  expires: number;
}

const CACHE_SECONDS = 10;
const CACHE_MAX = 10_000;

export class TargetGuard {
  private readonly deny: Array<{ matcher: HostMatcher; name: string }>;
  private readonly allow: HostMatcher;
  private readonly cache = new Map<string, Vetted>();

  constructor(rules: TargetRules, private readonly resolve: typeof lookup = lookup) {
    this.deny = [
      ...rules.deny.map((r, i) => ({ matcher: new HostMatcher([r]), name: `targets.deny[${i}] (${r})` })),
      ...DEFAULT_DENY.filter((d) => !rules.allow.includes(d.rule)).map((d) => ({ matcher: new HostMatcher([d.rule]), name: `default deny ${d.rule} (${d.why})` })),
    ];
    this.allow = new HostMatcher(rules.allow);
  }

  /**
   * Why the host at this address may not be reached, or undefined when it may. With
   * no address, only the deny rules by name are checked (before resolving).
   */
  refusal(host: string, address: string): string | undefined {
    const addr = canonical(address);
    for (const d of this.deny) if (d.matcher.match(host, addr)) return `refused by ${d.name}`;
    if (addr && !this.allow.empty && !this.allow.match(host, addr)) return 'not allowed by any rule in targets.allow';
    return undefined;
  }

  /**
   * Resolves a host name and vets every address it has; throws TargetRefused naming
   * the rule. The vetted address is remembered briefly and is the one connected to.
   */
  async vet(hostname: string): Promise<{ address: string; family: number }> {
    const host = stripBrackets(hostname).toLowerCase();
    const cached = this.cache.get(host);
    if (cached && cached.expires > Date.now()) return cached;
    const byName = this.refusal(host, '');
    if (byName) throw new TargetRefused(`target ${host} ${byName}`);
    let addresses: Array<{ address: string; family: number }>;
    if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
    else {
      try {
        addresses = await this.resolve(host, { all: true, verbatim: true });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new Error(`cannot resolve ${host}: ${e.code ?? e.message}`);
      }
    }
    // Every address must pass: a name with one public and one link-local record
    // must not be usable to reach the latter.
    for (const a of addresses) {
      const why = this.refusal(host, a.address);
      if (why) throw new TargetRefused(`target ${host}${a.address === host ? '' : ` (${a.address})`} ${why}`);
    }
    const first = addresses[0];
    if (!first) throw new Error(`cannot resolve ${host}: no addresses`);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    const vetted = { address: canonical(first.address), family: first.family, expires: Date.now() + CACHE_SECONDS * 1000 };
    this.cache.set(host, vetted);
    return vetted;
  }
}
