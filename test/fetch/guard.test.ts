import { describe, expect, it } from 'vitest';
import { HostMatcher, RuleError, TargetGuard, TargetRefused } from '../../src/fetch/guard.js';
import { resolver, type Lookup } from '../helpers/resolver.js';

describe('target rules', () => {
  it('refuses link-local and metadata addresses by default, naming the rule', async () => {
    const g = new TargetGuard({ allow: [], deny: [] }, resolver({ 'evil.example': ['169.254.169.254'], 'v6.example': ['fe80::1'] }));
    await expect(g.vet('169.254.169.254')).rejects.toThrow(new TargetRefused('target 169.254.169.254 refused by default deny 169.254.0.0/16 (IPv4 link-local, cloud metadata services)'));
    await expect(g.vet('evil.example')).rejects.toThrow(/^target evil\.example \(169\.254\.169\.254\) refused by default deny 169\.254\.0\.0\/16/);
    await expect(g.vet('v6.example')).rejects.toThrow(/refused by default deny fe80::\/10/);
    await expect(g.vet('[::ffff:169.254.1.1]')).rejects.toThrow(/refused by default deny 169\.254\.0\.0\/16/);
    await expect(g.vet('metadata.google.internal')).rejects.toThrow(/refused by default deny metadata\.google\.internal/);
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const g = new TargetGuard({ allow: [], deny: [] }, resolver({ 'mixed.example': ['192.0.2.10', '169.254.0.5'] }));
    await expect(g.vet('mixed.example')).rejects.toThrow(TargetRefused);
  });

  it('applies configured deny rules and, when present, the allow list', async () => {
    const g = new TargetGuard({ allow: ['10.0.0.0/8', '*.bmc.example'], deny: ['10.9.0.0/16'] }, resolver({ 'a.bmc.example': ['192.0.2.1'], 'web.example': ['10.1.1.1'], 'other.example': ['192.0.2.2'] }));
    await expect(g.vet('10.1.2.3')).resolves.toEqual(expect.objectContaining({ address: '10.1.2.3' }));
    await expect(g.vet('10.9.1.1')).rejects.toThrow('target 10.9.1.1 refused by targets.deny[0] (10.9.0.0/16)');
    await expect(g.vet('a.bmc.example')).resolves.toEqual(expect.objectContaining({ address: '192.0.2.1' }));
    await expect(g.vet('web.example')).resolves.toEqual(expect.objectContaining({ address: '10.1.1.1' }));
    await expect(g.vet('other.example')).rejects.toThrow('target other.example (192.0.2.2) not allowed by any rule in targets.allow');
    await expect(g.vet('127.0.0.1')).rejects.toThrow(/not allowed by any rule/);
  });

  it('lets an allow rule open a default-denied range on purpose', async () => {
    const g = new TargetGuard({ allow: ['169.254.0.0/16'], deny: [] });
    await expect(g.vet('169.254.3.4')).resolves.toEqual(expect.objectContaining({ address: '169.254.3.4' }));
  });

  it('connects to the address it vetted: a name that changes its answer is not looked up again at once', async () => {
    const answers: Record<string, string[]> = { 'rebind.example': ['192.0.2.7'] };
    const g = new TargetGuard({ allow: [], deny: [] }, resolver(answers));
    expect((await g.vet('rebind.example')).address).toBe('192.0.2.7');
    answers['rebind.example'] = ['169.254.169.254'];
    expect((await g.vet('rebind.example')).address).toBe('192.0.2.7');
  });

  it('says why a name does not resolve', async () => {
    const g = new TargetGuard({ allow: [], deny: [] }, resolver({}));
    await expect(g.vet('nowhere.invalid')).rejects.toThrow('cannot resolve nowhere.invalid: ENOTFOUND');
  });

  it('matches host patterns label by label and rejects malformed rules', () => {
    const m = new HostMatcher(['*.bmc.example', 'pdu-*']);
    expect(m.match('r1.bmc.example', '')).toBe('*.bmc.example');
    expect(m.match('PDU-17', '')).toBe('pdu-*');
    expect(m.match('bmc.example', '')).toBeUndefined();
    expect(() => new HostMatcher(['10.0.0.0/99'])).toThrow(RuleError);
    expect(() => new HostMatcher(['a b'])).toThrow(/neither a CIDR, an IP address nor a host pattern/);
  });
});

