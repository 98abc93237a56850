// HTTP Basic authentication (RFC 7617): `Authorization: Basic base64(user:password)`.
import type { AuthKind } from './kind.js';
import { NO_RENEW } from './kind.js';
import { plain, reveal, secretOf } from './secret.js';

export const basic: AuthKind<'basic'> = {
  kind: 'basic',
  compile(s, { base, resolvePath, report }) {
    const username = plain(s.username, ['basic', 'username'], report);
    const password = secretOf(s, 'password', resolvePath, ['basic'], report);
    // RFC 7617: the first colon ends the user-id; one in the username would give the device
    // another username and a password starting with the rest of it.
    if (username?.includes(':')) report(['basic', 'username'], 'a Basic username cannot hold ":" (RFC 7617): the device would read what follows it as the password');
    if (username === undefined || username.includes(':') || !password) return undefined;
    return {
      ...base,
      kind: 'basic',
      async apply(req) {
        const value = Buffer.from(`${username}:${await reveal(password)}`).toString('base64');
        return { headers: { authorization: `Basic ${value}` }, url: req.url, renew: NO_RENEW };
      },
      userPassword: async () => ({ username, password: await reveal(password) }),
      close: async () => {},
    };
  },
};
