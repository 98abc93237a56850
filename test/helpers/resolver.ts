// A stand-in for dns.lookup: names answer from a table, anything else is ENOTFOUND, and
// nothing is ever asked of a real resolver.
import type { TargetGuard } from '../../src/fetch/guard.js';

export type Lookup = ConstructorParameters<typeof TargetGuard>[1];

export const resolver = (answers: Record<string, string[]>): Lookup =>
  ((host: string) => {
    const a = answers[host];
    if (!a) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as Lookup;
