import { describe, expect, it } from 'vitest';
import { HostMatcher, RuleError, TargetGuard, TargetRefused } from '../../src/fetch/guard.js';

type Lookup = ConstructorParameters<typeof TargetGuard>[1];
const resolver = (answers: Record<string, string[]>): Lookup =>
  (async (host: string) => {
    const a = answers[host];
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }) as unknown as Lookup;

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