// Resolver that records every name it is asked for: an IP address in any spelling must
// never reach it (glibc's getaddrinfo reads `0x7f.1` as 127.0.0.1 behind the guard).
function recording(answers: Record<string, string[]> = {}): { lookup: Lookup; asked: string[] } {
  const asked: string[] = [];
  const inner = resolver(answers);
  return { asked, lookup: ((host: string, opts: unknown) => (asked.push(host), (inner as unknown as (h: string, o: unknown) => unknown)(host, opts))) as unknown as Lookup };
}

const THIS_HOST = ['0.0.0.0', '0', '0.1.2.3', '[::]', '::', '[::ffff:0:0]', '[::ffff:0.0.0.0]', '[0:0:0:0:0:ffff:0:0]'];

describe('host names as long as DNS allows, no longer', () => {
  const label = (n: number): string => 'a'.repeat(n);
  // 253 characters: three labels of 63, one of 61, and the dots between them.
  const longest = [label(63), label(63), label(63), label(61)].join('.');

  it('takes a name of 253 characters and labels of 63, refuses one character more before looking anything up', async () => {
    const looked: string[] = [];
    const g = new TargetGuard({ allow: [], deny: ['db-*.*.example.com'] }, ((host: string) => {
      looked.push(host);
      return Promise.resolve([{ address: '192.0.2.7', family: 4 }]);
    }) as unknown as Lookup);
    expect(longest.length).toBe(253);
    await expect(g.vet(longest)).resolves.toEqual(expect.objectContaining({ address: '192.0.2.7' }));
    await expect(g.vet(`${longest}.`)).resolves.toEqual(expect.objectContaining({ address: '192.0.2.7' }));
    await expect(g.vet(`${longest}a`)).rejects.toThrow(/is not a valid host name or IP address/);
    await expect(g.vet(`${label(64)}.example`)).rejects.toThrow(/is not a valid host name or IP address/);
    // The shape that made a two-star rule quadratic: a 16 KB name of dotted labels.
    await expect(g.vet(`db-${'a.'.repeat(8000)}example.com`)).rejects.toThrow(/is not a valid host name or IP address/);
    expect(looked).toEqual([longest, `${longest}.`]);
  });
});

