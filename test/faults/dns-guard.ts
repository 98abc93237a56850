// Preloaded into the exporter the fault suite runs (node --import): the suite probes a
// name under .invalid, and this machine's resolver is not on loopback, so a real
// lookup would send a DNS query off the machine. RFC 6761 §6.4 lets a resolver answer
// .invalid names negatively at once without asking anyone; this makes the process's
// resolver do exactly that, with the error getaddrinfo gives, and refuse every other
// name too. IP literals (server.listen and address guards look them up) go to the real
// lookup, which answers them without a query.
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { isIP } from 'node:net';

type Callback = (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

function refusal(hostname: string): NodeJS.ErrnoException {
  const invalid = /\.invalid\.?$/i.test(hostname);
  const err: NodeJS.ErrnoException & { hostname?: string } = new Error(
    invalid ? `getaddrinfo ENOTFOUND ${hostname}` : `DNS lookup of ${hostname} refused by the fault suite's dns-guard (no query leaves loopback)`,
  );
  err.code = 'ENOTFOUND';
  err.errno = -3008;
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

const realLookup = dns.lookup as (...args: unknown[]) => void;
const realPromisesLookup = dns.promises.lookup as (...args: unknown[]) => Promise<unknown>;

function lookup(hostname: string, options: unknown, callback?: Callback): void {
  if (isIP(hostname)) return realLookup(hostname, options, callback);
  const cb = (typeof options === 'function' ? options : callback) as Callback;
  process.nextTick(cb, refusal(hostname));
}

function promisesLookup(hostname: string, options?: unknown): Promise<unknown> {
  if (isIP(hostname)) return realPromisesLookup(hostname, options);
  return Promise.reject(refusal(hostname));
}

(dns as unknown as { lookup: typeof lookup }).lookup = lookup;
(dns.promises as unknown as { lookup: typeof promisesLookup }).lookup = promisesLookup;
// `import { lookup } from 'node:dns/promises'` binds the ES module's export, which
// only follows the patched object once synced.
syncBuiltinESMExports();
