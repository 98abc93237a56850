// A key sent in a header or a query parameter of every request.
import { withQueryParam } from '../fetch/query.js';
import type { AuthKind } from './kind.js';
import { NO_RENEW } from './kind.js';
import { reveal, secretOf } from './secret.js';

export const apiKey: AuthKind<'api_key'> = {
  kind: 'api_key',
  compile(s, { base, resolvePath, report }) {
    if ((s.header === undefined) === (s.query === undefined)) {
      report(['api_key'], 'give header or query (where the key goes), one of them');
      return undefined;
    }
    const value = secretOf(s, 'value', resolvePath, ['api_key'], report);
    if (!value) return undefined;
    return {
      ...base,
      kind: 'api_key',
      async apply(req) {
        const key = await reveal(value);
        if (s.header !== undefined) return { headers: { [s.header.toLowerCase()]: key }, url: req.url, renew: NO_RENEW };
        return { headers: {}, url: withQueryParam(req.url, s.query!, key), renew: NO_RENEW };
      },
      close: async () => {},
    };
  },
};
