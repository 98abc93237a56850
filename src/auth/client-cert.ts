// A client certificate alone (`tls:` with cert_file and key_file, no other kind): the
// credentials are in the connection's TLS settings, nothing is added to requests.
import type { Auth } from '../fetch/credentials.js';
import { NO_RENEW, type AuthBase } from './kind.js';

export function clientCertAuth(base: AuthBase): Auth {
  return { ...base, kind: 'tls', apply: (req) => Promise.resolve({ headers: {}, url: req.url, renew: NO_RENEW }), close: async () => {} };
}
