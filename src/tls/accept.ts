// Accepting a device's new key (trust: first_use): from `apiprobe tls accept` and
// from POST /-/tls/accept.
import type { KnownHosts } from './known-hosts.js';
import { formatPin, parsePin, PinError } from './pins.js';
import { parseDevice } from './pins-file.js';

export type Accepted = { ok: true; device: string; pin: string; previous: string | undefined } | { ok: false; status: 400 | 404; message: string };

/**
 * Records `pin` for the device `target`; without a pin, the key the device presented
 * when it was last refused (what the probe's reason showed).
 */
export function acceptKey(store: KnownHosts, target: string | undefined, pin: string | undefined): Accepted {
  if (target === undefined || target === '') return { ok: false, status: 400, message: 'target parameter is missing (host:port)' };
  const device = parseDevice(target);
  if (device === undefined) return { ok: false, status: 400, message: `target ${JSON.stringify(target.slice(0, 100))} is not host:port` };
  let key: string | undefined;
  if (pin !== undefined && pin !== '') {
    try {
      const parsed = parsePin(pin);
      if (parsed.kind !== 'spki') return { ok: false, status: 400, message: 'give the fingerprint of the public key (sha256/<base64> or spki:<hex>): first use records keys, not certificates' };
      key = formatPin(parsed);
    } catch (err) {
      if (!(err instanceof PinError)) throw err;
      return { ok: false, status: 400, message: err.message };
    }
  } else {
    store.refresh();
    key = store.lastRefused(device);
    if (key === undefined) return { ok: false, status: 404, message: `no key of ${device} was refused lately: give the key to accept with pin=sha256/<base64>` };
  }
  const previous = store.get(device);
  store.set(device, key);
  return { ok: true, device, pin: key, previous };
}

/** A connection from the exporter's own host (127.0.0.0/8, ::1, and 127.x mapped into IPv6). */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(?:::ffff:)?127\.\d+\.\d+\.\d+$/.test(address));
}
