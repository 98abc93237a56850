// A static token (RFC 6750): `Authorization: Bearer <token>`.
import type { AuthKind } from './kind.js';
import { NO_RENEW } from './kind.js';
import { reveal, secretOf } from './secret.js';

export const bearer: AuthKind<'bearer'> = {
  kind: 'bearer',
  compile(s, { base, resolvePath, report }) {
    const token = secretOf(s, 'token', resolvePath, ['bearer'], report);
    if (!token) return undefined;
    return {
      ...base,
      kind: 'bearer',
      async apply(req) {
        return { headers: { authorization: `Bearer ${await reveal(token)}` }, url: req.url, renew: NO_RENEW };
      },
      close: async () => {},
    };
  },
};
