// IP addresses and host names as the target guard judges them and as devices are keyed
// (the limiter, pins, known hosts): pure, below fetch/ and tls/, which both read them.
//
// parseHost: a host as written (any spelling the WHATWG URL parser accepts: `0x7f.1`,
// `2130706433`, `0177.0.0.1`, `127.1`, `127.0.0.1.`, fullwidth digits, `%31`-escapes,
// `[::FFFF:7F00:1]`) → the address undici would connect to, or a host name in the form
// that is looked up. The URL parser is the one that decides, so the guard judges the very
// address the connection goes to; and a numeric spelling is never handed to getaddrinfo
// as a name (glibc's inet_aton reads `0x7f.1` as 127.0.0.1 behind the guard's back).
//
// views: every address a connection to an address may reach: the address itself; for an
// unspecified address ("this host", 0.0.0.0/8 and ::), the loopback address of its
// family; for an IPv6 address that embeds an IPv4 address (IPv4-compatible, SIIT,
// NAT64, 6to4, Teredo, ISATAP), that IPv4 address (and, when it is in 0.0.0.0/8,
// 127.0.0.1). IPv4-mapped addresses (::ffff:0:0/96) are not a view: they are the IPv4
// address itself (a dual-stack socket connects them over IPv4), so they are turned into
// it before anything else.

export type Address = { family: 4; n: number } | { family: 6; w: readonly number[] };

/** An address a connection may reach, and why (absent for the address itself). */
export interface View {
  address: Address;
  why?: string;
}

