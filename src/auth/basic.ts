// HTTP Basic authentication (RFC 7617): `Authorization: Basic base64(user:password)`.
import type { AuthKind } from './kind.js';
import { NO_RENEW } from './kind.js';
import { plain, reveal, secretOf } from './secret.js';

export const basic: AuthKind<'basic'> = {
  kind: 'basic',
  compile(s, { base, resolvePath, report }) {
    const username = plain(s.username, ['basic', 'username'], report);
    const password = secretOf(s, 'password', resolvePath, ['basic'], report);
    if (username === undefined || !password) return undefined;
    return {
      ...base,
      kind: 'basic',
      async apply(req) {
        const value = Buffer.from(`${username}:${await reveal(password)}`).toString('base64');
        return { headers: { authorization: `Basic ${value}` }, url: req.url, renew: NO_RENEW };
      },
      close: async () => {},
    };
  },
};