describe('unspecified addresses are this host', () => {
  it('refuses 0.0.0.0/8 and :: (also IPv4-mapped) when loopback is denied, saying they mean this host', async () => {
    const g = new TargetGuard({ allow: [], deny: ['127.0.0.0/8', '::1/128'] }, recording().lookup);
    for (const host of THIS_HOST) await expect(g.vet(host), host).rejects.toThrow(/refused by targets\.deny\[[01]\] \((127\.0\.0\.0\/8|::1\/128)\): .* means this host \((127\.0\.0\.1|::1)\)$/);
    await expect(g.vet('0.0.0.0')).rejects.toThrow(new TargetRefused('target 0.0.0.0 refused by targets.deny[0] (127.0.0.0/8): 0.0.0.0 means this host (127.0.0.1)'));
    await expect(g.vet('[::]')).rejects.toThrow(new TargetRefused('target :: refused by targets.deny[1] (::1/128): :: means this host (::1)'));
  });

  it('refuses 0.0.0.0/8 and :: by default, loopback itself staying allowed', async () => {
    const g = new TargetGuard({ allow: [], deny: [] }, recording().lookup);
    for (const host of THIS_HOST) await expect(g.vet(host), host).rejects.toThrow(/refused by default deny (0\.0\.0\.0\/8|::\/128) \(this host: /);
    await expect(g.vet('0')).rejects.toThrow(new TargetRefused('target 0 (0.0.0.0) refused by default deny 0.0.0.0/8 (this host: a connection to 0.0.0.0 reaches the local host)'));
    await expect(g.vet('127.0.0.1')).resolves.toEqual(expect.objectContaining({ address: '127.0.0.1', family: 4 }));
    await expect(g.vet('[::1]')).resolves.toEqual(expect.objectContaining({ address: '::1', family: 6 }));
  });

  it('refuses a name that resolves to an unspecified address', async () => {
    const g = new TargetGuard({ allow: [], deny: [] }, resolver({ 'zero.example': ['0.0.0.0'], 'any6.example': ['::'], 'mapped.example': ['::ffff:0.0.0.0'] }));
    await expect(g.vet('zero.example')).rejects.toThrow('target zero.example (0.0.0.0) refused by default deny 0.0.0.0/8');
    await expect(g.vet('any6.example')).rejects.toThrow('target any6.example (::) refused by default deny ::/128');
    await expect(g.vet('mapped.example')).rejects.toThrow('target mapped.example (0.0.0.0) refused by default deny 0.0.0.0/8');
  });

  it('lets an allow rule naming 0.0.0.0/8 open it only together with the loopback address it reaches', async () => {
    const only = new TargetGuard({ allow: ['0.0.0.0/8'], deny: [] });
    await expect(only.vet('0.0.0.0')).rejects.toThrow('target 0.0.0.0 not allowed by any rule in targets.allow (0.0.0.0 means this host (127.0.0.1))');
    const both = new TargetGuard({ allow: ['0.0.0.0/8', '127.0.0.0/8'], deny: [] });
    await expect(both.vet('0.0.0.0')).resolves.toEqual(expect.objectContaining({ address: '0.0.0.0' }));
  });
});

describe('IPv4 addresses embedded in IPv6 addresses', () => {
  const METADATA_IN_V6: Array<[string, string]> = [
    ['64:ff9b::a9fe:a9fe', 'NAT64, 64:ff9b::/96'],
    ['[64:ff9b::169.254.169.254]', 'NAT64, 64:ff9b::/96'],
    ['::169.254.169.254', 'IPv4-compatible, ::/96'],
    ['2002:a9fe:a9fe::', '6to4, 2002::/16'],
    ['2002:a9fe:a9fe:1::42', '6to4, 2002::/16'],
    // Teredo: the client's address inverted in the last 32 bits (~169.254.169.254 = 5601:5601).
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'Teredo client, 2001::/32'],
    ['2001:0:a9fe:a9fe::1', 'Teredo server, 2001::/32'],
    ['::ffff:0:a9fe:a9fe', 'SIIT, ::ffff:0:0:0/96'],
    ['64:ff9b:1::a9fe:a9fe', 'NAT64, 64:ff9b:1::/48 used as a /96'],
    // RFC 6052 /48 format: octets 1-2 in bits 48-63, the "u" octet, octets 3-4 in bits 72-87.
    ['64:ff9b:1:a9fe:a9:fe00:0:1', 'NAT64, 64:ff9b:1::/48 used as a /48'],
    ['2001:db8::5efe:a9fe:a9fe', 'ISATAP, interface identifier ::5efe:0:0/96'],
  ];

  it('refuses, by the default link-local deny, every IPv6 form of 169.254.169.254', async () => {
    const g = new TargetGuard({ allow: [], deny: [] }, recording().lookup);
    for (const [host, scheme] of METADATA_IN_V6) {
      await expect(g.vet(host), host).rejects.toThrow(/refused by default deny 169\.254\.0\.0\/16 \(IPv4 link-local, cloud metadata services\): \S+ embeds 169\.254\.169\.254 \((.+)\)$/);
      await expect(g.vet(host), host).rejects.toThrow(`(${scheme})`);
    }
    await expect(g.vet('64:ff9b::6464:64c8')).rejects.toThrow(/refused by default deny 100\.100\.100\.200\/32 .*embeds 100\.100\.100\.200 \(NAT64/);
  });

  it('refuses embedded forms of a configured deny rule, and an embedded 0.0.0.0 as this host', async () => {
    const g = new TargetGuard({ allow: [], deny: ['127.0.0.0/8', '10.9.0.0/16'] });
    await expect(g.vet('[64:ff9b::7f00:1]')).rejects.toThrow(/refused by targets\.deny\[0\] \(127\.0\.0\.0\/8\): 64:ff9b::7f00:1 embeds 127\.0\.0\.1 \(NAT64/);
    await expect(g.vet('[2002:a09:101::]')).rejects.toThrow(/refused by targets\.deny\[1\] \(10\.9\.0\.0\/16\): 2002:a09:101:: embeds 10\.9\.1\.1 \(6to4/);
    await expect(g.vet('[::127.0.0.1]')).rejects.toThrow(/refused by targets\.deny\[0\] .* embeds 127\.0\.0\.1 \(IPv4-compatible/);
    const byDefault = new TargetGuard({ allow: [], deny: [] });
    await expect(byDefault.vet('[2002::1]')).rejects.toThrow(/refused by default deny 0\.0\.0\.0\/8 .*: 2002::1 embeds 0\.0\.0\.0 \(6to4, 2002::\/16\)$/);
    await expect(byDefault.vet('[64:ff9b::]')).rejects.toThrow(/refused by default deny 0\.0\.0\.0\/8/);
  });

  it('refuses a name that resolves to an IPv6 address embedding a denied IPv4 address', async () => {
    const g = new TargetGuard({ allow: [], deny: [] }, resolver({ 'nat64.example': ['2001:db8::1', '64:ff9b::a9fe:a9fe'], 'sixtofour.example': ['2002:a9fe:a9fe::1'] }));
    await expect(g.vet('nat64.example')).rejects.toThrow('target nat64.example (64:ff9b::a9fe:a9fe) refused by default deny 169.254.0.0/16 (IPv4 link-local, cloud metadata services): 64:ff9b::a9fe:a9fe embeds 169.254.169.254 (NAT64, 64:ff9b::/96)');
    await expect(g.vet('sixtofour.example')).rejects.toThrow(/embeds 169\.254\.169\.254 \(6to4/);
  });

  it('does not let an embedding pass an allow list its IPv4 address would not pass', async () => {
    const v4only = new TargetGuard({ allow: ['10.0.0.0/8'], deny: [] });
    await expect(v4only.vet('[64:ff9b::a00:1]')).rejects.toThrow('target 64:ff9b::a00:1 not allowed by any rule in targets.allow');
    await expect(v4only.vet('[2002:a00:1::1]')).rejects.toThrow(/not allowed by any rule in targets\.allow$/);
    // IPv4-mapped is the IPv4 address itself, in any spelling.
    for (const host of ['[::ffff:10.0.0.1]', '[::ffff:a00:1]', '[::FFFF:A00:1]', '::ffff:10.0.0.1']) await expect(v4only.vet(host), host).resolves.toEqual(expect.objectContaining({ address: '10.0.0.1', family: 4 }));
    const wide = new TargetGuard({ allow: ['::/0', '10.0.0.0/8'], deny: [] });
    await expect(wide.vet('[2001:db8::1]')).resolves.toEqual(expect.objectContaining({ address: '2001:db8::1', family: 6 }));
    await expect(wide.vet('[64:ff9b::a00:1]')).resolves.toEqual(expect.objectContaining({ address: '64:ff9b::a00:1' }));
    await expect(wide.vet('[64:ff9b::808:808]')).rejects.toThrow('target 64:ff9b::808:808 not allowed by any rule in targets.allow (64:ff9b::808:808 embeds 8.8.8.8 (NAT64, 64:ff9b::/96))');
    // `::/0` covers IPv6 only: it does not open all of IPv4.
    await expect(wide.vet('192.0.2.1')).rejects.toThrow('target 192.0.2.1 not allowed by any rule in targets.allow');
  });

  it("matches an auth's targets by every view: the IPv4-mapped spelling passes, an embedding does not", () => {
    const m = new HostMatcher(['10.0.0.0/8']);
    expect(m.match('::ffff:a00:1', '10.0.0.1')).toBe('10.0.0.0/8');
    expect(m.match('device.example', '::ffff:10.0.0.1')).toBe('10.0.0.0/8');
    expect(m.match('::ffff:a00:1', '')).toBe('10.0.0.0/8');
    expect(m.match('64:ff9b::a00:1', '64:ff9b::a00:1')).toBeUndefined();
    expect(m.match('2002:a00:1::', '2002:a00:1::')).toBeUndefined();
    expect(new HostMatcher(['::/0']).match('64:ff9b::a00:1', '64:ff9b::a00:1')).toBeUndefined();
    expect(new HostMatcher(['::/0', '10.0.0.0/8']).match('64:ff9b::a00:1', '64:ff9b::a00:1')).toBe('::/0');
    expect(new HostMatcher(['127.0.0.0/8']).match('0.0.0.0', '0.0.0.0')).toBeUndefined();
    // A rule written in IPv4-mapped form is the IPv4 network.
    expect(new HostMatcher(['::ffff:10.0.0.0/104']).match('10.1.2.3', '10.1.2.3')).toBe('::ffff:10.0.0.0/104');
  });
});

describe('every spelling of an address is judged as that address', () => {
  it('judges 0x7f.1 as 127.0.0.1 without asking the resolver', async () => {
    const r = recording();
    const g = new TargetGuard({ allow: [], deny: ['127.0.0.0/8'] }, r.lookup);
    await expect(g.vet('0x7f.1')).rejects.toThrow(new TargetRefused('target 0x7f.1 (127.0.0.1) refused by targets.deny[0] (127.0.0.0/8)'));
    const open = new TargetGuard({ allow: [], deny: [] }, r.lookup);
    await expect(open.vet('0x7f.1')).resolves.toEqual(expect.objectContaining({ address: '127.0.0.1', family: 4 }));
    expect(r.asked).toEqual([]);
  });

  it('judges decimal, octal, short, trailing-dot, fullwidth and IPv6 spellings of loopback as 127.0.0.1 or ::1', async () => {
    const r = recording();
    const g = new TargetGuard({ allow: [], deny: ['127.0.0.0/8', '::1/128'] }, r.lookup);
    for (const host of ['2130706433', '0177.0.0.1', '127.1', '127.0.0.1.', '0X7F.0.0.1', '１２７.０.０.１', '127。0。0。1', '%31%32%37.0.0.1', '[::FFFF:7F00:1]', '[::ffff:127.0.0.1]', '[0000:0000:0000:0000:0000:0000:0000:0001]', '[0::1]']) {
      await expect(g.vet(host), host).rejects.toThrow(/refused by targets\.deny\[[01]\] \((127\.0\.0\.0\/8|::1\/128)\)$/);
    }
    expect(r.asked).toEqual([]);
  });

  it('refuses, without asking the resolver, hosts the URL parser refuses or that no name can be', async () => {
    const r = recording();
    const g = new TargetGuard({ allow: [], deny: [] }, r.lookup);
    for (const host of ['127.0.0.1 x', '1.2.3.4.5', '08.0.0.1', '4294967296', '127.0.0.1..', 'a..b', 'a.b/c', 'user@host', '[fe80::1%25eth0]', '12\t7.0.0.1', '']) {
      await expect(g.vet(host), JSON.stringify(host)).rejects.toThrow(TargetRefused);
      await expect(g.vet(host), JSON.stringify(host)).rejects.toThrow(/is not a valid host name or IP address$/);
    }
    expect(r.asked).toEqual([]);
  });

  it('looks up a name in its canonical form and judges a name rule on it', async () => {
    const r = recording({ 'device.example': ['192.0.2.5'] });
    const g = new TargetGuard({ allow: [], deny: [] }, r.lookup);
    await expect(g.vet('DEVICE.Example')).resolves.toEqual(expect.objectContaining({ address: '192.0.2.5' }));
    await expect(g.vet('ｍｅｔａｄａｔａ.google.internal')).rejects.toThrow(/refused by default deny metadata\.google\.internal/);
    expect(r.asked).toEqual(['device.example']);
  });

  it('rejects a rule that writes an IP address in a spelling hosts never have', () => {
    expect(() => new HostMatcher(['127.1'])).toThrow(new RuleError('"127.1" is the IP address 127.0.0.1 written in another way; write 127.0.0.1'));
    expect(() => new HostMatcher(['0x7f.0.0.1'])).toThrow(RuleError);
    expect(() => new HostMatcher(['010.0.0.0/8'])).toThrow(RuleError);
    expect(new HostMatcher(['10.*']).empty).toBe(false);
  });
});
