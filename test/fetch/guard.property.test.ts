// Property-based tests of the target guard: whatever way an address is written, the
// guard's verdict is its verdict on the address itself. Each spelling goes the way a
// user's target goes (resolveProbe: resolveTarget → the URL's hostname → guard.vet →
// the auth's targets) and, as the connector and redirects could hand it over, straight
// to guard.vet. No spelling of an address may ever reach the resolver.
import net from 'node:net';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledModule } from '../../src/module/plan.js';
import type { Config } from '../../src/probe/generation.js';
import { HostMatcher, TargetGuard, TargetRefused, type TargetRules } from '../../src/fetch/guard.js';
import { BadRequest, resolveProbe } from '../../src/probe/resolve.js';

type Lookup = ConstructorParameters<typeof TargetGuard>[1];

// ------------------------------------------------------------------ the paths

/** What glibc's getaddrinfo would read as an address (inet_aton, inet_pton), or a spelling of one. */
function looksNumeric(host: string): boolean {
  if (/[:%[\]]|[^\p{ASCII}]/u.test(host)) return true;
  return host.replace(/\.$/, '').split('.').every((l) => /^(0x[0-9a-f]*|[0-9]+)$/i.test(l));
}

class Resolver {
  numeric: string[] = [];
  constructor(private readonly answers: Record<string, string[]> = {}) {}
  readonly lookup = ((host: string) => {
    if (looksNumeric(host)) {
      this.numeric.push(host);
      return Promise.reject(new Error(`the resolver was asked for ${JSON.stringify(host)}`));
    }
    const a = this.answers[host];
    if (!a) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as Lookup;
}

const MODULE = { name: 'm', protocol: 'http', scheme: 'http', port: undefined, allowUrl: false, params: new Map(), roots: [], requests: new Map(), auth: undefined } as unknown as CompiledModule;

interface Setup {
  rules: TargetRules;
  /** An auth's `targets:`; undefined: the auth may go anywhere. */
  authTargets: string[] | undefined;
}

/** guard.vet on the host as given: "allowed <address>" or "refused". */
async function vetDirect(s: Setup, host: string, r: Resolver): Promise<string> {
  try {
    return `allowed ${(await new TargetGuard(s.rules, r.lookup).vet(host)).address}`;
  } catch (err) {
    if (err instanceof TargetRefused) return 'refused';
    throw err;
  }
}

/** The target as a probe's `target` parameter: "allowed <address>", "refused" (guard) or "auth refused". */
async function vetProbe(s: Setup, target: string, r: Resolver): Promise<string> {
  const guard = new TargetGuard(s.rules, r.lookup);
  const config = {
    file: 'apiprobe.yml',
    files: [],
    modules: new Map([['m', MODULE]]),
    auths: new Map([['a', { name: 'a', targets: s.authTargets && new HostMatcher(s.authTargets) }]]),
    targets: s.rules,
    guard,
    transportFor: () => MODULE.transport,
  } as unknown as Config;
  try {
    const probe = await resolveProbe(config, { target, module: 'm', auth: 'a' }, undefined);
    return `allowed ${(await guard.vet(probe.runs[0]!.target.base.hostname)).address}`;
  } catch (err) {
    if (err instanceof BadRequest) return / may not be sent to /.test(err.message) ? 'auth refused' : 'refused';
    throw err;
  }
}

// ------------------------------------------------------------------ IPv4 addresses

const u32 = (n: number) => n >>> 0;
const octets = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const dotted = (n: number) => octets(n).join('.');
const hex16 = (n: number) => [(n >>> 16).toString(16), (n & 0xffff).toString(16)].join(':');

const inRange = (base: number, bits: number) => fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((x) => u32(base + x));
const ipv4 = fc.oneof(
  inRange(0x00000000, 8), // 0.0.0.0/8: this host
  fc.constant(0),
  inRange(0x7f000000, 8), // loopback
  inRange(0xa9fe0000, 16), // link-local, metadata
  fc.constant(0xa9fea9fe),
  inRange(0x0a000000, 8),
  fc.constant(0x646464c8), // 100.100.100.200
  inRange(0xc0000200, 24),
  fc.integer({ min: 0, max: 0xffffffff }),
);

const v4Rule = fc.tuple(ipv4, fc.integer({ min: 0, max: 32 }), fc.boolean()).map(([n, p, mapped]) => (mapped ? `::ffff:${dotted(n)}/${96 + p}` : `${dotted(n)}/${p}`));
const namedRule = fc.constantFrom('0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '100.100.100.200/32', '10.0.0.0/8', '127.0.0.1', '::1/128', '::/128', 'fe80::/10', '::/0', '64:ff9b::/96', '2002::/16', '2001::/32');
const v6Rule = fc.tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 128 })).map(([w, p]) => `${w.map((x) => x.toString(16)).join(':')}/${p}`);
const rule = fc.oneof({ arbitrary: v4Rule, weight: 4 }, { arbitrary: namedRule, weight: 3 }, { arbitrary: v6Rule, weight: 1 });
const rules = fc.record({ allow: fc.oneof(fc.constant<string[]>([]), fc.array(rule, { maxLength: 3 })), deny: fc.array(rule, { maxLength: 3 }) });
const setup: fc.Arbitrary<Setup> = fc.record({ rules, authTargets: fc.oneof(fc.constant(undefined), fc.array(rule, { minLength: 1, maxLength: 3 })) });