export type Host = { kind: 'ip'; address: Address; text: string } | { kind: 'name'; name: string };

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DOTTED = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** Dotted decimal, each part 0–255 without leading zeros (what the URL parser writes). */
export function parseIPv4(s: string): number | undefined {
  if (!DOTTED.test(s)) return undefined;
  return s.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function groups(part: string, tailAllowed: boolean): number[] | undefined {
  if (part === '') return [];
  const out: number[] = [];
  const gs = part.split(':');
  for (let i = 0; i < gs.length; i++) {
    const g = gs[i]!;
    if (tailAllowed && i === gs.length - 1 && g.includes('.')) {
      const v4 = parseIPv4(g);
      if (v4 === undefined) return undefined;
      out.push(v4 >>> 16, v4 & 0xffff);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
    else return undefined;
  }
  return out;
}

/** RFC 4291 text (hex groups, one `::`, optional dotted IPv4 tail); no zone. */
export function parseIPv6(s: string): number[] | undefined {
  const gap = s.indexOf('::');
  if (gap < 0) {
    const all = groups(s, true);
    return all?.length === 8 ? all : undefined;
  }
  if (s.indexOf('::', gap + 1) >= 0) return undefined;
  const left = groups(s.slice(0, gap), false);
  const right = groups(s.slice(gap + 2), true);
  if (!left || !right || left.length + right.length > 7) return undefined;
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function isMapped(w: readonly number[]): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff;
}

const v4 = (n: number): Address => ({ family: 4, n: n >>> 0 });
const v6 = (w: readonly number[]): Address => (isMapped(w) ? v4(w[6]! * 0x10000 + w[7]!) : { family: 6, w });

/** A strict IP literal (dotted decimal IPv4 or RFC 4291 IPv6), IPv4-mapped IPv6 as the IPv4 address it is. */
export function parseIP(s: string): Address | undefined {
  const n = parseIPv4(s);
  if (n !== undefined) return v4(n);
  const w = s.includes(':') ? parseIPv6(s) : undefined;
  return w ? v6(w) : undefined;
}

/** An IP literal as written (IPv4-mapped IPv6 stays IPv6): for networks, whose prefix length counts in its family. */
function parseLiteral(s: string): Address | undefined {
  const n = parseIPv4(s);
  if (n !== undefined) return v4(n);
  const w = s.includes(':') ? parseIPv6(s) : undefined;
  return w ? { family: 6, w } : undefined;
}

/** Dotted decimal; IPv6 as RFC 5952 (and the URL parser) write it: lowercase, first longest zero run as `::`. */
export function formatAddress(a: Address): string {
  if (a.family === 4) return [a.n >>> 24, (a.n >>> 16) & 255, (a.n >>> 8) & 255, a.n & 255].join('.');
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (a.w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && a.w[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (ws: readonly number[]) => ws.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(a.w) : `${hex(a.w.slice(0, best))}::${hex(a.w.slice(best + bestLen))}`;
}

// Characters that would make the URL parser read part of the string as something other
// than the host (userinfo, port, path) or that it would silently drop (tab, newline).
// eslint-disable-next-line no-control-regex -- the control characters are what this rejects
const NOT_IN_HOST = /[\x00-\x20\x7f/\\?#@]/;

/**
 * The host the URL parser makes of this string (`[`…`]` optional around IPv6), or
 * undefined when it refuses it, or when it is a name with an empty label (`a..b`,
 * `127.0.0.1..`: no such name can be looked up, and getaddrinfo must not see it).
 */
/** The longest host name DNS carries, without its trailing dot. */
export const MAX_NAME = 253;

export function parseHost(raw: string): Host | undefined {
  if (raw === '' || NOT_IN_HOST.test(raw)) return undefined;
  const bracketed = raw.startsWith('[') && raw.endsWith(']');
  let hostname: string;
  try {
    const url = new URL(`http://${!bracketed && raw.includes(':') ? `[${raw}]` : raw}/`);
    if (url.host !== url.hostname || url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
    hostname = url.hostname;
  } catch {
    return undefined;
  }
  if (hostname.startsWith('[')) {
    const w = parseIPv6(hostname.slice(1, -1));
    if (!w) return undefined;
    const address = v6(w);
    return { kind: 'ip', address, text: formatAddress(address) };
  }
  const n = parseIPv4(hostname);
  if (n !== undefined) return { kind: 'ip', address: v4(n), text: hostname };
  const bare = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  // DNS (RFC 1035): a name of at most 253 characters, labels of at most 63; nothing longer
  // resolves, and the target rules' patterns then only ever see names this short.
  if (bare.length > MAX_NAME) return undefined;
  const labels = bare.split('.');
  if (labels.some((l) => l === '' || l.length > 63)) return undefined;
  return { kind: 'name', name: hostname };
}

// ---------------------------------------------------------------- views

const LOOPBACK4 = v4(0x7f000001);
const LOOPBACK6: Address = { family: 6, w: [0, 0, 0, 0, 0, 0, 0, 1] };

/** 0.0.0.0/8 and ::, which a connection reaches as this host (RFC 1122 3.2.1.3; Linux connects 0.0.0.0 and :: to the local host). */
export function isThisHost(a: Address): boolean {
  return a.family === 4 ? a.n >>> 24 === 0 : a.w.every((x) => x === 0);
}

function bytesOf(w: readonly number[]): number[] {
  return w.flatMap((x) => [x >>> 8, x & 255]);
}

function fromBytes(b: readonly number[], ...at: number[]): number {
  return at.reduce((n, i) => n * 256 + b[i]!, 0);
}

/** The IPv4 addresses an IPv6 address embeds, with the scheme that embeds them. */
export function embedded(w: readonly number[]): Array<{ n: number; scheme: string }> {
  const out: Array<{ n: number; scheme: string }> = [];
  const b = bytesOf(w);
  const low = w[6]! * 0x10000 + w[7]!;
  const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  // ::a.b.c.d (RFC 4291 2.5.5.1, deprecated; tunnelled over IPv4 where sit is loaded). :: and ::1 are themselves.
  if (zero(0, 6) && !(w[6] === 0 && w[7]! <= 1)) out.push({ n: low, scheme: 'IPv4-compatible, ::/96' });
  // ::ffff:0:a.b.c.d, SIIT's IPv4-translated form (RFC 2765).
  if (zero(0, 4) && w[4] === 0xffff && w[5] === 0) out.push({ n: low, scheme: 'SIIT, ::ffff:0:0:0/96' });
  // NAT64 well-known prefix (RFC 6052): the IPv4 address in the last 32 bits.
  if (w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6)) out.push({ n: low, scheme: 'NAT64, 64:ff9b::/96' });
  // NAT64 local-use prefix (RFC 8215): the operator may use any RFC 6052 prefix length
  // inside it, /48, /56, /64 or /96, and each puts the IPv4 address elsewhere (skipping
  // the "u" octet, bits 64–71). Which one a network uses cannot be known here, so every
  // placement is a view, except those in 0.0.0.0/8 while another is not: the zero-filled
  // suffix and prefix bits of one format read as 0.0.0.x in another (64:ff9b:1::a9fe:a9fe
  // read as a /48 is 0.0.0.0), and counting them would refuse every local-use address as
  // this host. An address that reads as 0.0.0.0/8 in every format keeps its readings.
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) {
    const scheme = (len: number) => `NAT64, 64:ff9b:1::/48 used as a /${len}`;
    const readings = [
      { n: fromBytes(b, 6, 7, 9, 10), scheme: scheme(48) },
      { n: fromBytes(b, 7, 9, 10, 11), scheme: scheme(56) },
      { n: fromBytes(b, 9, 10, 11, 12), scheme: scheme(64) },
      { n: low, scheme: scheme(96) },
    ];
    const meaningful = readings.filter((r) => r.n >>> 24 !== 0);
    out.push(...(meaningful.length ? meaningful : readings));
  }
  // 6to4 (RFC 3056): the IPv4 address of the site's 6to4 router in bits 16–47.
  if (w[0] === 0x2002) out.push({ n: w[1]! * 0x10000 + w[2]!, scheme: '6to4, 2002::/16' });
  // Teredo (RFC 4380): the server in bits 32–63, the client's address inverted in the last 32 bits.
  if (w[0] === 0x2001 && w[1] === 0) {
    out.push({ n: w[2]! * 0x10000 + w[3]!, scheme: 'Teredo server, 2001::/32' });
    out.push({ n: ~low >>> 0, scheme: 'Teredo client, 2001::/32' });
  }
  // ISATAP (RFC 5214): any prefix, interface identifier 0000:5efe or 0200:5efe + IPv4 address.
  if ((w[4]! & 0xfcff) === 0 && w[5] === 0x5efe) out.push({ n: low, scheme: 'ISATAP, interface identifier ::5efe:0:0/96' });
  // Readings may coincide (Teredo's two, the local-use ones): one view per IPv4 address.
  return out.filter((e, i) => out.findIndex((o) => o.n === e.n) === i);
}

/** The address itself, then every other address a connection to it may reach (see the top of this file). */
export function views(a: Address): View[] {
  const text = formatAddress(a);
  const out: View[] = [{ address: a }];
  if (isThisHost(a)) out.push({ address: a.family === 4 ? LOOPBACK4 : LOOPBACK6, why: `${text} means this host (${a.family === 4 ? '127.0.0.1' : '::1'})` });
  if (a.family === 6) {
    for (const e of embedded(a.w)) {
      const inner = v4(e.n);
      const why = `${text} embeds ${formatAddress(inner)} (${e.scheme})`;
      out.push({ address: inner, why });
      if (isThisHost(inner)) out.push({ address: LOOPBACK4, why: `${why}, which means this host (127.0.0.1)` });
    }
  }
  return out;
}

// ---------------------------------------------------------------- networks

export interface Network {
  /** An address in the network: only its first `prefix` bits count. */
  address: Address;
  prefix: number;
}

/** The top `prefix` bits of a 16- or 32-bit unsigned value. */
function top(x: number, width: number, prefix: number): number {
  return prefix <= 0 ? 0 : prefix >= width ? x : x >>> (width - prefix);
}

/**
 * A network from an address and a prefix length. One written in IPv4-mapped form
 * (`::ffff:10.0.0.0/104`) is the IPv4 network it stands for, as mapped addresses are
 * the IPv4 address; a shorter IPv6 prefix (`::/0`) covers no IPv4 address.
 */
function network(a: Address, prefix: number): Network {
  if (a.family === 6 && prefix >= 96 && isMapped(a.w)) return network(v4(a.w[6]! * 0x10000 + a.w[7]!), prefix - 96);
  return { address: a, prefix };
}

/**
 * `address` or `address/prefix` (a strict IP literal, see parseIP) → the network, or a
 * message saying what is wrong with it; undefined when the text is not an IP literal.
 */
export function parseNetwork(text: string, prefix: number | undefined): Network | string | undefined {
  const a = parseLiteral(text);
  if (!a) return undefined;
  const width = a.family === 4 ? 32 : 128;
  if (prefix !== undefined && prefix > width) return `prefix /${prefix} is too long for IPv${a.family}`;
  return network(a, prefix ?? width);
}

export function contains(net: Network, a: Address): boolean {
  const n = net.address;
  if (n.family === 4) return a.family === 4 && top(a.n, 32, net.prefix) === top(n.n, 32, net.prefix);
  if (a.family !== 6) return false;
  for (let i = 0; i < 8 && 16 * i < net.prefix; i++) if (top(a.w[i]!, 16, net.prefix - 16 * i) !== top(n.w[i]!, 16, net.prefix - 16 * i)) return false;
  return true;
}

/**
 * The device's host as one spelling, for its limiter: `[::ffff:7f00:1]` is 127.0.0.1 and
 * `bmc.example.` is `bmc.example`, so every spelling of one device shares its limit.
 */
export function deviceHost(hostname: string): string {
  // The URL parser already wrote names in lowercase and IPv4 addresses as dotted quads:
  // only a trailing dot and IPv6 (IPv4-mapped ones above all) are left to settle.
  if (!hostname.startsWith('[')) return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  const host = parseHost(hostname);
  if (!host) return hostname;
  if (host.kind === 'name') return host.name.endsWith('.') ? host.name.slice(0, -1) : host.name;
  const text = formatAddress(host.address);
  return host.address.family === 6 ? `[${text}]` : text;
}