type Radix = 'dec' | 'oct' | 'hex' | 'HEX' | 'Hex';
const radix = fc.constantFrom<Radix>('dec', 'dec', 'oct', 'hex', 'HEX', 'Hex');

/** One number of an IPv4 spelling in a radix the URL parser (and inet_aton) read: 0x.. hex, 0.. octal, else decimal. */
function part(v: number, r: Radix, zeros: number): string {
  const pad = '0'.repeat(zeros);
  switch (r) {
    case 'dec':
      return String(v);
    case 'oct':
      return `0${pad}${v.toString(8)}`;
    case 'hex':
      return `0x${pad}${v.toString(16)}`;
    case 'HEX':
      return `0X${pad}${v.toString(16).toUpperCase()}`;
    case 'Hex':
      return `0x${pad}${v.toString(16).replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c))}`;
  }
}

const FULLWIDTH_DOTS = ['\uff0e', '\u3002', '\uff61'];
type CharStyle = 'plain' | 'fullwidth' | 'percent';
const charStyle = fc.oneof({ arbitrary: fc.constant<CharStyle>('plain'), weight: 6 }, { arbitrary: fc.constant<CharStyle>('fullwidth'), weight: 2 }, { arbitrary: fc.constant<CharStyle>('percent'), weight: 1 });

/** Fullwidth forms (NFKC maps them back: UTS 46, as the URL parser applies) and %-escapes, char by char. */
function restyle(s: string, styles: CharStyle[]): string {
  return [...s]
    .map((c, i) => {
      const style = styles[i % styles.length]!;
      if (style === 'percent') return `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
      if (style === 'fullwidth') return c === '.' ? FULLWIDTH_DOTS[i % 3]! : String.fromCharCode(c.charCodeAt(0) + 0xfee0);
      return c;
    })
    .join('');
}

const recipe = fc.record({
  parts: fc.constantFrom(4, 4, 3, 2, 1),
  radixes: fc.array(radix, { minLength: 4, maxLength: 4 }),
  zeros: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
  trailingDot: fc.boolean(),
  styles: fc.array(charStyle, { minLength: 1, maxLength: 24 }),
});

/** IPv4 spellings by the URL parser's rules: a.b.c.d, a.b.c (c: 16 bits), a.b (b: 24 bits), a (32 bits), each number in any radix. */
type Recipe = typeof recipe extends fc.Arbitrary<infer T> ? T : never;

function spellV4(n: number, r: Recipe): string {
  const [a, b, c, d] = octets(n) as [number, number, number, number];
  const values = r.parts === 4 ? [a, b, c, d] : r.parts === 3 ? [a, b, c * 256 + d] : r.parts === 2 ? [a, b * 65536 + c * 256 + d] : [n];
  const text = values.map((v, i) => part(v, r.radixes[i]!, r.zeros[i]!)).join('.') + (r.trailingDot ? '.' : '');
  return restyle(text, r.styles);
}

/** The same address as IPv6 text: IPv4-mapped, which is the IPv4 address itself. */
function mappedForms(n: number): string[] {
  return [`::ffff:${dotted(n)}`, `::ffff:${hex16(n)}`, `::FFFF:${hex16(n).toUpperCase()}`, `0:0:0:0:0:ffff:${dotted(n)}`, `0000:0000:0000:0000:0000:FFFF:${hex16(n)}`, `::0:ffff:${dotted(n)}`];
}

/** IPv6 addresses that embed the IPv4 address (NAT64, 6to4, IPv4-compatible, Teredo, SIIT, ISATAP). */
function embeddedForms(n: number): string[] {
  const inv = u32(~n);
  const forms = [
    `64:ff9b::${dotted(n)}`,
    `64:ff9b::${hex16(n)}`,
    `64:FF9B:0:0:0:0:${hex16(n).toUpperCase()}`,
    `64:ff9b:1::${dotted(n)}`,
    `2002:${hex16(n)}::1`,
    `2002:${hex16(n)}:abcd::`,
    `2001:0:4136:e378:8000:63bf:${hex16(inv)}`,
    `2001:0:${hex16(n)}::1`,
    `::ffff:0:${dotted(n)}`,
    `2001:db8::5efe:${dotted(n)}`,
  ];
  // ::a.b.c.d for all but :: and ::1, which are themselves.
  if (n > 1) forms.push(`::${dotted(n)}`, `0:0:0:0:0:0:${hex16(n)}`);
  return forms;
}

describe('every spelling of an IPv4 address is judged as the address', () => {
  it('gives each spelling the verdict of its dotted-decimal form, never asking the resolver', async () => {
    await fc.assert(
      fc.asyncProperty(setup, ipv4, fc.array(recipe, { minLength: 1, maxLength: 5 }), async (s, n, recipes) => {
        const r = new Resolver();
        const canonical = dotted(n);
        const direct = await vetDirect(s, canonical, r);
        const probed = await vetProbe(s, canonical, r);
        const spellings = [...new Set([String(n), `0x${n.toString(16)}`, `0X${n.toString(16).toUpperCase()}`, `${canonical}.`, ...recipes.map((rc) => spellV4(n, rc))])];
        for (const sp of spellings) {
          expect(await vetDirect(s, sp, r), `vet(${JSON.stringify(sp)})`).toBe(direct);
          expect(await vetProbe(s, sp, r), `target=${JSON.stringify(sp)}`).toBe(probed);
          expect(await vetProbe(s, `http://${sp}:8080`, r), `target=http://${JSON.stringify(sp)}:8080`).toBe(probed);
        }
        for (const m of mappedForms(n)) {
          expect(await vetDirect(s, m, r), `vet(${m})`).toBe(direct);
          expect(await vetDirect(s, `[${m}]`, r), `vet([${m}])`).toBe(direct);
          expect(await vetProbe(s, `[${m}]`, r), `target=[${m}]`).toBe(probed);
        }
        // An embedding is refused whenever the IPv4 address is: by a deny rule (any view
        // refuses) and by an allow list or an auth's targets (every view must pass).
        if (direct === 'refused') for (const e of embeddedForms(n)) expect(await vetDirect(s, `[${e}]`, r), `vet([${e}])`).toBe('refused');
        if (probed !== `allowed ${canonical}`) for (const e of embeddedForms(n)) expect(await vetProbe(s, `[${e}]`, r), `target=[${e}]`).not.toMatch(/^allowed/);
        expect(r.numeric).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('judges a name by the address it resolves to, in whatever form the resolver gives it', async () => {
    await fc.assert(
      fc.asyncProperty(setup, ipv4, fc.constantFrom('dotted', 'mapped', 'mapped-hex'), async (s, n, form) => {
        const text = form === 'dotted' ? dotted(n) : form === 'mapped' ? `::ffff:${dotted(n)}` : `::ffff:${hex16(n)}`;
        const r = new Resolver({ 'device.example': [text], 'pair.example': ['192.0.2.1', text] });
        const byAddress = await vetDirect(s, dotted(n), r);
        expect(await vetDirect(s, 'device.example', r)).toBe(byAddress);
        expect(await vetProbe(s, 'device.example', r)).toBe(await vetProbe(s, dotted(n), r));
        if (byAddress === 'refused') expect(await vetDirect(s, 'pair.example', r)).toBe('refused');
        for (const e of embeddedForms(n)) {
          const r6 = new Resolver({ 'nat.example': [e] });
          if (byAddress === 'refused') expect(await vetDirect(s, 'nat.example', r6), e).toBe('refused');
          expect(await vetDirect(s, 'nat.example', r6), e).toBe(await vetDirect(s, `[${e}]`, r6));
        }
        expect(r.numeric).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

// ------------------------------------------------------------------ IPv6 addresses

const word = fc.integer({ min: 0, max: 0xffff });
const zeroish = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: word, weight: 2 });
const ipv6 = fc.oneof(
  fc.array(word, { minLength: 8, maxLength: 8 }),
  fc.array(zeroish, { minLength: 8, maxLength: 8 }),
  fc.tuple(fc.integer({ min: 0, max: 0x3f }), fc.array(zeroish, { minLength: 7, maxLength: 7 })).map(([x, r]) => [0xfe80 | x, ...r]),
  fc.constantFrom<number[]>([0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1], [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254], [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]),
  fc.tuple(fc.constantFrom([0, 0, 0, 0, 0, 0xffff], [0x64, 0xff9b, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0x64, 0xff9b, 1, 0, 0, 0], [0, 0, 0, 0, 0xffff, 0]), ipv4).map(([p, n]) => [...p, n >>> 16, n & 0xffff]),
  fc.tuple(ipv4, fc.array(zeroish, { minLength: 5, maxLength: 5 })).map(([n, r]) => [0x2002, n >>> 16, n & 0xffff, ...r]),
  fc.tuple(ipv4, ipv4).map(([server, client]) => [0x2001, 0, server >>> 16, server & 0xffff, 0x8000, 0x63bf, (~client >>> 16) & 0xffff, ~client & 0xffff]),
);

const group = fc.record({ zeros: fc.integer({ min: 0, max: 3 }), upper: fc.boolean() });
const v6recipe = fc.record({
  groups: fc.array(group, { minLength: 8, maxLength: 8 }),
  dottedTail: fc.boolean(),
  /** Which run of zero groups `::` replaces (an index into the runs, any length ≥ 1), or none. */
  compress: fc.option(fc.record({ run: fc.nat(), start: fc.nat(), length: fc.nat() }), { nil: undefined }),
});

/** RFC 4291 text of the words: leading zeros and case per group, an optional dotted tail and `::` over any zero run. */
type V6Recipe = typeof v6recipe extends fc.Arbitrary<infer T> ? T : never;

function spellV6(w: number[], r: V6Recipe): string {
  const texts = w.map((x, i) => {
    const g = r.groups[i]!;
    const h = x.toString(16).padStart(Math.min(4, x.toString(16).length + g.zeros), '0');
    return g.upper ? h.toUpperCase() : h;
  });
  const hexCount = r.dottedTail ? 6 : 8;
  const tail = r.dottedTail ? [`${w[6]! >>> 8}.${w[6]! & 255}.${w[7]! >>> 8}.${w[7]! & 255}`] : [];
  const head = texts.slice(0, hexCount);
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < hexCount; i++) {
    if (w[i] !== 0) continue;
    let j = i;
    while (j < hexCount && w[j] === 0) j++;
    runs.push([i, j]);
    i = j;
  }
  if (r.compress && runs.length) {
    const [from, to] = runs[r.compress.run % runs.length]!;
    const start = from + (r.compress.start % (to - from));
    const end = start + 1 + (r.compress.length % (to - start));
    return `${head.slice(0, start).join(':')}::${[...head.slice(end), ...tail].join(':')}`;
  }
  return [...head, ...tail].join(':');
}

describe('every spelling of an IPv6 address is judged as the address', () => {
  it('gives each spelling the verdict of its canonical form, never asking the resolver', async () => {
    await fc.assert(
      fc.asyncProperty(setup, ipv6, fc.array(v6recipe, { minLength: 1, maxLength: 6 }), async (s, w, recipes) => {
        const r = new Resolver();
        // The canonical text as the URL parser writes it (RFC 5952).
        const canonical = new URL(`http://[${w.map((x) => x.toString(16)).join(':')}]/`).hostname;
        const direct = await vetDirect(s, canonical, r);
        const probed = await vetProbe(s, canonical, r);
        for (const sp of new Set(recipes.map((rc) => spellV6(w, rc)))) {
          expect(await vetDirect(s, sp, r), `vet(${sp})`).toBe(direct);
          expect(await vetDirect(s, `[${sp}]`, r), `vet([${sp}])`).toBe(direct);
          expect(await vetProbe(s, `[${sp}]`, r), `target=[${sp}]`).toBe(probed);
          expect(await vetProbe(s, `https://[${sp}]:8443`, r), `target=https://[${sp}]:8443`).toBe(probed);
        }
        expect(r.numeric).toEqual([]);
      }),
      { numRuns: 250 },
    );
  });
});

describe('CIDR rules', () => {
  // The properties above compare spellings with each other; this one holds the matching
  // itself to an independent implementation (node's BlockList), on addresses that have
  // no other view than themselves (not 0.0.0.0/8, nor an embedding), and on near misses:
  // the network's base address with one bit flipped, inside or just outside the prefix.
  it("match an address exactly as node's BlockList does", () => {
    const plain4 = ipv4.filter((n) => n >>> 24 !== 0).map((n) => octets(n));
    const plain6 = fc.array(word, { minLength: 8, maxLength: 8 }).filter((w) => ![0, 0x64, 0x2001, 0x2002].includes(w[0]!) && w[5] !== 0x5efe);
    const text = (parts: number[]) => (parts.length === 4 ? parts.join('.') : parts.map((x) => x.toString(16)).join(':'));
    const family = (parts: number[]) => (parts.length === 4 ? ('ipv4' as const) : ('ipv6' as const));
    /** The address with bit `k` (from the most significant) flipped; parts of 8 or 16 bits. */
    const flip = (parts: number[], k: number) => {
      const size = parts.length === 4 ? 8 : 16;
      return parts.map((x, i) => (i === Math.floor(k / size) ? x ^ (1 << (size - 1 - (k % size))) : x));
    };
    fc.assert(
      fc.property(fc.oneof(plain4, plain6), fc.oneof(plain4, plain6), fc.nat(), fc.nat(), fc.constantFrom('other', 'flipped', 'same'), (other, base, p, k, pick) => {
        const width = base.length === 4 ? 32 : 128;
        const prefix = p % (width + 1);
        const a = pick === 'other' ? other : pick === 'same' ? base : flip(base, prefix === 0 ? k % width : Math.max(0, prefix - 1 + (k % 3)) % width);
        if (family(a) === 'ipv4' ? a[0] === 0 : [0, 0x64, 0x2001, 0x2002].includes(a[0]!) || a[5] === 0x5efe) return;
        const list = new net.BlockList();
        list.addSubnet(text(base), prefix, family(base));
        const expected = family(base) === family(a) && list.check(text(a), family(a));
        const cidr = `${text(base)}/${prefix}`;
        expect(new HostMatcher([cidr]).match(text(a), text(a)), `${text(a)} in ${cidr}`).toBe(expected ? cidr : undefined);
      }),
      { numRuns: 600 },
    );
  });
});
